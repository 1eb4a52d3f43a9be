"""The guidebook as open data: format=csv streams exactly the filtered, sorted list, every
page of it, in the columns of docs/data.md, with nothing a spreadsheet would run."""

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from hypothesis import given, strategies

from catalogue.models import Intervention
from catalogue.spreadsheet import export_lines, neutralise, unneutralise
from tests.core.test_hostile_input import FUZZ
from tests.support.guidebook import (
    CSV_COLUMNS,
    PER_PAGE,
    csv_rows,
    expected,
    exported_slugs,
    guidebook_url,
)


def export(client, query: str = "") -> list[dict[str, str]]:
    return csv_rows(client.get(guidebook_url(f"{query}&format=csv" if query else "format=csv")))


def test_export_is_streamed_as_a_csv_attachment(generated_guidebook, visitor):
    response = visitor.get(guidebook_url("format=csv"))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="interventions.csv"'


def test_columns_are_those_of_design_md_in_order(generated_guidebook, visitor):
    response = visitor.get(guidebook_url("format=csv"))
    first_line = b"".join(response.streaming_content).split(b"\r\n")[0].decode()
    assert next(csv.reader([first_line])) == CSV_COLUMNS


def test_an_empty_result_is_a_header_alone(db, visitor):
    response = visitor.get(guidebook_url("format=csv"))
    # Every cell is quoted, the header's too.
    header = ",".join(f'"{column}"' for column in CSV_COLUMNS)
    assert b"".join(response.streaming_content) == f"{header}\r\n".encode()


@pytest.mark.parametrize(
    "query",
    [
        "",
        "sort=-evidence",
        "sort=cost&mixed=exclude",
        "evidence=nl2&evidence=ne&evidence=2&evidence=2%2B&evidence=3&sort=-evidence",
    ],
)
def test_rows_are_the_filtered_list_in_order_across_every_page(generated_guidebook, visitor, query):
    want = expected(generated_guidebook, query)
    assert len(want) > PER_PAGE
    assert exported_slugs(visitor, query) == want


def test_export_ignores_the_page_it_was_asked_from(generated_guidebook, visitor):
    assert exported_slugs(visitor, "page=2") == expected(generated_guidebook, "")


def test_a_row_holds_every_column_in_the_import_format(
    intervention_factory, child_outcome_factory, visitor
):
    later = child_outcome_factory(name="Later outcome", position=5)
    earlier = child_outcome_factory(name="Earlier outcome", position=1)
    intervention_factory(
        name="Family Nurse Partnership",
        slug="fnp",
        summary="Home visits by a nurse, from pregnancy until the child is two.",
        evidence_rating=35,
        mixed_findings=True,
        cost_rating=9,
        outcomes=[later, (earlier, "Fewer injuries.")],
        provider="FNP National Unit",
        website="https://fnp.example.org/",
        age_groups=["prenatal", "0-2"],
        setting=["home"],
        delivery_model=["individual"],
        level_of_need=["targeted-selected", "targeted-indicated"],
        country="United States",
    )
    assert export(visitor) == [
        {
            "name": "Family Nurse Partnership",
            "slug": "fnp",
            "summary": "Home visits by a nurse, from pregnancy until the child is two.",
            "evidence_rating": "3+",
            "mixed_findings": "true",
            "cost_rating": "NA",
            "outcomes": "earlier-outcome;later-outcome",
            "provider": "FNP National Unit",
            "website": "https://fnp.example.org/",
            "age_groups": "prenatal;0-2",
            "setting": "home",
            "delivery_model": "individual",
            "level_of_need": "targeted-selected;targeted-indicated",
            "country": "United States",
            "evidence_summary": "No studies recorded yet.",
        }
    ]


