"""The admin for interventions as editors use it: the list and its filters, search, bulk
publishing, and the CSV import with a preview before anything is written."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Intervention
from tests.support.factories import StudyFactory
from tests.support.pages import form_data, parse

CHANGELIST = "admin:catalogue_intervention_changelist"
IMPORT = "admin:catalogue_intervention_import"
HEADER = "name,slug,summary,evidence_rating,mixed_findings,cost_rating,outcomes"


def listed_names(response) -> list[str]:
    """Names in the admin's result table, in the order shown."""
    assert response.status_code == 200
    table = parse(response).find("table", id="result_list")
    return [cell.text for cell in table.find_all("th", class_="field-name")]


def upload(content: str, name: str = "interventions.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


@pytest.fixture
def school(child_outcome_factory):
    return child_outcome_factory(name="School achievement", slug="school")


@pytest.fixture
def listed(intervention_factory, child_outcome_factory, school):
    crime = child_outcome_factory(name="Preventing crime", slug="crime")
    intervention_factory(name="Alpha", evidence_rating=35, mixed_findings=True, cost_rating=1)
    intervention_factory(
        name="Bravo", evidence_rating=None, cost_rating=9, outcomes=[school], provider="Barnardos"
    )
    intervention_factory(name="Charlie", evidence_rating=10, cost_rating=1, published=False)
    intervention_factory(name="Delta", evidence_rating=35, cost_rating=None, outcomes=[crime])
    return {"school": school, "crime": crime}


@pytest.mark.parametrize("persona", ["visitor", "outsider"])
@pytest.mark.parametrize("url_name", [CHANGELIST, IMPORT])
def test_intervention_admin_is_closed_to_the_public(persona, url_name, request):
    response = request.getfixturevalue(persona).get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_changelist_shows_both_ratings_and_published(listed, editor):
    table = parse(editor.get(reverse(CHANGELIST))).find("table", id="result_list")
    headers = [header.text for header in table.find("thead").find_all("th")]
    for column in ["Name", "Evidence", "Cost rating", "Published"]:
        assert column in headers
    rows = {
        row.find("th", class_="field-name").text: (
            row.find("td", class_="field-evidence").text,
            row.find("td", class_="field-cost_rating").text,
        )
        for row in table.find("tbody").find_all("tr")
    }
    assert rows == {
        "Alpha": ("3+*", "1"),
        "Bravo": ("not yet rated", "NA"),
        "Charlie": ("NL2", "1"),
        "Delta": ("3+", "-"),
    }


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"evidence": "35"}, ["Alpha", "Delta"]),
        ({"evidence": "10"}, ["Charlie"]),
        ({"evidence": "none"}, ["Bravo"]),
        ({"cost_rating__exact": "9"}, ["Bravo"]),
        ({"cost_rating__exact": "1"}, ["Alpha", "Charlie"]),
        ({"published__exact": "0"}, ["Charlie"]),
        ({"published__exact": "1"}, ["Alpha", "Bravo", "Delta"]),
        ({"mixed_findings__exact": "1"}, ["Alpha"]),
        ({"evidence": "35", "cost_rating__exact": "1"}, ["Alpha"]),
    ],
)
def test_changelist_filters_by_evidence_cost_and_published(listed, editor, query, names):
    assert listed_names(editor.get(reverse(CHANGELIST), query)) == names


def test_changelist_filters_by_outcome(listed, editor):
    response = editor.get(
        reverse(CHANGELIST), {"outcome_links__tag__id__exact": listed["crime"].pk}
    )
    assert listed_names(response) == ["Delta"]


def test_changelist_offers_each_filter(listed, editor):
    sidebar = parse(editor.get(reverse(CHANGELIST))).find("nav", id="changelist-filter")
    titles = [title.text for title in sidebar.find_all("summary")]
    for title in [
        "By evidence rating",
        "By cost rating",
        "By child outcome",
        "By published",
    ]:
        assert title in titles, titles


