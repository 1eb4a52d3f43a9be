"""Bulk loading of studies and findings (`manage.py import_studies`, `export_studies` and
the admin's "Import studies"): one row per finding, created or updated by intervention
and study number, all rows or none, every error by row and column, and an export that
imports back unchanged."""

import csv
import io
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from catalogue import admin as catalogue_admin
from catalogue import services
from catalogue.models import Finding, Intervention, Study, StudyDesign, StudyLevel
from catalogue.services import import_studies
from core.cache import CacheUnavailable
from tests.support.admin_pages import error_messages, messages
from tests.support.factories import FindingFactory, StudyFactory
from tests.support.pages import form_data, parse

HEADER = (
    "intervention,study,citation,year,design,level,counts_towards_rating,independent,country,"
    "sample_intervention,sample_comparison,ethnicity,doi,outcome,sub_outcome,statement,"
    "direction,months_after_end,effect_size"
)
OPTIONAL = "registry_ids,rating_note,population_ages,population_need,measures,limitations"
FULL_HEADER = f"{HEADER},{OPTIONAL},measure,improvement_index"
IMPORT = "admin:catalogue_intervention_import_studies"

GOOD = {
    "intervention": "incredible-years",
    "study": "1",
    "citation": "Webster-Stratton, C. (2004). Treating children with early-onset conduct "
    "problems. Journal of Clinical Child Psychology, 33(1).",
    "year": "2004",
    "design": "rct",
    "level": "3",
    "counts_towards_rating": "true",
    "independent": "false",
    "country": "Wales",
    "sample_intervention": "86",
    "sample_comparison": "67",
    "ethnicity": "92% White British",
    "doi": "10.1000/xyz123",
    "outcome": "school",
    "sub_outcome": "Improved reading",
    "statement": "A 9.18-point improvement on a reading test.",
    "direction": "favourable",
    "months_after_end": "12",
    "effect_size": "0.35",
}


def line(**cells: str) -> dict[str, str]:
    """A good row with some cells changed."""
    return {**GOOD, **cells}


def no_finding(**cells: str) -> dict[str, str]:
    """A row of a study that has no findings: its finding cells empty."""
    empty = dict.fromkeys(
        ["outcome", "sub_outcome", "statement", "direction", "months_after_end", "effect_size"],
        "",
    )
    return line(**empty, **cells)