@pytest.mark.parametrize(
    ("evidence", "mixed", "cost", "query", "shown"),
    [
        (None, False, None, "", ("", "false", "")),
        (10, False, 1, "evidence=nl2", ("NL2", "false", "1")),
        (5, False, 5, "evidence=ne", ("NE", "false", "5")),
        (20, True, 2, "", ("2", "true", "2")),
        (45, False, 9, "", ("4+", "false", "NA")),
    ],
)
def test_ratings_are_written_as_their_codes(
    intervention_factory, visitor, evidence, mixed, cost, query, shown
):
    intervention_factory(evidence_rating=evidence, mixed_findings=mixed, cost_rating=cost)
    (row,) = export(visitor, query)
    assert (row["evidence_rating"], row["mixed_findings"], row["cost_rating"]) == shown


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_cell_a_spreadsheet_would_run_starts_with_an_apostrophe(
    intervention_factory, visitor, start
):
    intervention_factory(
        name=f"{start}Formula name",
        slug="formula",
        summary=f'{start}HYPERLINK("https://evil.example/","Click")',
        provider=f"{start}1+2",
        country=f"{start}cmd|' /C calc'!A0",
    )
    (row,) = export(visitor)
    assert row["name"] == f"'{start}Formula name"
    assert row["summary"] == f'\'{start}HYPERLINK("https://evil.example/","Click")'
    assert row["provider"] == f"'{start}1+2"
    assert row["country"] == f"'{start}cmd|' /C calc'!A0"


def test_ordinary_cells_are_left_as_they_are(intervention_factory, visitor):
    intervention_factory(
        name="Ordinary", summary="Costs £100 - £499, a 2+ rating, email a@example.org."
    )
    (row,) = export(visitor)
    assert row["summary"] == "Costs £100 - £499, a 2+ rating, email a@example.org."
    assert row["name"] == "Ordinary"


def test_commas_quotes_and_line_breaks_survive_the_export(intervention_factory, visitor):
    summary = 'Two lines, "quoted";\nand a semicolon.'
    intervention_factory(name="Awkward, with a comma", summary=summary)
    (row,) = export(visitor)
    assert row["name"] == "Awkward, with a comma"
    assert row["summary"] == summary


# What a spreadsheet runs as a formula at the start of a cell, once past what it may skip
# before it: spaces, tabs, line breaks and quotes.
FORMULA_STARTS = ("=", "+", "-", "@")
SKIPPED = ' \t\r\n"'


def cells_a_spreadsheet_sees(data: str, delimiter: str) -> list[str]:
    """Every cell of the export as a spreadsheet splitting on delimiter reads it."""
    reader = csv.reader(io.StringIO(data, newline=""), delimiter=delimiter)
    return [cell for row in reader for cell in row]


def formulas(data: str) -> list[str]:
    """The cells that would start a formula, whether the file is split on commas or on
    semicolons (as spreadsheets set to many European languages do)."""
    return [
        cell
        for delimiter in (",", ";")
        for cell in cells_a_spreadsheet_sees(data, delimiter)
        if cell.lstrip(SKIPPED).startswith(FORMULA_STARTS)
    ]


SPLIT_FORMULAS = {
    "country": "UK;=cmd|' /C calc'!A0",
    "summary": 'Two groups; =HYPERLINK("https://evil.example/","Click")',
    "provider": 'Ltd;"=1+1',
    "name": "Line breaks;\t=1+1",
}


def test_no_cell_a_spreadsheet_splits_out_on_semicolons_or_commas_starts_a_formula(
    intervention_factory, visitor
):
    intervention_factory(slug="semicolons", **SPLIT_FORMULAS)
    intervention_factory(
        name="Line break", slug="line-break", summary="First line\n=cmd|' /C calc'!A0"
    )
    data = b"".join(visitor.get(guidebook_url("format=csv")).streaming_content).decode()
    assert formulas(data) == []


def test_items_of_a_semicolon_list_keep_their_text_after_the_quote(intervention_factory, visitor):
    intervention_factory(slug="semicolons", **SPLIT_FORMULAS)
    (row,) = export(visitor)
    assert row["country"] == "UK;'=cmd|' /C calc'!A0"
    assert row["summary"] == 'Two groups;\' =HYPERLINK("https://evil.example/","Click")'


TRICKY_TEXT = strategies.text(alphabet="=+-@\t\r\n;,\"' aU", max_size=12)


@FUZZ
@given(texts=strategies.lists(TRICKY_TEXT, min_size=4, max_size=4))
def test_generated_cells_never_start_a_formula_and_read_back_as_they_were(
    intervention_factory, texts
):
    if not Intervention.objects.exists():
        intervention_factory()
    name, summary, provider, country = texts
    Intervention.objects.update(name=name, summary=summary, provider=provider, country=country)
    data = "".join(export_lines(Intervention.objects.all()))
    assert formulas(data) == []
    for text in texts:
        assert unneutralise(neutralise(text)) == text
