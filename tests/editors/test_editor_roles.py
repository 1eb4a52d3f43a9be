"""The Editors group: what an editor may do in the admin, and how their account is made."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from projects.models import Organisation
from ratings.models import RatingDefinition, Scale
from ratings.scales import CostRating, EvidenceRating
from tests.support.admin_pages import error_messages, open_form
from tests.support.factories import EDITOR_PASSWORD
from tests.support.pages import form_data, parse

EDITOR_PERMISSIONS = {
    "projects.add_project",
    "projects.change_project",
    "projects.view_project",
    "projects.publish_project",
    "projects.add_organisation",
    "projects.change_organisation",
    "projects.view_organisation",
    "projects.add_topic",
    "projects.change_topic",
    "projects.view_topic",
    "projects.add_researchquestion",
    "projects.change_researchquestion",
    "projects.delete_researchquestion",
    "projects.view_researchquestion",
    "projects.add_partnership",
    "projects.change_partnership",
    "projects.delete_partnership",
    "projects.view_partnership",
    "projects.add_document",
    "projects.change_document",
    "projects.delete_document",
    "projects.view_document",
    "projects.add_taggedproject",
    "projects.change_taggedproject",
    "projects.delete_taggedproject",
    "projects.view_taggedproject",
    "catalogue.add_intervention",
    "catalogue.change_intervention",
    "catalogue.view_intervention",
    "catalogue.publish_intervention",
    "catalogue.add_externalrating",
    "catalogue.change_externalrating",
    "catalogue.delete_externalrating",
    "catalogue.view_externalrating",
    "catalogue.add_reviewitem",
    "catalogue.change_reviewitem",
    "catalogue.view_reviewitem",
    "catalogue.publish_reviewitem",
    "catalogue.add_reviewstageentry",
    "catalogue.change_reviewstageentry",
    "catalogue.delete_reviewstageentry",
    "catalogue.view_reviewstageentry",
    "catalogue.add_outcomeevidence",
    "catalogue.change_outcomeevidence",
    "catalogue.delete_outcomeevidence",
    "catalogue.view_outcomeevidence",
    "catalogue.change_childoutcome",
    "catalogue.view_childoutcome",
    "catalogue.add_study",
    "catalogue.change_study",
    "catalogue.delete_study",
    "catalogue.view_study",
    "catalogue.add_finding",
    "catalogue.change_finding",
    "catalogue.delete_finding",
    "catalogue.view_finding",
    "ratings.change_ratingdefinition",
    "ratings.view_ratingdefinition",
    # The inbox of readers' reports: read and answered, never added or deleted.
    "feedback.view_readerreport",
    "feedback.change_readerreport",
}


def test_editors_group_made_by_the_migration_has_exactly_what_editors_need(db):
    editors = Group.objects.get(name="Editors")
    granted = {
        f"{permission.content_type.app_label}.{permission.codename}"
        for permission in editors.permissions.select_related("content_type")
    }
    assert granted == EDITOR_PERMISSIONS


def test_editors_have_no_permission_on_accounts(editor_account):
    assert not any(
        permission.startswith(("auth.", "axes.", "admin.", "contenttypes.", "sessions."))
        for permission in editor_account.get_all_permissions()
    )
    assert not editor_account.is_superuser


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_add"),
        reverse("admin:auth_group_changelist"),
        reverse("admin:auth_group_add"),
    ],
)
def test_editor_is_refused_users_and_groups(url, group_editor):
    assert group_editor.get(url).status_code == 403


def test_editor_cannot_open_their_own_account_or_the_editors_group(editor_account, group_editor):
    editors = Group.objects.get(name="Editors")
    assert (
        group_editor.get(reverse("admin:auth_user_change", args=[editor_account.pk])).status_code
        == 403
    )
    assert (
        group_editor.get(reverse("admin:auth_group_change", args=[editors.pk])).status_code == 403
    )


def test_editor_cannot_make_an_account_by_posting_to_the_user_form(group_editor):
    response = group_editor.post(
        reverse("admin:auth_user_add"),
        {
            "username": "intruder",
            "password1": "x7!long-enough-pw",
            "password2": "x7!long-enough-pw",
        },
    )
    assert response.status_code == 403
    assert not get_user_model().objects.filter(username="intruder").exists()


def test_admin_index_offers_editors_their_models_and_not_accounts(group_editor):
    links = parse(group_editor.get(reverse("admin:index"))).links()
    hrefs = set(links.values())
    assert reverse("admin:projects_project_changelist") in hrefs
    assert reverse("admin:catalogue_intervention_changelist") in hrefs
    assert reverse("admin:auth_user_changelist") not in hrefs
    assert reverse("admin:auth_group_changelist") not in hrefs


def test_editor_changes_a_project_through_its_form(project_factory, group_editor):
    project = project_factory(summary="What the project asks.")
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = open_form(group_editor, url, "project_form")
    data["summary"] = "What the project asks, in plainer words."
    response = group_editor.post(url, data)
    assert response.status_code == 302, error_messages(response)
    project.refresh_from_db()
    assert project.summary == "What the project asks, in plainer words."


def test_editor_changes_an_intervention_through_its_form(intervention_factory, group_editor):
    intervention = intervention_factory(provider="Family Support Trust")
    url = reverse("admin:catalogue_intervention_change", args=[intervention.pk])
    data = open_form(group_editor, url, "intervention_form")
    data["provider"] = "Family Support Trust (Wales)"
    response = group_editor.post(url, data)
    assert response.status_code == 302, error_messages(response)
    intervention.refresh_from_db()
    assert intervention.provider == "Family Support Trust (Wales)"


@pytest.fixture
def definition(rating_definition_factory) -> RatingDefinition:
    return rating_definition_factory(
        scale=Scale.EVIDENCE, value=EvidenceRating.LEVEL_3, definition="Old wording."
    )


def test_editor_rewords_a_rating_definition(definition, group_editor):
    url = reverse("admin:ratings_ratingdefinition_change", args=[definition.pk])
    data = open_form(group_editor, url, "ratingdefinition_form")
    data["definition"] = "Evidence from two rigorous studies of a long-term benefit."
    response = group_editor.post(url, data)
    assert response.status_code == 302, error_messages(response)
    definition.refresh_from_db()
    assert definition.definition == "Evidence from two rigorous studies of a long-term benefit."


def test_rating_definitions_scale_and_value_are_shown_but_not_editable(definition, group_editor):
    url = reverse("admin:ratings_ratingdefinition_change", args=[definition.pk])
    form = parse(group_editor.get(url)).find("form", id="ratingdefinition_form")
    assert set(form_data(form)) == {"csrfmiddlewaretoken", "definition"}
    readonly = [box.text for box in form.find_all("div", class_="readonly")]
    assert readonly == ["Evidence rating", "3"]


def test_posting_a_new_scale_or_value_does_not_change_a_definition(definition, group_editor):
    url = reverse("admin:ratings_ratingdefinition_change", args=[definition.pk])
    data = open_form(group_editor, url, "ratingdefinition_form")
    data.update(scale=Scale.COST, value=str(CostRating.HIGH), rating="5")
    assert group_editor.post(url, data).status_code == 302
    definition.refresh_from_db()
    assert (definition.scale, definition.value) == (Scale.EVIDENCE, EvidenceRating.LEVEL_3)


def test_editor_cannot_add_rating_definitions(definition, group_editor):
    url = reverse("admin:ratings_ratingdefinition_add")
    assert group_editor.get(url).status_code == 403
    response = group_editor.post(url, {"scale": Scale.COST, "value": "1", "definition": "New."})
    assert response.status_code == 403
    assert RatingDefinition.objects.count() == 1


def test_editor_cannot_delete_rating_definitions(definition, group_editor):
    url = reverse("admin:ratings_ratingdefinition_delete", args=[definition.pk])
    assert group_editor.get(url).status_code == 403
    assert group_editor.post(url, {"post": "yes"}).status_code == 403
    changelist = parse(group_editor.get(reverse("admin:ratings_ratingdefinition_changelist")))
    actions = [option.attrs.get("value") for option in changelist.find_all("option")]
    assert "delete_selected" not in actions
    assert RatingDefinition.objects.filter(pk=definition.pk).exists()


def test_create_editor_makes_a_staff_account_in_editors_without_a_password(db):
    out = io.StringIO()
    call_command("create_editor", "Sam.Editor@Example.org", stdout=out)
    user = get_user_model().objects.get(username="sam.editor@example.org")
    assert user.email == "sam.editor@example.org"
    assert user.is_staff
    assert user.is_active
    assert not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Editors"]
    assert not user.has_usable_password()
    assert "python manage.py changepassword sam.editor@example.org" in out.getvalue()


@pytest.mark.parametrize("email", ["not-an-address", "sam@", ""])
def test_create_editor_refuses_what_is_not_an_email_address(email, db):
    with pytest.raises(CommandError, match="is not an e-mail address"):
        call_command("create_editor", email, stdout=io.StringIO())
    assert not get_user_model().objects.exists()


def test_create_editor_refuses_an_address_that_already_has_an_account(editor_account):
    with pytest.raises(
        CommandError, match="There is already an account for sam.editor@example.org"
    ):
        call_command("create_editor", "SAM.EDITOR@example.org", stdout=io.StringIO())
    assert get_user_model().objects.filter(username__iexact="sam.editor@example.org").count() == 1


def password_change_form(response) -> dict:
    form = next(
        form
        for form in parse(response).find_all("form")
        if form.find_all("input", name="old_password")
    )
    return form_data(form)


@pytest.mark.parametrize(
    ("password", "refusal"),
    [
        ("password123", "This password is too common."),
        ("Xy7!", "This password is too short. It must contain at least 8 characters."),
        ("52719384620", "This password is entirely numeric."),
        ("sam.editor.example", "The password is too similar to the"),
    ],
)
def test_admin_password_change_refuses_a_weak_password(
    password, refusal, editor_account, group_editor
):
    url = reverse("admin:password_change")
    data = password_change_form(group_editor.get(url))
    data.update(old_password=EDITOR_PASSWORD, new_password1=password, new_password2=password)
    response = group_editor.post(url, data)
    assert response.status_code == 200
    assert any(refusal in message for message in error_messages(response))
    editor_account.refresh_from_db()
    assert editor_account.check_password(EDITOR_PASSWORD)


def test_admin_password_change_accepts_a_strong_password(editor_account, group_editor):
    url = reverse("admin:password_change")
    data = password_change_form(group_editor.get(url))
    new = "a meadow of quiet blue herons"
    data.update(old_password=EDITOR_PASSWORD, new_password1=new, new_password2=new)
    response = group_editor.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:password_change_done")
    editor_account.refresh_from_db()
    assert editor_account.check_password(new)


def test_editor_adds_a_partner_organisation(group_editor):
    url = reverse("admin:projects_organisation_add")
    data = open_form(group_editor, url, "organisation_form")
    data.update(name="Refuge", slug="refuge", website="refuge.org.uk")
    response = group_editor.post(url, data)
    assert response.status_code == 302, error_messages(response)
    assert Organisation.objects.get(slug="refuge").website == "https://refuge.org.uk"