def csv_bytes(*rows: dict[str, str], header: str = HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = header.split(",")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return buffer.getvalue().encode()


def csv_file(tmp_path: Path, *rows: dict[str, str], header: str = HEADER) -> Path:
    path = tmp_path / "studies.csv"
    path.write_bytes(csv_bytes(*rows, header=header))
    return path


def run(path: Path, *options: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_studies", str(path), *options, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(path: Path) -> tuple[str, str]:
    """The command's refusal of a file and the errors it lists, one a line."""
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_studies", str(path), stdout=StringIO(), stderr=err)
    assert raised.value.returncode == 1
    return str(raised.value), err.getvalue()


def export() -> bytes:
    out = StringIO()
    call_command("export_studies", stdout=out)
    return out.getvalue().encode()


def snapshot() -> tuple[list, list, list]:
    """Every study, finding and intervention as stored, to show nothing changed."""
    return (
        list(Study.objects.order_by("pk").values()),
        list(Finding.objects.order_by("pk").values()),
        list(Intervention.objects.order_by("pk").values()),
    )


@pytest.fixture
def outcomes(child_outcome_factory) -> dict:
    return {
        outcome.slug: outcome
        for outcome in [
            child_outcome_factory(name="Mental health", slug="mental-health", position=1),
            child_outcome_factory(name="School achievement", slug="school", position=2),
            child_outcome_factory(name="Preventing crime", slug="crime", position=3),
        ]
    }


@pytest.fixture
def years(intervention_factory, outcomes) -> Intervention:
    """An intervention with no studies yet, which it does not claim were in the UK."""
    return intervention_factory(name="Incredible Years", slug="incredible-years")


@pytest.fixture
def fnp(intervention_factory, outcomes) -> Intervention:
    """An intervention with two studies already stored, the first with two findings."""
    intervention = intervention_factory(name="Family Nurse Partnership", slug="fnp")
    first = StudyFactory(intervention=intervention, limitations="Small sample.")
    FindingFactory(study=first, outcome=outcomes["school"], sub_outcome="Better attendance")
    FindingFactory(study=first, outcome=outcomes["crime"], sub_outcome="Fewer arrests")
    StudyFactory(intervention=intervention, design=StudyDesign.QED, country="United States")
    intervention.refresh_from_db()
    return intervention


# A good file.


def test_a_good_file_creates_studies_and_findings_with_every_column(tmp_path, years):
    path = csv_file(
        tmp_path,
        line(),
        line(
            outcome="mental-health",
            sub_outcome="Fewer behaviour problems",
            statement="",
            direction="no effect",
            months_after_end="",
            effect_size="-0.05",
        ),
        no_finding(
            study="2",
            citation="Later, B. (2019). A follow-up.",
            year="",
            design="qed",
            level="below 2",
            counts_towards_rating="false",
            independent="yes",
            country="United States",
            sample_intervention="",
            sample_comparison="",
            ethnicity="",
            doi="",
        ),
    )
    out, _ = run(path)
    assert out == "Created 2 studies, updated 0, left 0 unchanged.\n"

    first, second = Study.objects.filter(intervention=years).order_by("number")
    assert (first.number, first.citation, first.year) == (1, GOOD["citation"], 2004)
    assert (first.design, first.level) == (StudyDesign.RCT, StudyLevel.LEVEL_3)
    assert (first.counts_towards_rating, first.independent, first.country) == (True, False, "Wales")
    assert (first.sample_intervention, first.sample_comparison) == (86, 67)
    assert (first.ethnicity, first.doi) == ("92% White British", "10.1000/xyz123")
    # In the order the site lists them: mental health before school achievement.
    assert [
        (
            finding.outcome.slug,
            finding.sub_outcome,
            finding.statement,
            finding.direction,
            finding.months_after_end,
            finding.effect_size,
        )
        for finding in first.findings.all()
    ] == [
        ("mental-health", "Fewer behaviour problems", "", "no effect", None, Decimal("-0.05")),
        (
            "school",
            "Improved reading",
            "A 9.18-point improvement on a reading test.",
            "favourable",
            12,
            Decimal("0.35"),
        ),
    ]
    assert (second.design, second.level, second.counts_towards_rating) == ("qed", 1, False)
    assert (second.year, second.sample_intervention, second.independent) == (None, None, True)
    assert list(second.findings.all()) == []
    for record in [first, second, *first.findings.all()]:
        record.full_clean()


def test_the_interventions_evidence_columns_follow_the_imported_studies(tmp_path, years):
    version = years.version
    run(
        csv_file(
            tmp_path,
            line(),
            no_finding(study="2", design="qed", country="Scotland", independent="true"),
            no_finding(study="3", design="pre-post", counts_towards_rating="false"),
        )
    )
    years.refresh_from_db()
    assert (years.study_count, years.counting_study_count) == (3, 2)
    assert (years.independent_study_count, years.uk_study_count) == (1, 2)
    assert years.counting_designs == ["rct", "qed"]
    assert (years.uk_tested, years.ethnicity_reported, years.long_term_finding) == (
        True,
        True,
        True,
    )
    # An editor's form opened before the import is now stale.
    assert years.version == version + 1
    latest = years.history.first()
    assert (latest.history_change_reason, latest.version) == ("CSV import", version + 1)


@pytest.mark.parametrize(
    ("cells", "stored"),
    [
        ({"design": "RCT", "level": "2", "counts_towards_rating": "YES"}, ("rct", 2, True)),
        (
            {
                "design": "Cluster randomised trial",
                "level": "Below 2",
                "counts_towards_rating": "1",
            },
            ("cluster-rct", 1, True),
        ),
        ({"design": "QED", "level": "NL2", "counts_towards_rating": "no"}, ("qed", 1, False)),
        (
            {"design": "Pre-post", "level": "level 4", "counts_towards_rating": "0"},
            ("pre-post", 4, False),
        ),
        ({"design": "other", "level": " 3 ", "counts_towards_rating": ""}, ("other", 3, False)),
    ],
)
def test_the_spellings_the_import_accepts(tmp_path, years, cells, stored):
    run(csv_file(tmp_path, line(**cells)))
    study = Study.objects.get()
    assert (study.design, study.level, study.counts_towards_rating) == stored


@pytest.mark.parametrize("direction", ["No effect", "no-effect", "NO  EFFECT"])
def test_a_direction_is_read_without_case_or_hyphens(tmp_path, years, direction):
    run(csv_file(tmp_path, line(direction=direction)))
    assert Finding.objects.get().direction == "no effect"


def test_the_optional_columns_set_the_rest_of_a_study_and_its_findings(tmp_path, years):
    cells = {
        "registry_ids": "ISRCTN123; NCT0456",
        "rating_note": "A well-run trial.",
        "population_ages": "3 to 5 years",
        "population_need": "Targeted",
        "measures": "Reading test",
        "limitations": "Attrition of 20%.\nNo blinding.",
        "measure": "York reading test",
        "improvement_index": "-12",
    }
    run(csv_file(tmp_path, line(**cells), header=FULL_HEADER))
    study = Study.objects.get()
    finding = study.findings.get()
    assert (study.registry_ids, study.rating_note, study.limitations) == (
        "ISRCTN123; NCT0456",
        "A well-run trial.",
        "Attrition of 20%.\nNo blinding.",
    )
    assert (study.population_ages, study.population_need, study.measures) == (
        "3 to 5 years",
        "Targeted",
        "Reading test",
    )
    assert (finding.measure, finding.improvement_index) == ("York reading test", -12)


def test_a_study_in_the_file_is_updated_and_gets_exactly_its_findings(tmp_path, fnp, outcomes):
    first, second = fnp.studies.order_by("number")
    kept_second = Study.objects.filter(pk=second.pk).values().get()
    second_findings = list(second.findings.values())
    version = fnp.version
    renamed = {
        "intervention": "fnp",
        "study": "1",
        "citation": "Olds, D. (1997). Renamed.",
        "country": "USA",
    }
    path = csv_file(
        tmp_path,
        line(**renamed),
        line(**renamed, outcome="crime", sub_outcome="Fewer arrests"),
    )
    out, _ = run(path)
    assert out == "Created 0 studies, updated 1, left 0 unchanged.\n"
    first.refresh_from_db()
    assert (first.citation, first.country) == ("Olds, D. (1997). Renamed.", "USA")
    assert [(finding.outcome.slug, finding.sub_outcome) for finding in first.findings.all()] == [
        ("school", "Improved reading"),
        ("crime", "Fewer arrests"),
    ]
    # Columns the file does not carry are cleared, as the interventions import does.
    assert first.limitations == ""
    # Studies the file does not name, and their findings, are left alone.
    assert Study.objects.filter(pk=second.pk).values().get() == kept_second
    assert list(second.findings.values()) == second_findings
    fnp.refresh_from_db()
    assert fnp.version == version + 1
    assert (fnp.study_count, fnp.uk_study_count, fnp.uk_tested) == (2, 0, False)
    assert first.history.first().history_change_reason == "CSV import"


def test_a_study_whose_findings_are_dropped_keeps_none(tmp_path, fnp):
    run(csv_file(tmp_path, no_finding(intervention="fnp", study="1")))
    assert not Finding.objects.filter(study__number=1, study__intervention=fnp).exists()
    deleted = Finding.history.filter(history_type="-")
    assert [record.history_change_reason for record in deleted] == ["CSV import", "CSV import"]


def test_a_file_imported_twice_changes_nothing_the_second_time(tmp_path, years, fnp):
    path = csv_file(
        tmp_path,
        line(outcome="crime"),
        line(),
        line(outcome="mental-health", sub_outcome="Calmer", direction="no effect"),
        no_finding(intervention="fnp", study="2", design="qed"),
    )
    run(path)
    before, history = snapshot(), Finding.history.count()
    out, _ = run(path)
    assert out == "Created 0 studies, updated 0, left 2 unchanged.\n"
    assert snapshot() == before
    assert Finding.history.count() == history


def test_dry_run_reports_what_would_change_and_writes_nothing(tmp_path, years, fnp):
    before = snapshot()
    path = csv_file(tmp_path, line(), line(study="2"), line(intervention="fnp", study="1"))
    out, _ = run(path, "--dry-run")
    assert out == (
        "Would create 2 studies, would update 1, left 0 unchanged.\nDry run: nothing was written.\n"
    )
    assert snapshot() == before


def test_the_service_reports_the_studies_it_creates_and_updates(years, fnp):
    data = csv_bytes(line(), line(intervention="fnp", study="1"))
    preview = import_studies(data=data, dry_run=True)
    assert (preview.ok, preview.created, preview.updated, preview.unchanged) == (
        True,
        ["incredible-years study 1"],
        ["fnp study 1"],
        0,
    )
    assert not Study.objects.filter(intervention=years).exists()


# Bad files: each is refused whole, with the row and column of every error.

NEW = line()
UPDATE = line(intervention="fnp", study="1", citation="Changed.")
TOO_LONG = "x" * 201

BAD_ROWS = {
    "unknown intervention": (
        line(intervention="nope"),
        "row 3, column intervention: unknown intervention: “nope”",
    ),
    "no intervention": (line(intervention=""), "row 3, column intervention: an intervention slug"),
    "unknown outcome": (
        line(study="3", outcome="reading"),
        "row 3, column outcome: unknown outcome",
    ),
    "finding without an outcome": (
        line(study="3", outcome=""),
        "row 3, column outcome: an outcome slug is required",
    ),
    "unknown design": (
        line(study="3", design="rtc"),
        "row 3, column design: “rtc” is not a design; use rct, cluster-rct, qed, pre-post, other",
    ),
    "no design": (line(study="3", design=""), "row 3, column design: a design (rct, "),
    "unknown level": (
        line(study="3", level="5"),
        "row 3, column level: “5” is not a level; use 2, 3, 4 or below 2",
    ),
    "unknown direction": (
        line(study="3", direction="positive"),
        "row 3, column direction: “positive” is not a direction; use favourable, no effect, "
        "unfavourable",
    ),
    "no direction": (
        line(study="3", direction=""),
        "row 3, column direction: a direction (favourable, ",
    ),
    "boolean": (
        line(study="3", independent="maybe"),
        "row 3, column independent: “maybe” is not true or false",
    ),
    "rows of one study that disagree": (
        line(design="qed"),
        "row 3, column design: “qed” here but “rct” on row 2, this study's first row",
    ),
    "study number not a number": (line(study="one"), "row 3, column study: “one” is not a whole"),
    "no study number": (line(study=""), "row 3, column study: a study number is required"),
    "study number zero": (line(study="0"), "row 3, column study: Studies are numbered from 1."),
    "negative sample": (
        line(study="3", sample_intervention="-4"),
        "row 3, column sample_intervention: Ensure this value is greater than or equal to 0.",
    ),
    "sample not a number": (
        line(study="3", sample_comparison="about 60"),
        "row 3, column sample_comparison: “about 60” is not a whole number",
    ),
    "year not a number": (line(study="3", year="2004a"), "row 3, column year: “2004a” is not"),
    "negative year": (line(study="3", year="-2004"), "row 3, column year: Ensure this value is"),
    "negative months": (
        line(study="3", months_after_end="-1"),
        "row 3, column months_after_end: Ensure this value is greater than or equal to 0.",
    ),
    "effect size not a number": (
        line(study="3", effect_size="large"),
        "row 3, column effect_size: “large” is not a number",
    ),
    "effect size not finite": (line(study="3", effect_size="NaN"), "row 3, column effect_size"),
    "effect size too precise": (
        line(study="3", effect_size="0.125"),
        "row 3, column effect_size: Ensure that there are no more than 2 decimal places.",
    ),
    "empty citation": (line(study="3", citation=""), "row 3, column citation: This field cannot"),
    "empty sub-outcome": (
        line(study="3", sub_outcome=""),
        "row 3, column sub_outcome: This field cannot be blank.",
    ),
    "too long a DOI": (
        line(study="3", doi=TOO_LONG),
        "row 3, column doi: Ensure this value has at most 200 characters (it has 201).",
    ),
    "too long a country": (line(study="3", country=TOO_LONG[:101]), "row 3, column country: "),
    "too long a sub-outcome": (line(study="3", sub_outcome=TOO_LONG), "row 3, column sub_outcome"),
    "NUL character": (
        line(study="3", citation="Author\x00, A."),
        "row 3, column citation: this cell holds a NUL character",
    ),
    "more cells than the header": (
        {**line(study="3"), "extra": "x"},
        "row 3: this row has more cells than the header",
    ),
}


def bad_file(row: dict[str, str]) -> bytes:
    data = csv_bytes(NEW, row, UPDATE)
    if "extra" in row:
        # A row one cell longer than the header.
        lines = data.split(b"\r\n")
        lines[2] += b",x"
        data = b"\r\n".join(lines)
    return data


@pytest.mark.parametrize(("row", "error"), BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_one_bad_row_among_good_rows_writes_nothing(tmp_path, years, fnp, row, error):
    before = snapshot()
    path = tmp_path / "studies.csv"
    path.write_bytes(bad_file(row))
    message, err = refused(path)
    assert message == "studies.csv was not imported: 1 error. Nothing was written."
    assert err.startswith(f"studies.csv: {error}")
    assert snapshot() == before


def test_every_error_in_the_file_is_listed_in_row_and_column_order(tmp_path, years, fnp):
    before = snapshot()
    path = csv_file(
        tmp_path,
        line(level="7", design="trial"),
        line(intervention="fnp", study="1", sample_comparison="-3"),
        line(intervention="fnp", study="1", sample_comparison="-3", citation="Other", outcome="no"),
        no_finding(intervention="nope", study="x", doi=TOO_LONG),
    )
    message, err = refused(path)
    assert message == "studies.csv was not imported: 8 errors. Nothing was written."
    assert [line.split(": ")[1] for line in err.splitlines()] == [
        "row 2, column design",
        "row 2, column level",
        "row 3, column sample_comparison",
        "row 4, column citation",
        "row 4, column outcome",
        "row 5, column intervention",
        "row 5, column study",
        "row 5, column doi",
    ]
    assert snapshot() == before


def test_a_file_that_is_not_utf8_is_rejected_with_the_row_of_the_bad_byte(tmp_path, years, fnp):
    before = snapshot()
    path = tmp_path / "studies.csv"
    path.write_bytes(
        csv_bytes(line(), line(study="2", citation="Lévy, C. (2010).")).decode().encode("latin-1")
    )
    _, err = refused(path)
    assert err.startswith("studies.csv: row 3: the file is not UTF-8 text")
    assert "save it as “CSV UTF-8”" in err
    assert snapshot() == before


@pytest.mark.parametrize("column", ["intervention", "study", "citation", "direction", "doi"])
def test_a_file_missing_a_required_column_is_rejected(tmp_path, years, fnp, column):
    before = snapshot()
    header = ",".join(name for name in HEADER.split(",") if name != column)
    _, err = refused(csv_file(tmp_path, line(), header=header))
    assert (
        err == f"studies.csv: row 1, column {column}: this column is missing from the header row\n"
    )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "row 1: the file is empty; it needs a header row"),
        (HEADER.encode() + b"\r\n", "row 2: the file has a header but no rows"),
        (
            csv_bytes(line(citation="x" * 200_000)),
            "row 2: this row cannot be read: a cell is longer than",
        ),
    ],
    ids=["empty", "header only", "unreadable cell"],
)
def test_a_file_with_nothing_to_import_is_rejected(tmp_path, years, content, message):
    path = tmp_path / "studies.csv"
    path.write_bytes(content)
    _, err = refused(path)
    assert err.startswith(f"studies.csv: {message}")
    assert not Study.objects.exists()


