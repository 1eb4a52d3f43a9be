"""Old addresses keep working: a changed slug answers 301 to the current page however many
times it changed, keeping the sub-path and query; a withdrawn record answers 410 Gone;
ids never change and are never reused."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from catalogue.models import Intervention
from projects.models import Organisation, Project
from tests.support.admin_pages import open_form
from tests.support.factories import InterventionFactory, ProjectFactory


def rename(record, slug: str) -> None:
    record.slug = slug
    record.save()


def test_every_old_slug_goes_straight_to_the_current_one(intervention_factory, visitor):
    intervention = intervention_factory(slug="a")
    rename(intervention, "b")
    rename(intervention, "c")
    for old in ("a", "b"):
        response = visitor.get(f"/interventions/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/interventions/c/"
    assert visitor.get("/interventions/a/badge.svg")["Location"] == "/interventions/c/badge.svg"
    assert visitor.get("/interventions/c/").status_code == 200


def test_a_project_keeps_sub_paths_and_the_query(project_factory, visitor):
    project = project_factory(slug="old-project")
    document = project.documents.create(title="Protocol", kind="protocol")
    rename(project, "new-project")
    assert visitor.get("/projects/old-project/")["Location"] == "/projects/new-project/"
    response = visitor.get("/projects/old-project/related/", {"page": "1"})
    assert response["Location"] == "/projects/new-project/related/?page=1"
    response = visitor.get(f"/projects/old-project/documents/{document.pk}/")
    assert response["Location"] == f"/projects/new-project/documents/{document.pk}/"


def test_a_partner_keeps_its_old_address(organisation_factory, visitor):
    organisation = organisation_factory(slug="old-name")
    rename(organisation, "new-name")
    assert visitor.get("/partners/old-name/")["Location"] == "/partners/new-name/"


def test_a_live_slug_wins_over_another_records_former_slug(intervention_factory, visitor):
    first = intervention_factory(name="First", slug="shared")
    rename(first, "first")
    second = intervention_factory(name="Second", slug="shared")
    response = visitor.get("/interventions/shared/")
    assert response.status_code == 200
    assert "Second" in response.content.decode()
    # Once the second moves on too, the address follows the one that left it last.
    rename(second, "second")
    assert visitor.get("/interventions/shared/")["Location"] == "/interventions/second/"


def test_changing_a_slug_in_the_admin_keeps_the_old_address(editor, visitor, db):
    project = ProjectFactory(slug="before-admin")
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = open_form(editor, url, "project_form")
    assert editor.post(url, {**data, "slug": "after-admin", "_save": "Save"}).status_code == 302
    assert visitor.get("/projects/before-admin/")["Location"] == "/projects/after-admin/"
    intervention = InterventionFactory(slug="before")
    url = reverse("admin:catalogue_intervention_change", args=[intervention.pk])
    data = open_form(editor, url, "intervention_form")
    assert editor.post(url, {**data, "slug": "after", "_save": "Save"}).status_code == 302
    assert visitor.get("/interventions/before/")["Location"] == "/interventions/after/"


def test_a_withdrawn_intervention_is_gone_and_points_to_the_guidebook(
    intervention_factory, visitor, editor
):
    intervention = intervention_factory(name="Withdrawn programme", slug="withdrawn")
    intervention.published = False
    intervention.save()
    response = visitor.get("/interventions/withdrawn/")
    assert response.status_code == 410
    text = response.content.decode()
    assert "withdrawn" in text and "under review" in text
    assert reverse("catalogue:guidebook") in text
    # Staff still preview it.
    assert editor.get("/interventions/withdrawn/").status_code == 200


def test_first_published_alone_makes_an_unpublished_intervention_gone(
    intervention_factory, visitor
):
    intervention = intervention_factory(published=False, first_published=datetime.date(2025, 1, 1))
    assert visitor.get(intervention.get_absolute_url()).status_code == 410


def test_a_never_published_record_stays_404(intervention_factory, project_factory, visitor):
    assert visitor.get(intervention_factory(published=False).get_absolute_url()).status_code == 404
    assert visitor.get(project_factory(published=False).get_absolute_url()).status_code == 404
    assert visitor.get("/interventions/never-was/").status_code == 404


def test_a_withdrawn_project_and_its_old_address(project_factory, visitor):
    project = project_factory(slug="gone-old")
    rename(project, "gone-new")
    project.published = False
    project.save()
    assert visitor.get("/projects/gone-old/")["Location"] == "/projects/gone-new/"
    assert visitor.get("/projects/gone-new/").status_code == 410
    assert visitor.get("/projects/gone-new/related/").status_code == 410


def test_a_normal_page_costs_no_query_more(
    intervention_factory, visitor, django_assert_num_queries
):
    intervention = intervention_factory()
    rename(intervention, "renamed")
    # As for any intervention (test_intervention_studies_page pins 3, with studies or not).
    with django_assert_num_queries(3):
        assert visitor.get("/interventions/renamed/").status_code == 200


@pytest.mark.parametrize(
    "model, make", [(Intervention, InterventionFactory), (Project, ProjectFactory)]
)
def test_a_deleted_records_id_is_not_reused(model, make, db):
    make()
    newest = make().pk
    model.objects.filter(pk=newest).delete()
    assert make().pk > newest


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own rule")
@pytest.mark.parametrize("model", [Intervention, Project, Organisation])
def test_sqlite_tables_never_reuse_ids(model, db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [model._meta.db_table])
        assert "AUTOINCREMENT" in cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ids_are_not_reused_after_a_migration_rebuilt_the_table():
    InterventionFactory()
    newest = InterventionFactory().pk
    Intervention.objects.filter(pk=newest).delete()
    # Rolling back the list bits and applying them again rebuilds the table on SQLite.
    call_command("migrate", "catalogue", "0012", verbosity=0)
    call_command("migrate", verbosity=0)
    assert InterventionFactory().pk > newest