@pytest.mark.parametrize(
    ("text", "names"), [("bravo", ["Bravo"]), ("barnardos", ["Bravo"]), ("delta", ["Delta"])]
)
def test_search_finds_interventions_by_name_slug_and_provider(listed, editor, text, names):
    assert listed_names(editor.get(reverse(CHANGELIST), {"q": text})) == names


def test_bulk_publish_publishes_and_dates_first_publication(intervention_factory, editor):
    drafts = [intervention_factory(published=False) for _ in range(2)]
    for draft in drafts:
        # Rated 3, each needs a study that counts towards its rating to be published.
        StudyFactory(intervention=draft)
    response = editor.post(
        reverse(CHANGELIST),
        {"action": "publish", "_selected_action": [draft.pk for draft in drafts]},
        follow=True,
    )
    assert "Published 2 interventions." in response.content.decode()
    for draft in drafts:
        draft.refresh_from_db()
        assert draft.published
        assert draft.first_published == timezone.localdate()


def test_bulk_publish_keeps_an_earlier_first_publication_date(intervention_factory, editor):
    earlier = timezone.localdate().replace(year=2020)
    draft = intervention_factory(published=False, first_published=earlier)
    StudyFactory(intervention=draft)
    editor.post(reverse(CHANGELIST), {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert (draft.published, draft.first_published) == (True, earlier)


def test_bulk_unpublish_hides_interventions_from_the_public(intervention_factory, editor, visitor):
    shown = intervention_factory(name="Shown")
    hidden = intervention_factory(name="Hidden")
    response = editor.post(
        reverse(CHANGELIST), {"action": "unpublish", "_selected_action": [hidden.pk]}, follow=True
    )
    assert "Unpublished 1 intervention." in response.content.decode()
    assert visitor.get(hidden.get_absolute_url()).status_code == 410
    assert visitor.get(shown.get_absolute_url()).status_code == 200


def test_changelist_makes_no_query_per_row(intervention_factory, child_outcome_factory, editor):
    outcomes = [child_outcome_factory() for _ in range(3)]
    query = {"evidence": "30", "cost_rating__exact": "3", "published__exact": "1", "q": "Int"}

    def add(count: int) -> None:
        for number in range(count):
            intervention_factory(outcomes=outcomes[: number % 3 + 1], provider="Provider")

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as context:
            response = editor.get(reverse(CHANGELIST), query)
        return len(listed_names(response)), len(context.captured_queries)

    add(3)
    rows, few = queries()
    assert rows == 3
    add(57)
    rows, many = queries()
    assert rows == 60
    assert many == few == 6


def test_outcome_changelist_lists_outcomes_in_order(child_outcome_factory, editor):
    child_outcome_factory(name="Second", position=2)
    child_outcome_factory(name="First", position=1)
    response = editor.get(reverse("admin:catalogue_childoutcome_changelist"))
    assert listed_names(response) == ["First", "Second"]


def test_the_changelist_links_to_the_import(editor, db):
    links = parse(editor.get(reverse(CHANGELIST))).find("ul", class_="object-tools").links()
    assert links["Import from CSV"] == reverse(IMPORT)


def test_editor_previews_then_confirms_an_import(intervention_factory, school, editor, visitor):
    existing = intervention_factory(name="Existing", slug="existing", evidence_rating=20)
    content = "\r\n".join(
        [
            HEADER,
            "Existing,existing,Now rated higher.,4,false,3,school",
            "New one,new-one,A new programme.,3+,true,2,school",
            "New two,new-two,Another.,,false,NA,",
        ]
    )
    preview = editor.post(reverse(IMPORT), {"file": upload(content)})
    assert preview.status_code == 200
    page = parse(preview)
    assert "This file would create 2, update 1 and leave 0 unchanged." in page.text
    # Nothing is written before the editor confirms.
    assert Intervention.objects.count() == 1
    existing.refresh_from_db()
    assert existing.evidence_rating == 20

    (confirm,) = [form for form in page.find_all("form") if form.find_all("input", name="confirm")]
    response = editor.post(reverse(IMPORT), {**form_data(confirm), "confirm": "Confirm import"})
    assert response.status_code == 302
    assert response["Location"] == reverse(CHANGELIST)
    message = parse(editor.get(reverse(CHANGELIST))).find("ul", class_="messagelist").text
    assert message == "Imported: 2 created, 1 updated, 0 unchanged."
    existing.refresh_from_db()
    assert existing.evidence_rating == 40
    new = Intervention.objects.get(slug="new-one")
    assert (new.evidence_rating, new.mixed_findings, new.cost_rating) == (35, True, 2)
    assert list(new.outcomes.slugs()) == ["school"]
    assert not new.published
    assert visitor.get(new.get_absolute_url()).status_code == 404
    assert default_storage.listdir("imports")[1] == []


def test_the_same_import_cannot_be_confirmed_twice(school, editor):
    content = "\r\n".join([HEADER, "New one,new-one,A new programme.,3,false,2,school"])
    page = parse(editor.post(reverse(IMPORT), {"file": upload(content)}))
    token = page.find("input", name="token").attrs["value"]
    editor.post(reverse(IMPORT), {"token": token, "confirm": "Confirm import"})
    again = editor.post(reverse(IMPORT), {"token": token, "confirm": "Confirm import"}, follow=True)
    assert "That import has expired or was already done" in again.content.decode()
    assert Intervention.objects.count() == 1


def test_an_import_can_publish_new_interventions_at_once(school, editor, visitor):
    """All but those rated 2 or above, which wait for the studies their ratings rest on."""
    content = "\r\n".join(
        [
            HEADER,
            "New one,new-one,A new programme.,,false,2,school",
            "Rated one,rated-one,A rated programme.,3,false,2,school",
        ]
    )
    page = parse(editor.post(reverse(IMPORT), {"file": upload(content), "publish": "on"}))
    token = page.find("input", name="token").attrs["value"]
    response = editor.post(
        reverse(IMPORT), {"token": token, "publish": "on", "confirm": "Confirm import"}, follow=True
    )
    new, rated = (
        Intervention.objects.get(slug="new-one"),
        Intervention.objects.get(slug="rated-one"),
    )
    assert new.published and not rated.published
    assert visitor.get(new.get_absolute_url()).status_code == 200
    assert visitor.get(rated.get_absolute_url()).status_code == 404
    assert (
        "Left unpublished: Rated one is rated 3 but has no study that counts towards its rating"
        in parse(response).text
    )


def test_a_bad_file_shows_every_error_and_writes_nothing(intervention_factory, school, editor):
    existing = intervention_factory(name="Existing", slug="existing", evidence_rating=20)
    content = "\r\n".join(
        [
            HEADER,
            "Existing,existing,Now rated higher.,4,false,3,school",
            "Bad,bad,Summary.,7,false,3,no-such",
        ]
    )
    response = editor.post(reverse(IMPORT), {"file": upload(content)})
    assert response.status_code == 200
    page = parse(response)
    assert "2 errors found. Nothing was written." in page.find("p", class_="errornote").text
    (errors,) = [
        table
        for table in page.find_all("table")
        if [heading.text for heading in table.find_all("th")] == ["Row", "Column", "Problem"]
    ]
    rows = [[cell.text for cell in row.find_all("td")] for row in errors.find_all("tr")[1:]]
    assert [row[:2] for row in rows] == [["3", "evidence_rating"], ["3", "outcomes"]]
    assert page.find_all("input", name="confirm") == []
    existing.refresh_from_db()
    assert existing.evidence_rating == 20
    assert Intervention.objects.count() == 1


def test_a_file_that_is_not_csv_is_refused(editor, db):
    response = editor.post(reverse(IMPORT), {"file": upload(HEADER, name="interventions.xlsx")})
    assert "Choose a .csv file." in response.content.decode()
    assert Intervention.objects.count() == 0


def test_staff_without_permission_to_add_cannot_import(user_factory, client, db):
    client.force_login(user_factory(is_staff=True))
    response = client.post(reverse(IMPORT), {"file": upload(HEADER + "\r\nA,a,S.,3,false,1,")})
    assert response.status_code == 302
    assert Intervention.objects.count() == 0