def test_a_file_that_cannot_be_read_is_a_command_error(tmp_path, db):
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "missing.csv")


# The export, and the round trip.


@pytest.fixture
def awkward(fnp, years, outcomes):
    """Studies whose cells a careless export or import would change."""
    study = StudyFactory(
        intervention=years,
        citation='=HYPERLINK("http://example.org"), with a comma',
        doi="@doi",
        country="UK; =cmd",
        ethnicity='-1 "quoted"\nand a second line',
        registry_ids="ISRCTN1;NCT2",
        limitations="'+already quoted",
        sample_comparison=None,
        year=None,
        level=StudyLevel.BELOW_2,
        design=StudyDesign.CLUSTER_RCT,
    )
    FindingFactory(
        study=study,
        outcome=outcomes["crime"],
        effect_size=Decimal("-0.40"),
        improvement_index=-15,
        months_after_end=None,
        statement="+5 points",
        direction="unfavourable",
    )
    FindingFactory(study=study, outcome=outcomes["mental-health"], effect_size=Decimal("1.5"))
    FindingFactory(study=study, outcome=outcomes["crime"], sub_outcome="Fewer cautions")
    # A study with no findings at all.
    StudyFactory(intervention=years, counts_towards_rating=False, independent=True)


def test_the_export_writes_one_row_a_finding_in_the_import_format(awkward):
    data = export()
    rows = list(csv.DictReader(io.StringIO(data.decode(), newline="")))
    assert data.startswith(f'"{FULL_HEADER.replace(",", chr(34) + "," + chr(34))}"\r\n'.encode())
    assert len(rows) == Finding.objects.count() + 2  # The two studies with no findings.
    first = next(row for row in rows if row["citation"].startswith("'="))
    assert first["citation"] == '\'=HYPERLINK("http://example.org"), with a comma'
    assert (first["level"], first["design"], first["year"]) == ("below 2", "cluster-rct", "")
    assert first["country"] == "UK;' =cmd"
    assert (first["outcome"], first["effect_size"], first["improvement_index"]) == (
        "mental-health",
        "1.50",
        "",
    )
    empty = [row for row in rows if not row["outcome"]]
    assert len(empty) == 2
    assert all(not row["sub_outcome"] and not row["direction"] for row in empty)


