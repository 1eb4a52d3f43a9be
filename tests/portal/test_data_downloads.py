"""/data/ as a visitor or a script meets it once its files are built: every file listed
with the licence and a citation, published records only, other clearinghouses' ratings
included, the interventions and studies CSVs importing back into an empty catalogue as
the same records, and a page whose cost does not grow with the catalogue."""

import csv
import datetime
import io
import json
import re

import pytest
from django.core.management import call_command
from django.core.signals import request_finished
from django.db import close_old_connections
from django.urls import reverse

from catalogue.models import Finding, Intervention, OutcomeEvidence, Study
from ratings.crosswalk import Clearinghouse
from ratings.scales import EvidenceRating
from tests.support import factories
from tests.support.pages import parse

FILES = [
    "interventions.csv", "studies.csv", "projects.csv", "organisations.csv",
    "external-ratings.csv", "catalogue.json",
]  # fmt: skip
ORIGIN = "https://council.example.gov.uk"


@pytest.fixture(autouse=True)
def data_root(settings, tmp_path):
    settings.DATA_FILES_ROOT = str(tmp_path / "data")


def build_files() -> str:
    """Build the files as an operator does after a change, and return what it reported."""
    out = io.StringIO()
    call_command("build_data_files", stdout=out)
    return out.getvalue()


def download(client, name: str):
    response = client.get(reverse("portal:data-file", args=[name]))
    assert response.status_code == 200, (name, response.status_code)
    return response, b"".join(response.streaming_content).decode()


