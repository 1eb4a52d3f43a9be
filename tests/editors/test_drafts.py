"""Drafts: new projects and interventions start unpublished, editors preview them with a
banner, and publish or unpublish them in bulk with the change in the history."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from catalogue.models import Intervention
from projects.models import Project
from tests.support.admin_pages import error_messages, messages, open_form
from tests.support.factories import StudyFactory
from tests.support.pages import main, parse

DRAFT_BANNER = (
    "Draft. This page is not published: only editors can see it. Publish it in the admin to "
    "show it to the public."
)


def draft_banner(response) -> list[str]:
    return [banner.text for banner in parse(response).find_all("div", class_="draft-banner")]


def test_project_added_through_the_admin_starts_as_a_draft(group_editor, visitor):
    url = reverse("admin:projects_project_add")
    data = open_form(group_editor, url, "project_form")
    assert "published" not in data
    data.update(
        title="Kinship care review",
        slug="kinship-care-review",
        summary="What helps children raised by relatives.",
        study_type="evidence-review",
        status="planned",
    )
    response = group_editor.post(url, data)
    assert response.status_code == 302, error_messages(response)

    project = Project.objects.get(slug="kinship-care-review")
    assert not project.published
    assert visitor.get(project.get_absolute_url()).status_code == 404
    preview = group_editor.get(project.get_absolute_url())
    assert preview.status_code == 200
    assert draft_banner(preview) == [DRAFT_BANNER]
    assert main(preview).find("h1").text == "Kinship care review"


def test_intervention_added_through_the_admin_starts_as_a_draft(group_editor, visitor):
    url = reverse("admin:catalogue_intervention_add")
    data = open_form(group_editor, url, "intervention_form")
    assert "published" not in data
    data.update(
        name="Family Check-Up",
        slug="family-check-up",
        summary="A brief, strengths-based check-up for families.",
    )
    response = group_editor.post(url, data)
    assert response.status_code == 302, error_messages(response)

    intervention = Intervention.objects.get(slug="family-check-up")
    assert not intervention.published
    assert intervention.first_published is None
    assert visitor.get(intervention.get_absolute_url()).status_code == 404
    preview = group_editor.get(intervention.get_absolute_url())
    assert draft_banner(preview) == [DRAFT_BANNER]


def test_published_pages_carry_no_draft_banner(project_factory, group_editor):
    project = project_factory(published=True)
    assert draft_banner(group_editor.get(project.get_absolute_url())) == []


def test_outsiders_cannot_preview_drafts(project_factory, outsider):
    project = project_factory(published=False)
    assert outsider.get(project.get_absolute_url()).status_code == 404


def run_action(client: Client, changelist: str, action: str, records: list):
    """Tick records on the changelist, choose the action and press Go."""
    data = open_form(client, changelist, "changelist-form")
    data.update(action=action, _selected_action=[str(record.pk) for record in records], index="0")
    return client.post(changelist, data, follow=True)


PROJECTS = reverse("admin:projects_project_changelist")
INTERVENTIONS = reverse("admin:catalogue_intervention_changelist")


def test_publish_action_publishes_the_selected_projects_with_a_history_record(
    project_factory, editor_account, group_editor, visitor
):
    drafts = [project_factory(published=False), project_factory(published=False)]
    untouched = project_factory(published=False)

    response = run_action(group_editor, PROJECTS, "publish", drafts)
    assert messages(response) == ["Published 2 projects."]
    for project in drafts:
        project.refresh_from_db()
        assert project.published
        assert visitor.get(project.get_absolute_url()).status_code == 200
        latest = project.history.first()
        assert latest.history_change_reason == "Published"
        assert latest.history_user == editor_account
        assert latest.published
    untouched.refresh_from_db()
    assert not untouched.published
    assert untouched.history.count() == 1


def test_unpublish_action_takes_projects_off_the_site_with_a_history_record(
    project_factory, editor_account, group_editor, visitor
):
    project = project_factory(published=True)
    response = run_action(group_editor, PROJECTS, "unpublish", [project])
    assert messages(response) == ["Unpublished 1 project."]
    project.refresh_from_db()
    assert not project.published
    assert visitor.get(project.get_absolute_url()).status_code == 410
    latest = project.history.first()
    assert (latest.history_change_reason, latest.history_user) == ("Unpublished", editor_account)


def test_publishing_a_published_project_again_records_nothing(project_factory, group_editor):
    project = project_factory(published=True)
    response = run_action(group_editor, PROJECTS, "publish", [project])
    assert messages(response) == ["Published 0 projects."]
    assert project.history.count() == 1


def test_publish_action_raises_the_version_so_open_forms_are_refused(project_factory, group_editor):
    project = project_factory(published=False)
    url = reverse("admin:projects_project_change", args=[project.pk])
    stale = open_form(group_editor, url, "project_form")
    run_action(group_editor, PROJECTS, "publish", [project])
    response = group_editor.post(url, {**stale, "summary": "Changed."})
    assert response.status_code == 200
    assert any("They changed published from “no” to “yes”" in m for m in error_messages(response))
    project.refresh_from_db()
    assert project.published


def test_publish_action_publishes_interventions_with_the_date_first_published(
    intervention_factory, editor_account, group_editor, visitor
):
    intervention = intervention_factory(published=False)
    # Rated 3, it needs a study that counts towards its rating to be published.
    StudyFactory(intervention=intervention)
    response = run_action(group_editor, INTERVENTIONS, "publish", [intervention])
    assert messages(response) == ["Published 1 intervention."]
    intervention.refresh_from_db()
    assert intervention.published
    assert intervention.first_published == timezone.localdate()
    latest = intervention.history.first()
    assert (latest.history_change_reason, latest.history_user) == ("Published", editor_account)
    page = main(visitor.get(intervention.get_absolute_url()))
    first_published = date_format(timezone.localdate(), "j F Y")
    assert page.find("p", class_="updated").text.startswith(f"First published {first_published}.")


def test_unpublish_action_takes_interventions_off_the_guidebook(
    intervention_factory, group_editor, visitor
):
    intervention = intervention_factory(published=True)
    response = run_action(group_editor, INTERVENTIONS, "unpublish", [intervention])
    assert messages(response) == ["Unpublished 1 intervention."]
    assert visitor.get(intervention.get_absolute_url()).status_code == 410
    assert intervention.history.first().history_change_reason == "Unpublished"


@pytest.fixture
def changer(user_factory) -> Client:
    """Staff who may change projects but not publish them."""
    user = user_factory(is_staff=True)
    group = Group.objects.create(name="Proofreaders")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="projects", codename__in=["view_project", "change_project"]
        )
    )
    user.groups.add(group)
    client = Client()
    client.force_login(user)
    return client


def test_only_those_allowed_to_publish_are_offered_the_actions(project_factory, changer):
    project = project_factory(published=False)
    page = parse(changer.get(PROJECTS))
    actions = [option.attrs.get("value") for option in page.find_all("option")]
    assert "publish" not in actions
    assert "unpublish" not in actions
    response = run_action(changer, PROJECTS, "publish", [project])
    assert response.status_code == 200
    project.refresh_from_db()
    assert not project.published


def test_those_not_allowed_to_publish_cannot_publish_through_the_form(project_factory, changer):
    project = project_factory(published=False)
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = open_form(changer, url, "project_form")
    assert "published" not in data
    response = changer.post(url, {**data, "published": "on", "summary": "Proofread."})
    assert response.status_code == 302, error_messages(response)
    project.refresh_from_db()
    assert project.summary == "Proofread."
    assert not project.published


def test_those_not_allowed_to_publish_cannot_republish_by_reverting(project_factory, changer):
    project = project_factory(published=True, summary="As first published.")
    project.published = False
    project.summary = "Withdrawn for corrections."
    project.save()
    published_version = project.history.earliest()
    url = reverse(
        "admin:projects_project_simple_history", args=[project.pk, published_version.history_id]
    )
    response = changer.post(url, {**open_form(changer, url, "historicalproject_form")})
    assert response.status_code == 302, error_messages(response)
    project.refresh_from_db()
    assert project.summary == "As first published."
    assert not project.published


def test_those_allowed_to_publish_may_revert_to_a_published_version(project_factory, group_editor):
    project = project_factory(published=True)
    project.published = False
    project.save()
    url = reverse(
        "admin:projects_project_simple_history", args=[project.pk, project.history.earliest().pk]
    )
    response = group_editor.post(url, open_form(group_editor, url, "historicalproject_form"))
    assert response.status_code == 302, error_messages(response)
    project.refresh_from_db()
    assert project.published