def test_an_export_imports_back_unchanged_and_exports_the_same_bytes(awkward, tmp_path):
    before = snapshot()
    path = tmp_path / "export.csv"
    call_command("export_studies", str(path))
    assert path.read_bytes() == export()
    out, _ = run(path)
    assert out == f"Created 0 studies, updated 0, left {Study.objects.count()} unchanged.\n"
    assert snapshot() == before
    assert export() == path.read_bytes()


def test_an_export_loaded_into_a_site_without_studies_gives_them_back(awkward, tmp_path):
    path = tmp_path / "export.csv"
    call_command("export_studies", str(path))
    counts = dict(Intervention.objects.values_list("slug", "study_count"))
    Study.objects.all().delete()
    out, _ = run(path)
    assert out == "Created 4 studies, updated 0, left 0 unchanged.\n"
    assert export() == path.read_bytes()
    assert dict(Intervention.objects.values_list("slug", "study_count")) == counts
    assert Study.objects.filter(findings__isnull=True).count() == 2


# The admin.


def upload(data: bytes, name: str = "studies.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def error_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    (table,) = [
        table
        for table in parse(response).find_all("table")
        if [heading.text for heading in table.find_all("th")] == ["Row", "Column", "Problem"]
    ]
    return [[cell.text for cell in row.find_all("td")] for row in table.find_all("tr")[1:]]


