"""The child outcomes are a fixed vocabulary (issue 14): in the admin, editors and
administrators alike reword an outcome's description and nothing else; no outcome is added
or deleted there."""

import pytest
from django.urls import reverse

from catalogue.models import ChildOutcome
from tests.support.admin_pages import open_form
from tests.support.pages import parse

PERSONAS = ["editor", "group_editor"]


@pytest.fixture
def outcome(seed) -> ChildOutcome:
    return ChildOutcome.objects.order_by("position").first()


def stored(outcome: ChildOutcome) -> tuple[str, str, int]:
    outcome.refresh_from_db()
    return outcome.name, outcome.slug, outcome.position


def change_url(outcome: ChildOutcome) -> str:
    return reverse("admin:catalogue_childoutcome_change", args=[outcome.pk])


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_change_rewords_the_description_and_leaves_name_slug_and_position(
    persona, outcome, request
):
    client = request.getfixturevalue(persona)
    before = stored(outcome)
    data = open_form(client, change_url(outcome), "childoutcome_form")
    assert not {"name", "slug", "position"} & set(data)
    data.update(
        name="Renamed outcome",
        slug="renamed-outcome",
        position="99",
        description="What this outcome covers, reworded.",
    )
    response = client.post(change_url(outcome), data)
    assert response.status_code == 302
    assert stored(outcome) == before
    assert outcome.description == "What this outcome covers, reworded."
    assert client.get(reverse("catalogue:outcome-detail", args=[before[1]])).status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_no_outcome_is_added_through_the_admin(persona, method, seed, request):
    client = request.getfixturevalue(persona)
    count = ChildOutcome.objects.count()
    data = {"name": "New outcome", "slug": "new-outcome", "description": "New.", "position": 8}
    url = reverse("admin:catalogue_childoutcome_add")
    response = getattr(client, method)(url, data if method == "post" else None)
    assert response.status_code == 403
    assert ChildOutcome.objects.count() == count


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_no_outcome_is_deleted_through_the_admin(persona, method, outcome, request):
    client = request.getfixturevalue(persona)
    url = reverse("admin:catalogue_childoutcome_delete", args=[outcome.pk])
    response = getattr(client, method)(url, {"post": "yes"} if method == "post" else None)
    assert response.status_code == 403
    assert ChildOutcome.objects.filter(pk=outcome.pk).exists()


def test_the_list_offers_no_add_no_delete_and_no_edits(outcome, editor):
    page = parse(editor.get(reverse("admin:catalogue_childoutcome_changelist")))
    assert page.find_all("input", name="form-0-position") == []
    assert page.find("ul", class_="object-tools").links() == {}
    assert page.find_all("option", value="delete_selected") == []


def test_a_list_edit_posted_anyway_changes_nothing(outcome, editor):
    before = stored(outcome)
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(outcome.pk),
        "form-0-position": "99",
        "_save": "Save",
    }
    editor.post(reverse("admin:catalogue_childoutcome_changelist"), data)
    assert stored(outcome) == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_bulk_delete_posted_anyway_deletes_nothing(persona, outcome, request):
    client = request.getfixturevalue(persona)
    count = ChildOutcome.objects.count()
    data = {"action": "delete_selected", "_selected_action": [outcome.pk], "post": "yes"}
    client.post(reverse("admin:catalogue_childoutcome_changelist"), data)
    assert ChildOutcome.objects.count() == count
