"""No lost updates: when two editors open the same record and both save, the second save
is refused with what the first changed, and a second, informed save goes through."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.test import Client
from django.urls import reverse

from catalogue.models import Intervention
from editors.models import VersionedModel
from projects.models import Project, Status
from ratings.scales import EvidenceRating
from tests.support.admin_pages import error_messages, form_on, open_form, row_prefix

CHANGELIST = reverse("admin:projects_project_changelist")
REFUSED = "Someone else saved this"


@pytest.fixture
def alex(editor_account_factory) -> Client:
    client = Client()
    client.force_login(editor_account_factory("alex.editor@example.org"))
    return client


@pytest.fixture
def blake(editor_account_factory) -> Client:
    client = Client()
    client.force_login(editor_account_factory("blake.editor@example.org"))
    return client


@pytest.fixture
def project(project_factory) -> Project:
    return project_factory(
        title="Restart",
        summary="What Restart asks.",
        status=Status.IN_PROGRESS,
        estimated_completion=datetime.date(2023, 4, 1),
    )


def refusal(response) -> str:
    """The one error that explains why the save was refused."""
    assert response.status_code == 200
    found = [message for message in error_messages(response) if REFUSED in message]
    assert len(found) == 1, error_messages(response)
    return found[0]


def change_url(project: Project) -> str:
    return reverse("admin:projects_project_change", args=[project.pk])


def test_second_save_of_a_project_form_is_refused_naming_what_the_first_changed(
    project, alex, blake
):
    url = change_url(project)
    alex_form = open_form(alex, url, "project_form")
    blake_form = open_form(blake, url, "project_form")

    assert alex.post(url, {**alex_form, "status": Status.PAUSED}).status_code == 302
    response = blake.post(url, {**blake_form, "summary": "What Restart asks, and why."})

    message = refusal(response)
    assert message.startswith("Someone else saved this by alex.editor@example.org at ")
    assert "They changed status from “In progress” to “Paused”." in message
    assert "summary" not in message
    project.refresh_from_db()
    assert (project.status, project.summary) == (Status.PAUSED, "What Restart asks.")
    assert project.history.count() == 2


def test_refused_form_keeps_the_second_editors_values(project, alex, blake):
    url = change_url(project)
    alex_form = open_form(alex, url, "project_form")
    blake_form = open_form(blake, url, "project_form")
    alex.post(url, {**alex_form, "status": Status.PAUSED})
    kept = form_on(blake.post(url, {**blake_form, "summary": "Blake's summary."}), "project_form")
    assert kept["summary"] == "Blake's summary."
    assert kept["status"] == Status.IN_PROGRESS


def test_saving_again_after_the_refusal_applies_the_second_editors_values(project, alex, blake):
    url = change_url(project)
    alex_form = open_form(alex, url, "project_form")
    blake_form = open_form(blake, url, "project_form")
    alex.post(url, {**alex_form, "estimated_completion": "2023-06"})
    refused = blake.post(url, {**blake_form, "summary": "Blake's summary."})
    assert REFUSED in refusal(refused)

    # Blake reads the message, keeps Alex's new date and saves the form as shown.
    again = {**form_on(refused, "project_form"), "estimated_completion": "2023-06"}
    response = blake.post(url, again)
    assert response.status_code == 302, error_messages(response)
    project.refresh_from_db()
    assert project.summary == "Blake's summary."
    assert project.estimated_completion == datetime.date(2023, 6, 1)


def test_saving_the_refused_form_unchanged_replaces_the_first_editors_values(project, alex, blake):
    url = change_url(project)
    alex_form = open_form(alex, url, "project_form")
    blake_form = open_form(blake, url, "project_form")
    alex.post(url, {**alex_form, "status": Status.PAUSED})
    refused = blake.post(url, {**blake_form, "summary": "Blake's summary."})
    response = blake.post(url, form_on(refused, "project_form"))
    assert response.status_code == 302, error_messages(response)
    project.refresh_from_db()
    assert (project.status, project.summary) == (Status.IN_PROGRESS, "Blake's summary.")


def test_a_third_save_in_between_is_refused_again_naming_only_the_newest_change(
    project, alex, blake
):
    url = change_url(project)
    alex_form = open_form(alex, url, "project_form")
    blake_form = open_form(blake, url, "project_form")
    alex.post(url, {**alex_form, "status": Status.PAUSED})
    refused = blake.post(url, {**blake_form, "summary": "Blake's summary."})

    alex.post(url, {**open_form(alex, url, "project_form"), "estimated_completion": "2023-09"})
    response = blake.post(url, form_on(refused, "project_form"))

    message = refusal(response)
    assert "estimated completion from “April 2023” to “September 2023”" in message
    assert "status" not in message
    project.refresh_from_db()
    assert project.summary == "What Restart asks."


def test_saving_a_stale_form_without_changes_is_refused_too(project, alex, blake):
    url = change_url(project)
    alex_form = open_form(alex, url, "project_form")
    blake_form = open_form(blake, url, "project_form")
    alex.post(url, {**alex_form, "status": Status.PAUSED})
    refusal(blake.post(url, blake_form))
    project.refresh_from_db()
    assert project.status == Status.PAUSED


def list_form(client: Client) -> dict:
    return open_form(client, CHANGELIST, "changelist-form")


def edit_row(data: dict, project: Project, **changes: str) -> dict:
    row = row_prefix(data, project.pk)
    return {
        **data,
        **{f"{row}-{name}": value for name, value in changes.items()},
        "_save": "Save",
    }


def test_second_list_edit_of_a_row_is_refused_naming_what_the_first_changed(project, alex, blake):
    alex_list, blake_list = list_form(alex), list_form(blake)
    response = alex.post(CHANGELIST, edit_row(alex_list, project, status=Status.PAUSED))
    assert response.status_code == 302

    response = blake.post(CHANGELIST, edit_row(blake_list, project, estimated_completion="2023-06"))
    message = refusal(response)
    assert "They changed status from “In progress” to “Paused”." in message
    project.refresh_from_db()
    assert project.status == Status.PAUSED
    assert project.estimated_completion == datetime.date(2023, 4, 1)

    again = blake.post(CHANGELIST, {**form_on(response, "changelist-form"), "_save": "Save"})
    assert again.status_code == 302, error_messages(again)
    project.refresh_from_db()
    assert project.estimated_completion == datetime.date(2023, 6, 1)


def test_list_edit_of_one_row_leaves_another_editors_change_to_another_row(
    project, project_factory, alex, blake
):
    other = project_factory(title="Advocacy", status=Status.IN_PROGRESS)
    alex_list, blake_list = list_form(alex), list_form(blake)
    response = alex.post(CHANGELIST, edit_row(alex_list, other, status=Status.PAUSED))
    assert response.status_code == 302

    # Blake's list still shows Advocacy in progress, but Blake changed only Restart.
    response = blake.post(CHANGELIST, edit_row(blake_list, project, status=Status.DISCONTINUED))
    assert response.status_code == 302, error_messages(response)
    project.refresh_from_db()
    other.refresh_from_db()
    assert project.status == Status.DISCONTINUED
    assert other.status == Status.PAUSED
    assert other.history.count() == 2


@pytest.fixture
def intervention(intervention_factory) -> Intervention:
    return intervention_factory(
        name="Family Check-Up",
        evidence_rating=EvidenceRating.LEVEL_2,
        provider="Family Support Trust",
    )


def test_second_save_of_an_intervention_form_is_refused_naming_what_the_first_changed(
    intervention, alex, blake
):
    url = reverse("admin:catalogue_intervention_change", args=[intervention.pk])
    alex_form = open_form(alex, url, "intervention_form")
    blake_form = open_form(blake, url, "intervention_form")
    response = alex.post(url, {**alex_form, "evidence_rating": str(EvidenceRating.LEVEL_3)})
    assert response.status_code == 302, error_messages(response)

    response = blake.post(url, {**blake_form, "provider": "Blake's provider"})
    message = refusal(response)
    assert "They changed evidence rating from “2” to “3”." in message
    intervention.refresh_from_db()
    assert intervention.evidence_rating == EvidenceRating.LEVEL_3
    assert intervention.provider == "Family Support Trust"

    again = blake.post(url, form_on(response, "intervention_form"))
    assert again.status_code == 302, error_messages(again)
    intervention.refresh_from_db()
    assert intervention.provider == "Blake's provider"


def test_a_form_sent_without_its_version_is_refused_like_a_stale_one(project, alex):
    url = change_url(project)
    data = open_form(alex, url, "project_form")
    del data["edited_version"]
    response = alex.post(url, {**data, "status": Status.PAUSED})
    assert any("sent without the version" in message for message in error_messages(response))
    project.refresh_from_db()
    assert project.status == Status.IN_PROGRESS

    # The refused form now carries the version, and saving it again goes through.
    again = alex.post(url, {**form_on(response, "project_form"), "status": Status.PAUSED})
    assert again.status_code == 302, error_messages(again)
    project.refresh_from_db()
    assert project.status == Status.PAUSED


def test_a_list_edit_sent_without_the_rows_version_is_refused(project, alex):
    data = edit_row(list_form(alex), project, status=Status.PAUSED)
    del data[f"{row_prefix(data, project.pk)}-edited_version"]
    response = alex.post(CHANGELIST, data)
    assert any("sent without the version" in message for message in error_messages(response))
    project.refresh_from_db()
    assert project.status == Status.IN_PROGRESS


@pytest.mark.parametrize(
    "model_admin",
    [model_admin for model_admin in admin.site._registry.values() if model_admin.list_editable],
    ids=lambda model_admin: str(model_admin.model._meta),
)
def test_every_list_an_editor_can_edit_sends_each_rows_version(model_admin, editor, request):
    """A list edit is checked against each row's version, whichever model it lists."""
    model = model_admin.model
    assert issubclass(model, VersionedModel), f"{model._meta} is list-editable but not versioned"
    factory = {Project: "project_factory", Intervention: "intervention_factory"}[model]
    records = [request.getfixturevalue(factory)() for _ in range(2)]
    data = open_form(editor, reverse(admin_urlname(model._meta, "changelist")), "changelist-form")
    for record in records:
        assert data[f"{row_prefix(data, record.pk)}-edited_version"] == str(record.version)


@pytest.mark.parametrize(
    "model_admin",
    [
        model_admin
        for model_admin in admin.site._registry.values()
        if issubclass(model_admin.model, VersionedModel)
    ],
    ids=lambda model_admin: str(model_admin.model._meta),
)
def test_every_versioned_change_form_sends_the_records_version(
    model_admin, rf, editor_account_factory
):
    """A change form without the version would have its every save refused as stale."""
    request = rf.get("/")
    request.user = editor_account_factory()
    form = model_admin.get_form(request, model_admin.model())
    assert "edited_version" in form.base_fields