def confirm_form(response) -> dict:
    (form,) = [
        form for form in parse(response).find_all("form") if form.find_all("input", name="confirm")
    ]
    return {**form_data(form), "confirm": "Confirm import"}


def test_the_import_is_linked_from_the_interventions_list(editor, db):
    page = parse(editor.get(reverse("admin:catalogue_intervention_changelist")))
    assert reverse(IMPORT) in [link.attrs.get("href") for link in page.find_all("a")]


def test_an_editor_previews_the_file_then_confirms_it(editor, years, fnp):
    before = snapshot()
    data = csv_bytes(line(), line(outcome="crime"), line(intervention="fnp", study="2"))
    response = editor.post(reverse(IMPORT), {"file": upload(data)})
    assert response.status_code == 200
    text = parse(response).text
    assert "This file would create 1 study, update 1 and leave 0 unchanged." in text
    assert "incredible-years study 1" in text
    assert snapshot() == before

    response = editor.post(reverse(IMPORT), confirm_form(response))
    assert response.status_code == 302
    assert response.url == reverse("admin:catalogue_intervention_changelist")
    assert messages(editor.get(response.url)) == [
        "Imported studies: 1 created, 1 updated, 0 unchanged."
    ]
    study = Study.objects.get(intervention=years)
    assert study.findings.count() == 2
    assert Study.objects.get(intervention=fnp, number=2).findings.count() == 1
    created = study.history.get()
    assert (created.history_change_reason, created.history_user.is_staff) == ("CSV import", True)
    assert catalogue_admin.default_storage.listdir(catalogue_admin.IMPORT_FOLDER)[1] == []


