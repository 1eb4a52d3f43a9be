"""Bulk import from a CSV file (`manage.py import_interventions`): create or update by slug,
all rows or none, every error by row and column, and an export that imports back unchanged."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from catalogue.models import Intervention, OutcomeEvidence
from catalogue.services import import_interventions
from editors.services import set_published
from tests.support.factories import StudyFactory
from tests.support.guidebook import guidebook_url, parse_csv

HEADER = "name,slug,summary,evidence_rating,mixed_findings,cost_rating,outcomes"
FULL_HEADER = HEADER + ",provider,website,age_groups,setting,delivery_model,level_of_need,country"


@pytest.fixture
def outcomes(child_outcome_factory) -> dict:
    return {
        outcome.slug: outcome
        for outcome in [
            child_outcome_factory(name="Mental health", position=1),
            child_outcome_factory(name="Maltreatment", position=2),
            child_outcome_factory(name="School", position=3),
        ]
    }


@pytest.fixture
def existing(intervention_factory, outcomes):
    """An intervention already in the guidebook, which good rows of a file update."""
    intervention = intervention_factory(
        name="Family Nurse Partnership",
        slug="fnp",
        summary="Home visits by a nurse.",
        description="Written by an editor; not in the spreadsheet.",
        evidence_rating=30,
        cost_rating=4,
        outcomes=[(outcomes["mental-health"], "Less anxiety at two years.")],
    )
    return intervention


def csv_file(tmp_path: Path, *lines: str, header: str = HEADER, encoding="utf-8") -> Path:
    path = tmp_path / "interventions.csv"
    path.write_bytes("\r\n".join([header, *lines, ""]).encode(encoding))
    return path


def run(path: Path, *options: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_interventions", str(path), *options, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot() -> tuple[list[dict], list[tuple]]:
    """Every intervention and outcome link as stored, to show nothing changed."""
    return (
        list(Intervention.objects.order_by("slug").values()),
        list(
            OutcomeEvidence.objects.order_by("content_object__slug", "tag__slug").values_list(
                "content_object__slug", "tag__slug", "impact"
            )
        ),
    )


def test_new_rows_are_created_unpublished_with_every_column(tmp_path, outcomes):
    path = csv_file(
        tmp_path,
        "Incredible Years,incredible-years,A group for parents.,4+,true,2,"
        "school;mental-health,IY Ltd,https://iy.example.org/,3-5;6-11,school;community,"
        "group,universal,United States",
        "Unrated programme,unrated,Not yet assessed.,,false,,,,,,,,,",
        header=FULL_HEADER,
    )
    out, _ = run(path)
    assert out == "Created 2, updated 0, left 0 unchanged.\n"
    years = Intervention.objects.get(slug="incredible-years")
    assert (years.name, years.summary) == ("Incredible Years", "A group for parents.")
    assert (years.evidence_rating, years.mixed_findings, years.cost_rating) == (45, True, 2)
    assert sorted(years.outcomes.slugs()) == ["mental-health", "school"]
    assert (years.provider, years.website, years.country) == (
        "IY Ltd",
        "https://iy.example.org/",
        "United States",
    )
    assert years.age_groups == ["3-5", "6-11"]
    assert years.setting == ["school", "community"]
    assert (years.delivery_model, years.level_of_need) == (["group"], ["universal"])
    assert not years.published
    unrated = Intervention.objects.get(slug="unrated")
    assert (unrated.evidence_rating, unrated.cost_rating, unrated.mixed_findings) == (
        None,
        None,
        False,
    )
    assert list(unrated.outcomes.all()) == []
    for intervention in (years, unrated):
        intervention.full_clean()


def test_publish_option_publishes_new_rows_from_today(tmp_path, outcomes):
    run(csv_file(tmp_path, "Incredible Years,incredible-years,Groups.,,false,2,"), "--publish")
    years = Intervention.objects.get()
    assert years.published
    assert years.first_published == timezone.localdate()


def test_publish_option_leaves_a_rated_row_unpublished_until_its_studies_come(tmp_path, outcomes):
    """A new intervention has no studies, so one rated 2 or above cannot be published yet;
    the rest of the file is imported and the output says which waited and why."""
    out, _ = run(
        csv_file(
            tmp_path,
            "Incredible Years,incredible-years,Groups.,3,false,2,",
            "Not Rated Yet,not-rated-yet,Groups.,,false,2,",
            "Below Two,below-two,Groups.,NL2,false,2,",
        ),
        "--publish",
    )
    stored = dict(Intervention.objects.values_list("slug", "published"))
    assert stored == {"incredible-years": False, "not-rated-yet": True, "below-two": True}
    assert Intervention.objects.get(slug="incredible-years").first_published is None
    assert "Left 1 new intervention(s) unpublished" in out
    assert "Incredible Years is rated 3 but has no study that counts towards its rating" in out


@pytest.mark.parametrize(
    ("mixed", "evidence", "cost", "stored"),
    [
        ("yes", "3", "1", (True, 30, 1)),
        ("1", "2+", "5", (True, 25, 5)),
        ("TRUE", "4", "na", (True, 40, 9)),
        ("no", "nl2", "NA", (False, 10, 9)),
        ("0", "NE", "3", (False, 5, 3)),
        ("", "", "", (False, None, None)),
    ],
)
def test_the_spellings_design_md_accepts(tmp_path, outcomes, mixed, evidence, cost, stored):
    run(csv_file(tmp_path, f"Name,a-slug,A summary.,{evidence},{mixed},{cost},"))
    intervention = Intervention.objects.get()
    assert (
        intervention.mixed_findings,
        intervention.evidence_rating,
        intervention.cost_rating,
    ) == (stored)


def test_a_file_saved_by_a_spreadsheet_with_a_byte_order_mark_is_read(tmp_path, outcomes):
    path = csv_file(tmp_path, "Safe Steps,safe-steps,Support.,2,false,1,school")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    run(path)
    assert Intervention.objects.get().slug == "safe-steps"


def test_rows_are_matched_by_slug_and_updated(tmp_path, existing, intervention_factory):
    untouched = intervention_factory(name="Untouched", slug="untouched")
    before = Intervention.objects.get(slug="untouched").updated
    path = csv_file(
        tmp_path,
        "Family Nurse Partnership (FNP),fnp,Home visits by a nurse.,4,false,4,mental-health;school",
        "Untouched,untouched,What Untouched offers children and families.,3,false,3,",
        "Brand new,brand-new,New.,2,false,1,",
    )
    out, _ = run(path)
    assert out == "Created 1, updated 1, left 1 unchanged.\n"
    existing.refresh_from_db()
    assert existing.name == "Family Nurse Partnership (FNP)"
    assert existing.evidence_rating == 40
    assert sorted(existing.outcomes.slugs()) == ["mental-health", "school"]
    # Fields the spreadsheet does not hold, and the published flag, are left alone.
    assert existing.description == "Written by an editor; not in the spreadsheet."
    assert existing.published
    assert Intervention.objects.get(slug="untouched").updated == before
    assert untouched.pk == Intervention.objects.get(slug="untouched").pk
    assert Intervention.objects.count() == 3


def test_impact_texts_of_kept_outcomes_survive_a_reimport(tmp_path, existing):
    run(csv_file(tmp_path, "FNP,fnp,Home visits.,3,false,4,school;mental-health"))
    links = dict(existing.outcome_links.values_list("tag__slug", "impact"))
    assert links == {"mental-health": "Less anxiety at two years.", "school": ""}
    run(csv_file(tmp_path, "FNP,fnp,Home visits.,3,false,4,school"))
    assert dict(existing.outcome_links.values_list("tag__slug", "impact")) == {"school": ""}


def test_dry_run_reports_what_would_change_and_writes_nothing(tmp_path, existing):
    before = snapshot()
    path = csv_file(
        tmp_path,
        "FNP renamed,fnp,Home visits by a nurse.,3,false,4,mental-health",
        "Brand new,brand-new,New.,2,false,1,",
        "Another,another,New.,2,false,1,",
    )
    out, _ = run(path, "--dry-run")
    assert (
        out == "Would create 2, would update 1, left 0 unchanged.\nDry run: nothing was written.\n"
    )
    assert snapshot() == before


def test_the_service_reports_created_and_updated_slugs(tmp_path, existing):
    data = b"\r\n".join(
        [
            HEADER.encode(),
            b"FNP,fnp,Home visits by a nurse.,3,false,4,mental-health",
            b"Brand new,brand-new,New.,2,false,1,",
        ]
    )
    preview = import_interventions(data=data, dry_run=True)
    assert (preview.ok, preview.created, preview.updated, preview.unchanged) == (
        True,
        ["brand-new"],
        ["fnp"],
        0,
    )
    assert not Intervention.objects.filter(slug="brand-new").exists()
    result = import_interventions(data=data)
    assert (result.created, result.updated) == (["brand-new"], ["fnp"])
    assert Intervention.objects.filter(slug="brand-new").exists()


GOOD_NEW = "Brand new,brand-new,A new programme.,2,false,1,school"
GOOD_UPDATE = "FNP renamed,fnp,Home visits by a nurse.,4,false,2,maltreatment"

BAD_ROWS = {
    "unknown evidence rating": (
        "Bad,bad,Summary.,5,false,1,",
        "row 3, column evidence_rating: “5” is not an evidence rating",
    ),
    "unknown cost rating": (
        "Bad,bad,Summary.,3,false,6,",
        "row 3, column cost_rating: “6” is not a cost rating",
    ),
    "unknown outcome": (
        "Bad,bad,Summary.,3,false,1,school;no-such",
        "row 3, column outcomes: unknown outcome: no-such",
    ),
    "missing name": (",bad,Summary.,3,false,1,", "row 3, column name: a name is required"),
    "missing summary": ("Bad,bad,,3,false,1,", "row 3, column summary: a summary is required"),
    "duplicate slug": (
        "Bad,brand-new,Summary.,3,false,1,",
        "row 3, column slug: “brand-new” is also used on row 2",
    ),
    "not a slug": ("Bad,Not a slug!,Summary.,3,false,1,", "row 3, column slug: “Not a slug!”"),
    "reserved slug": (
        "Bad,other-programmes,Summary.,3,false,1,",
        "row 3, column slug: “other-programmes” is the address of another page",
    ),
    "star on unrated": (
        "Bad,bad,Summary.,,true,1,",
        "row 3, column mixed_findings: only a rating of 2 to 4+ can have mixed findings",
    ),
    "star on NL2": (
        "Bad,bad,Summary.,NL2,true,1,",
        "row 3, column mixed_findings: only a rating of 2 to 4+ can have mixed findings",
    ),
    "star neither true nor false": (
        "Bad,bad,Summary.,3,maybe,1,",
        "row 3, column mixed_findings: “maybe” is not true or false",
    ),
    "more cells than the header": (
        "Bad,bad,Summary.,3,false,1,,extra",
        "row 3: this row has more cells than the header",
    ),
}


@pytest.mark.parametrize(("line", "error"), BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_one_bad_row_among_good_rows_writes_nothing(tmp_path, existing, line, error):
    before = snapshot()
    path = csv_file(tmp_path, GOOD_NEW, line, GOOD_UPDATE)
    with pytest.raises(CommandError) as raised:
        run(path)
    assert str(raised.value) == "interventions.csv was not imported: 1 error. Nothing was written."
    assert raised.value.returncode == 1
    assert snapshot() == before


@pytest.mark.parametrize(("line", "error"), BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_each_error_names_its_row_and_column(tmp_path, outcomes, line, error):
    data = "\r\n".join([HEADER, GOOD_NEW, line, ""]).encode()
    result = import_interventions(data=data)
    assert not result.ok
    assert [str(problem) for problem in result.errors][0].startswith(error)
    assert len(result.errors) == 1


def test_errors_are_listed_on_standard_error_by_row_and_column(tmp_path, existing):
    path = csv_file(tmp_path, GOOD_NEW, "Bad,bad,Summary.,5,false,1,")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_interventions", str(path), stdout=StringIO(), stderr=err)
    assert err.getvalue().startswith(
        "interventions.csv: row 3, column evidence_rating: “5” is not an evidence rating"
    )


def test_every_error_in_the_file_is_listed_not_just_the_first(tmp_path, existing):
    before = snapshot()
    path = csv_file(
        tmp_path,
        ",no-name,Summary.,3,false,1,",
        GOOD_NEW,
        "Two,two,Summary.,9,false,7,nowhere",
    )
    err = StringIO()
    with pytest.raises(CommandError, match="4 errors"):
        call_command("import_interventions", str(path), stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert [line.split(":")[1].strip() for line in lines] == [
        "row 2, column name",
        "row 4, column evidence_rating",
        "row 4, column cost_rating",
        "row 4, column outcomes",
    ]
    assert snapshot() == before


def test_a_file_that_is_not_utf8_is_rejected_with_the_row_of_the_bad_byte(tmp_path, existing):
    before = snapshot()
    path = csv_file(tmp_path, GOOD_NEW, "Café Familles,cafe,Résumé.,3,false,1,", encoding="latin-1")
    with pytest.raises(CommandError, match="Nothing was written"):
        run(path)
    result = import_interventions(data=path.read_bytes())
    (problem,) = result.errors
    assert str(problem).startswith("row 3: the file is not UTF-8 text")
    assert "save it as “CSV UTF-8”" in str(problem)
    assert snapshot() == before


@pytest.mark.parametrize(
    "column", ["name", "slug", "summary", "evidence_rating", "mixed_findings", "cost_rating"]
)
def test_a_file_missing_a_required_column_is_rejected(tmp_path, existing, column):
    before = snapshot()
    header = ",".join(name for name in HEADER.split(",") if name != column)
    path = csv_file(tmp_path, "a,b,c,d,e,f", header=header)
    with pytest.raises(CommandError, match="1 error"):
        run(path)
    (problem,) = import_interventions(data=path.read_bytes()).errors
    assert str(problem) == f"row 1, column {column}: this column is missing from the header row"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "row 1: the file is empty; it needs a header row"),
        (HEADER.encode() + b"\r\n", "row 2: the file has a header but no rows"),
    ],
)
def test_an_empty_file_is_rejected(tmp_path, existing, content, message):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError):
        run(path)
    assert [str(error) for error in import_interventions(data=content).errors] == [message]


def test_a_website_longer_than_the_database_holds_is_a_row_error(tmp_path, existing):
    before = snapshot()
    website = "https://example.org/" + "a" * 200
    path = csv_file(
        tmp_path, GOOD_NEW, f"Long,long,Summary.,3,false,1,,,{website},,,,,", header=FULL_HEADER
    )
    with pytest.raises(CommandError, match="1 error"):
        run(path)
    (problem,) = import_interventions(data=path.read_bytes()).errors
    assert str(problem).startswith("row 3, column website")
    assert snapshot() == before


def test_a_file_that_cannot_be_read_is_a_command_error(tmp_path, db):
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "missing.csv")


def test_a_large_file_reports_its_progress(tmp_path, outcomes):
    lines = [f"Programme {n},programme-{n},Summary {n}.,3,false,2,school" for n in range(1200)]
    _, err = run(csv_file(tmp_path, *lines), "--dry-run")
    assert "Checked 1,000 of 1,200 rows" in err
    assert "Checked 1,200 of 1,200 rows" in err
    assert not Intervention.objects.exists()


def both_exports(client) -> bytes:
    """The guidebook's own rows and, after them, the other programmes (NL2 and NE)."""
    main = b"".join(client.get(guidebook_url("format=csv")).streaming_content)
    other = b"".join(
        client.get(guidebook_url("evidence=nl2&evidence=ne&format=csv")).streaming_content
    )
    return main + other.split(b"\r\n", 1)[1]


