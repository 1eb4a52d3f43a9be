"""Data rules held by the database, with a sentence for editors in forms."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from projects.models import Project, Role
from tests.support.pages import form_data, parse

DUE_BEFORE_START = "The due date cannot be before the start date."


def test_database_refuses_a_due_date_before_the_start_date(project_factory):
    with pytest.raises(IntegrityError), transaction.atomic():
        project_factory(start_date=datetime.date(2023, 5, 1), due_date=datetime.date(2023, 4, 30))
    assert not Project.objects.exists()


def test_due_date_on_the_start_date_is_allowed(project_factory):
    project = project_factory(
        start_date=datetime.date(2023, 5, 1), due_date=datetime.date(2023, 5, 1)
    )
    assert Project.objects.filter(pk=project.pk).exists()


def test_database_refuses_an_update_that_moves_the_due_date_before_the_start(project_factory):
    project = project_factory(
        start_date=datetime.date(2023, 5, 1), due_date=datetime.date(2024, 1, 31)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(due_date=datetime.date(2023, 1, 1))


def test_model_validation_explains_a_due_date_before_the_start(project_factory):
    project = project_factory.build(
        start_date=datetime.date(2023, 5, 1), due_date=datetime.date(2023, 4, 30)
    )
    with pytest.raises(ValidationError) as error:
        project.full_clean()
    assert DUE_BEFORE_START in str(error.value)


def test_admin_form_shows_a_readable_message_for_a_due_date_before_the_start(
    project_factory, editor
):
    project = project_factory(
        start_date=datetime.date(2023, 5, 1),
        estimated_completion=datetime.date(2024, 1, 1),
        due_date=datetime.date(2024, 2, 29),
    )
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = form_data(parse(editor.get(url)).find("form", id="project_form"))
    data["due_date"] = "30/04/2023"
    response = editor.post(url, {**data, "_save": "Save"})
    assert response.status_code == 200
    # Once, beside the field: not again as the constraint's error over the whole form.
    assert parse(response).find("form", id="project_form").text.count(DUE_BEFORE_START) == 1
    project.refresh_from_db()
    assert project.due_date == datetime.date(2024, 2, 29)


def test_admin_form_refuses_an_estimated_completion_before_the_start(project_factory, editor):
    project = project_factory(
        start_date=datetime.date(2023, 5, 1), estimated_completion=datetime.date(2024, 1, 1)
    )
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = form_data(parse(editor.get(url)).find("form", id="project_form"))
    data["estimated_completion"] = "2023-04"
    response = editor.post(url, {**data, "_save": "Save"})
    assert response.status_code == 200
    assert (
        "The estimated completion cannot be before the start date: a project cannot finish "
        "before it begins." in response.content.decode()
    )
    project.refresh_from_db()
    assert project.estimated_completion == datetime.date(2024, 1, 1)


def test_one_organisation_may_both_deliver_and_evaluate_but_not_twice_in_one_role(
    project_factory, organisation_factory, partnership_factory
):
    greenwich = organisation_factory()
    project = project_factory(delivery_partners=[greenwich], evaluation_partners=[greenwich])
    assert sorted(project.partnerships.values_list("role", flat=True)) == [
        Role.DELIVERY,
        Role.EVALUATION,
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        partnership_factory(project=project, organisation=greenwich, role=Role.DELIVERY)


def test_a_topic_is_given_to_a_project_only_once(
    project_factory, topic_factory, tagged_project_factory
):
    topic = topic_factory(name="Kinship care")
    project = project_factory(topics=[topic])
    with pytest.raises(IntegrityError), transaction.atomic():
        tagged_project_factory(content_object=project, tag=topic)


def test_project_slugs_are_unique(project_factory):
    project_factory(slug="restart")
    with pytest.raises(IntegrityError), transaction.atomic():
        project_factory(slug="restart")