def test_a_bad_file_is_shown_by_row_and_column_and_cannot_be_confirmed(editor, years, fnp):
    before = snapshot()
    data = csv_bytes(line(), line(design="qed"), line(study="2", direction="up"))
    response = editor.post(reverse(IMPORT), {"file": upload(data)})
    assert [row[:2] for row in error_rows(response)] == [["3", "design"], ["4", "direction"]]
    assert parse(response).find_all("input", name="confirm") == []
    assert snapshot() == before


def test_a_confirmed_import_cannot_be_confirmed_again(editor, years):
    response = editor.post(reverse(IMPORT), {"file": upload(csv_bytes(line()))})
    confirm = confirm_form(response)
    editor.post(reverse(IMPORT), confirm, follow=True)
    response = editor.post(reverse(IMPORT), confirm, follow=True)
    assert messages(response) == [
        "That import has expired or was already done; upload the file again."
    ]
    assert Study.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"not a spreadsheet", "studies.xlsx", "Choose a .csv file."),
        (
            csv_bytes(line(citation="Lévy")).decode().encode("latin-1"),
            "studies.csv",
            "Row 2: the file is not UTF-8 text (byte ",
        ),
        (b"", "studies.csv", "The submitted file is empty."),
    ],
    ids=["not csv", "not utf-8", "empty"],
)
def test_a_bad_upload_is_a_form_error(editor, years, data, name, message):
    response = editor.post(reverse(IMPORT), {"file": upload(data, name)})
    assert response.status_code == 200
    (error,) = error_messages(response)
    assert error.startswith(message)
    assert not Study.objects.exists()