@pytest.fixture
def awkward(intervention_factory, guidebook_outcomes):
    """Interventions whose cells a careless export or import would change."""
    crime, school = guidebook_outcomes["preventing-crime"], guidebook_outcomes["school-achievement"]
    formula = intervention_factory(
        name="=Formula, with a comma",
        slug="formula",
        summary='-1 to start; "quoted"\nand a second line',
        provider="@provider",
        website="https://example.org/a?b=c&d=e",
        evidence_rating=35,
        mixed_findings=True,
        cost_rating=9,
        outcomes=[(school, "Better attendance."), crime],
        age_groups=["0-2", "3-5"],
        setting=["home", "school"],
        delivery_model=["family", "online"],
        level_of_need=["universal", "targeted-indicated"],
        country="Wales",
        last_reviewed=datetime.date(2024, 3, 5),
    )
    apostrophe = intervention_factory(
        name="'=Apostrophe first",
        slug="apostrophe",
        summary="'+already quoted",
        provider="''two apostrophes",
    )
    # The studies their ratings rest on, without which they could not be published again.
    for intervention in (formula, apostrophe):
        StudyFactory(intervention=intervention, citation="=Author, A. (2020); a trial")


def test_an_export_imports_back_with_no_change(generated_guidebook, awkward, visitor, tmp_path):
    before = snapshot()
    exported = both_exports(visitor)
    published = Intervention.objects.filter(published=True).count()
    assert len(parse_csv(exported)) == published
    path = tmp_path / "export.csv"
    path.write_bytes(exported)
    out, _ = run(path)
    assert out == f"Created 0, updated 0, left {published} unchanged.\n"
    assert snapshot() == before


def test_an_import_into_an_empty_guidebook_exports_the_same_bytes(
    generated_guidebook, awkward, visitor, tmp_path
):
    # The public export holds the published interventions: the drafts have no part here,
    # nor those published before studies were recorded, which could not be published anew.
    Intervention.objects.filter(published=False).delete()
    Intervention.objects.filter(
        pk__in=[item.pk for item in Intervention.objects.all() if item.publish_problem()]
    ).delete()
    exported = both_exports(visitor)
    studies = tmp_path / "studies.csv"
    call_command("export_studies", str(studies))
    Intervention.objects.all().delete()
    path = tmp_path / "export.csv"
    path.write_bytes(exported)
    run(path, "--publish")
    # Those rated 2 or above wait, unpublished, for their studies; once these are back
    # they can be published, and every cell (the evidence summary too) is as it was.
    call_command("import_studies", str(studies), stdout=StringIO())
    waiting = Intervention.objects.filter(published=False)
    assert not set_published(queryset=waiting, published=True, user=None).refused
    assert both_exports(visitor) == exported