def closed(response) -> None:
    """Close a response as a server does once it is sent (the test client leaves the file
    of a HEAD request open), as the test client itself closes one: without the handler
    that would close the test's own database connection."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def csv_rows(client, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(download(client, name)[1])))


@pytest.mark.django_db
def test_data_page_lists_every_file_with_licence_and_citation(client):
    factories.InterventionFactory(slug="listed")
    report = build_files()
    response = client.get(reverse("portal:data"))
    assert response.status_code == 200
    page = parse(response)
    files = page.section("The files").find("table")
    assert [link for link in files.links()] == FILES
    assert "Open Government Licence v3.0" in page.section("Licence").text
    assert "Open Government Licence v3.0" in page.section("How to cite it").text
    for name in FILES:
        assert f"{name}: " in report  # The command says what it built.
        assert page.find("h3", id=name.replace(".", "")).text.startswith(name)
    data = json.loads(
        re.search(
            r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
        )[1]
    )
    assert data["@type"] == "Dataset"
    assert data["license"].startswith("https://www.nationalarchives.gov.uk/doc/open-government")
    assert [file["name"] for file in data["distribution"]] == FILES
    assert all(
        file["contentUrl"].endswith(f"/data/{file['name']}") for file in data["distribution"]
    )


@pytest.mark.django_db
def test_files_hold_published_records_only_nl2_and_ne_included(client):
    factories.InterventionFactory(slug="shown")
    factories.InterventionFactory(slug="weak", evidence_rating=EvidenceRating.BELOW_LEVEL_2)
    factories.InterventionFactory(slug="draft", published=False)
    build_files()
    response, text = download(client, "interventions.csv")
    assert response["Content-Disposition"] == 'attachment; filename="interventions.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    slugs = {row["slug"] for row in csv.DictReader(io.StringIO(text))}
    assert slugs == {"shown", "weak"}
    catalogue = json.loads(download(client, "catalogue.json")[1])
    assert {record["slug"] for record in catalogue["interventions"]} == {"shown", "weak"}


@pytest.mark.django_db
def test_other_clearinghouses_ratings_are_in_a_csv_of_their_own_and_in_the_json(client):
    rated = factories.InterventionFactory(slug="rated")
    cebc = factories.ExternalRatingFactory(intervention=rated)
    wwc = factories.ExternalRatingFactory(
        intervention=rated,
        clearinghouse=Clearinghouse.WWC,
        rating="Potentially positive effects",
        area="",
    )
    factories.ExternalRatingFactory(intervention=factories.InterventionFactory(published=False))
    build_files()

    rows = csv_rows(client, "external-ratings.csv")
    assert [(row["intervention"], row["clearinghouse"], row["rating"]) for row in rows] == [
        ("rated", "cebc", "Well-Supported by Research Evidence"),
        ("rated", "wwc", "Potentially positive effects"),
    ]
    for row, rating in zip(rows, [cebc, wwc], strict=True):
        assert row["url"] == rating.url
        assert row["checked_on"] == rating.checked_on.isoformat()
        assert row["area"] == rating.area
        assert row["tier"] == rating.tier.value
    (record,) = json.loads(download(client, "catalogue.json")[1])["interventions"]
    assert record["external_ratings"] == rows

    dictionary = parse(client.get(reverse("portal:data"))).find("h3", id="external-ratingscsv")
    assert dictionary.text.startswith("external-ratings.csv")
    columns = parse(client.get(reverse("portal:data"))).find_all("caption")
    assert any(caption.text == "The columns of external-ratings.csv" for caption in columns)


@pytest.mark.django_db
def test_the_json_holds_the_published_review_items_with_their_stages(client):
    rated = factories.InterventionFactory(slug="rated")
    item = factories.ReviewItemFactory(name="Assessed", intervention=rated, stage="in-review")
    item.stages.create(stage="screening", entered_on=datetime.date(2026, 1, 5))
    item.stages.create(stage="in-review", entered_on=datetime.date(2026, 3, 2), note="Two RCTs")
    unlinked = factories.ReviewItemFactory(
        name="Waiting", intervention=factories.InterventionFactory(published=False)
    )
    factories.ReviewItemFactory(name="Hidden", published=False).stages.create(
        stage="suggested", entered_on=datetime.date(2026, 2, 1)
    )
    build_files()
    items = json.loads(download(client, "catalogue.json")[1])["review_items"]
    assert [record["name"] for record in items] == ["Assessed", "Waiting"]
    assert items[0]["intervention"] == "rated" and items[0]["stage"] == "in-review"
    assert items[0]["stages"] == [
        {"stage": "screening", "entered_on": "2026-01-05", "note": ""},
        {"stage": "in-review", "entered_on": "2026-03-02", "note": "Two RCTs"},
    ]
    # A draft intervention is not named, and an item with no history has an empty one.
    assert items[1]["id"] == unlinked.pk
    assert items[1]["intervention"] is None and items[1]["stages"] == []


@pytest.mark.django_db
def test_unknown_or_unlisted_file_names_are_404(client):
    build_files()
    for name in ["secrets.csv", "manifest.json", "catalogue.JSON", "interventions.csv.bak"]:
        assert client.get(reverse("portal:data-file", args=[name])).status_code == 404, name
    for path in ["/data/%00", "/data/..%2Fmanifest.json", "/data/interventions.csv/"]:
        assert client.get(path).status_code == 404, path


@pytest.mark.django_db
def test_a_head_request_answers_the_headers_without_the_file(client):
    factories.InterventionFactory()
    build_files()
    url = reverse("portal:data-file", args=["interventions.csv"])
    full, text = download(client, "interventions.csv")
    head = client.head(url)
    closed(head)
    assert head.status_code == 200
    assert b"".join(head.streaming_content) == b""
    for header in ["Content-Type", "Content-Length", "Content-Disposition", "ETag"]:
        assert head[header] == full[header], header
    assert int(head["Content-Length"]) == len(text.encode()) > 0
    page = client.head(reverse("portal:data"))
    assert page.status_code == 200 and page.content == b""


@pytest.mark.django_db
def test_the_page_and_the_files_answer_any_origin(client):
    build_files()
    for method, path in [
        (client.get, reverse("portal:data")),
        (client.head, reverse("portal:data")),
        (client.get, reverse("portal:data-file", args=["catalogue.json"])),
        (client.head, reverse("portal:data-file", args=["studies.csv"])),
    ]:
        response = method(path, headers={"Origin": ORIGIN})
        closed(response)
        assert response.status_code == 200, path
        assert response["Access-Control-Allow-Origin"] == "*", path
    # A browser asking first whether it may send the request.
    preflight = client.options(
        reverse("portal:data-file", args=["studies.csv"]),
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"},
    )
    assert preflight["Access-Control-Allow-Origin"] == "*"


@pytest.mark.django_db
def test_a_revisit_of_an_unchanged_file_is_answered_304(client):
    build_files()
    response, _ = download(client, "projects.csv")
    again = client.get(
        reverse("portal:data-file", args=["projects.csv"]),
        headers={"If-None-Match": response["ETag"]},
    )
    assert again.status_code == 304


@pytest.mark.django_db
@pytest.mark.parametrize("interventions", [3, 30])
def test_the_page_makes_as_many_queries_however_many_records(
    client, settings, django_assert_num_queries, interventions
):
    # Every page made afresh, not from the page cache.
    settings.PAGE_CACHE_SECONDS = 0
    for _ in range(interventions):
        factories.FindingFactory(study__intervention=factories.InterventionFactory())
    build_files()
    # The files' names, sizes, rows and time come from their manifest on disk; the one
    # query is the site's own, whether to show the demonstration banner.
    with django_assert_num_queries(1):
        response = client.get(reverse("portal:data"))
    assert response.status_code == 200
    rows = parse(response).section("The files").find("table").find_all("td")
    assert f"{interventions}" in [cell.text for cell in rows]


@pytest.mark.django_db
def test_the_guidebook_says_its_data_is_open_and_links_to_it(client):
    factories.InterventionFactory()
    page = parse(client.get(reverse("catalogue:guidebook")))
    (line,) = [item for item in page.find_all("li") if item.text.startswith("This data is open")]
    assert "Open Government Licence" in line.text
    assert list(line.links().values()) == [reverse("portal:data")]


# What the interventions CSV does not carry (docs/data.md): an intervention it creates
# starts with these empty, and unpublished.
NOT_IN_THE_INTERVENTIONS_CSV = {
    "id", "created", "updated", "version", "description", "description_html", "workforce",
    "uk_available", "uk_tested", "delivery", "training", "fidelity", "cost_description",
    "unit_cost", "published", "first_published", "last_reviewed", "search_document",
}  # fmt: skip


def catalogue_records(slugs) -> dict:
    """The interventions of these slugs, their outcomes, studies and findings, field by
    field, keyed by what identifies them in the files (slugs and study numbers)."""
    interventions = Intervention.objects.filter(slug__in=slugs)
    fields = {
        model: [
            field.name
            for field in model._meta.concrete_fields
            if field.name not in {"id", "created", "updated", "intervention", "study", "outcome"}
        ]
        for model in (Intervention, Study, Finding)
    }
    return {
        "interventions": {
            row["slug"]: {
                name: value
                for name, value in row.items()
                if name not in NOT_IN_THE_INTERVENTIONS_CSV
            }
            for row in interventions.values(*fields[Intervention])
        },
        "outcomes": sorted(
            OutcomeEvidence.objects.filter(content_object__in=interventions).values_list(
                "content_object__slug", "tag__slug"
            )
        ),
        "studies": {
            (row.pop("intervention__slug"), row["number"]): row
            for row in Study.objects.filter(intervention__in=interventions).values(
                "intervention__slug", *fields[Study]
            )
        },
        "findings": sorted(
            Finding.objects.filter(study__intervention__in=interventions).values_list(
                "study__intervention__slug", "study__number", "outcome__slug", *fields[Finding]
            ),
            key=repr,
        ),
    }


def import_file(client, tmp_path, name: str, command: str, *options: str) -> str:
    path = tmp_path / name
    path.write_text(download(client, name)[1], encoding="utf-8", newline="")
    out = io.StringIO()
    call_command(command, str(path), *options, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_interventions_and_studies_csvs_import_back_as_the_same_records(client, tmp_path, seed):
    call_command("seed_demo", interventions=40, projects=10, stdout=io.StringIO())
    # What a spreadsheet would run, and a study with no findings.
    formula = factories.InterventionFactory(slug="formula", summary="=HYPERLINK(1)", country="-")
    factories.StudyFactory(intervention=formula, citation="@someone (2021)", doi="")
    factories.FindingFactory(study__intervention=formula, effect_size="-0.25", statement="+3")
    factories.InterventionFactory(slug="draft", published=False)
    published = list(Intervention.objects.published().values_list("slug", flat=True))
    before = catalogue_records(published)
    assert len(before["interventions"]) > 30 and len(before["findings"]) > 30
    assert any(not study["counts_towards_rating"] for study in before["studies"].values())
    build_files()

    # The unchanged catalogue: neither file would change anything.
    out = import_file(client, tmp_path, "interventions.csv", "import_interventions", "--dry-run")
    assert f"Would create 0, would update 0, left {len(published)} unchanged" in out
    out = import_file(client, tmp_path, "studies.csv", "import_studies", "--dry-run")
    assert f"Would create 0 studies, would update 0, left {len(before['studies'])} unchanged" in out

    # Into a catalogue without them: the same records again.
    Intervention.objects.published().delete()
    assert not catalogue_records(published)["interventions"]
    for name in ["interventions.csv", "studies.csv"]:
        call_command(
            f"import_{name.removesuffix('.csv')}", str(tmp_path / name), stdout=io.StringIO()
        )
    after = catalogue_records(published)
    assert after["interventions"].keys() == before["interventions"].keys()
    for slug, fields in before["interventions"].items():
        assert after["interventions"][slug] == fields, slug
    assert after["outcomes"] == before["outcomes"]
    assert after["studies"] == before["studies"]
    assert after["findings"] == before["findings"]