def test_a_file_too_large_for_the_admin_is_a_form_error(editor, years, monkeypatch):
    monkeypatch.setattr(catalogue_admin, "IMPORT_MAX_BYTES", 100)
    response = editor.post(reverse(IMPORT), {"file": upload(csv_bytes(line()))})
    (error,) = error_messages(response)
    assert error.startswith("The file is larger than")
    assert not Study.objects.exists()


def test_a_file_of_more_rows_than_the_admin_imports_is_a_form_error(editor, years, monkeypatch):
    monkeypatch.setattr(catalogue_admin, "IMPORT_MAX_ROWS", 2)
    data = csv_bytes(line(), line(study="2"), line(study="3"))
    (error,) = error_messages(editor.post(reverse(IMPORT), {"file": upload(data)}))
    assert error.startswith("The file has 3 rows; the admin imports at most 2 at a time.")
    assert "import_studies" in error


def test_staff_without_the_study_permissions_are_sent_away(user_factory, years, client):
    client.force_login(user_factory(is_staff=True))
    response = client.post(reverse(IMPORT), {"file": upload(csv_bytes(line()))})
    assert response.status_code == 302
    assert not Study.objects.exists()


def test_a_confirm_the_cache_cannot_be_told_of_writes_nothing_and_keeps_the_file(
    editor, years, monkeypatch
):
    response = editor.post(reverse(IMPORT), {"file": upload(csv_bytes(line()))})
    confirm = confirm_form(response)

    def unavailable():
        raise CacheUnavailable(CacheUnavailable.message)

    monkeypatch.setattr(services, "announce_change", unavailable)
    response = editor.post(reverse(IMPORT), confirm)
    assert response.status_code == 200
    assert CacheUnavailable.message in parse(response).text
    assert not Study.objects.exists()
    monkeypatch.undo()
    assert editor.post(reverse(IMPORT), confirm_form(response)).status_code == 302
    assert Study.objects.count() == 1
