"""An editor's save empties only the cached pages that show what it changed: the record's
own page, the pages that list or link to it, and (when cards, filters or order may change)
lists of its kind; every other page stays cached. Changes not tied to one record still
empty everything."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import ChildOutcome, Intervention
from core.cache import EVERYTHING, changed_tags, lists_tag, record_tag
from projects.models import Project, StudyType
from tests.support import factories
from tests.support.admin_pages import error_messages, open_form

HELP = reverse("portal:help")
GUIDEBOOK = reverse("catalogue:guidebook")
PROJECTS = reverse("projects:project-list")


@pytest.fixture
def cached(visitor):
    """Whether a page is served from the cache: asked again, it makes no query."""

    def served_from_cache(path: str) -> bool:
        with CaptureQueriesContext(connection) as queries:
            response = visitor.get(path)
        assert response.status_code == 200, path
        return not queries.captured_queries

    return served_from_cache


@pytest.fixture
def site(project_factory, intervention_factory, child_outcome_factory, visitor):
    """Two interventions, one studied by a project, and a second project; each page once,
    with a guidebook and a project list that list only the other records."""
    studied = intervention_factory(name="Family Check-Up")
    reading = child_outcome_factory(name="School achievement", slug="school")
    other = intervention_factory(name="Incredible Years", outcomes=[reading])
    project = project_factory(title="Parenting in the early years")
    project.interventions.add(studied)
    other_project = project_factory(title="Mentoring teenagers", study_type=StudyType.PILOT)
    pages = {
        "studied": studied.get_absolute_url(),
        "other": other.get_absolute_url(),
        "project": project.get_absolute_url(),
        "other project": other_project.get_absolute_url(),
        "guidebook": GUIDEBOOK,
        "other's guidebook": f"{GUIDEBOOK}?outcome=school",
        "projects": PROJECTS,
        "other's projects": f"{PROJECTS}?study_type=pilot",
        "help": HELP,
    }
    for path in pages.values():
        assert other.name not in path
        visitor.get(path)
    records = {"the studied": studied, "the project": project, "the other project": other_project}
    return {**records, **pages}


def save_through_admin(editor, record, form_id: str, **changes: str):
    url = reverse(
        f"admin:{record._meta.app_label}_{record._meta.model_name}_change", args=[record.pk]
    )
    response = editor.post(url, {**open_form(editor, url, form_id), **changes})
    assert response.status_code == 302, error_messages(response)


def test_an_interventions_own_text_empties_its_own_page_and_those_that_list_it(
    site, editor, visitor, cached
):
    save_through_admin(
        editor,
        site["the studied"],
        "intervention_form",
        description="A new account of the programme.",
    )

    assert "A new account of the programme." in visitor.get(site["studied"]).text
    assert not cached(site["guidebook"])
    # The project's page lists it by name alone.
    for page in ("project", "other", "other project", "other's guidebook", "help"):
        assert cached(site[page]), page


def test_an_interventions_new_name_is_on_every_page_that_lists_it_and_no_other(
    site, editor, visitor, cached
):
    save_through_admin(editor, site["the studied"], "intervention_form", name="Family Check-Up 2")

    for page in ("studied", "project", "guidebook"):
        assert "Family Check-Up 2" in visitor.get(site[page]).text, page
    # A new name may move it in any list of interventions: they are all made again.
    assert not cached(site["other's guidebook"])
    for page in ("other", "other project", "other's projects", "help"):
        assert cached(site[page]), page


def test_a_projects_new_title_is_on_every_page_that_shows_it_and_no_other(
    site, editor, visitor, cached
):
    save_through_admin(editor, site["the project"], "project_form", title="Parenting at home")

    for page in ("project", "studied", "projects"):
        assert "Parenting at home" in visitor.get(site[page]).text, page
    for page in ("other", "other project", "other's guidebook", "help"):
        assert cached(site[page]), page
    # A new title may move it in any list of projects: they are all made again.
    assert not cached(site["other's projects"])


def test_a_projects_body_leaves_the_project_lists_cached_but_not_a_search_that_finds_it(
    site, editor, visitor, cached
):
    searched = f"{PROJECTS}?q=grandparents"
    assert "Parenting in the early years" not in visitor.get(searched).text
    paused = f"{PROJECTS}?status=paused"
    visitor.get(paused)

    save_through_admin(editor, site["the project"], "project_form", body="Grandparents take part.")

    assert "Grandparents take part." in visitor.get(site["project"]).text
    assert "Parenting in the early years" in visitor.get(searched).text
    for page in ("other's projects", "studied", "other", "other project", "guidebook", "help"):
        assert cached(site[page]), page
    assert cached(paused)


def test_a_related_projects_new_title_is_on_the_page_that_lists_it(
    site, project_factory, editor, visitor, cached
):
    linked = project_factory(title="Reading together")
    site["the other project"].related_projects.add(linked)
    for page in ("project", "other project"):
        visitor.get(site[page])

    save_through_admin(editor, linked, "project_form", title="Reading at bedtime")

    assert "Reading at bedtime" in visitor.get(site["other project"]).text
    assert cached(site["project"])


def test_a_new_research_question_empties_its_projects_page_alone(site, visitor, cached):
    factories.ResearchQuestionFactory(project=site["the project"], text="Who takes part, and why?")

    assert "Who takes part, and why?" in visitor.get(site["project"]).text
    for page in ("other's projects", "studied", "other project", "guidebook", "help"):
        assert cached(site[page]), page


def test_a_new_study_shows_on_its_intervention_and_in_the_guidebooks_filters(site, visitor, cached):
    design_filtered = f"{GUIDEBOOK}?design=qed"
    assert "Family Check-Up" not in visitor.get(design_filtered).text

    factories.StudyFactory(intervention=site["the studied"], design="qed")

    assert "Family Check-Up" in visitor.get(design_filtered).text
    assert "Study 1" in visitor.get(site["studied"]).text
    # Its design is one of the guidebook's filters: every list of interventions is made again.
    assert not cached(site["other's guidebook"])
    for page in ("other", "other project", "projects", "help"):
        assert cached(site[page]), page


def test_publishing_in_bulk_empties_every_page(site, intervention_factory, editor, cached):
    draft = intervention_factory(published=False, evidence_rating=None)
    response = editor.post(
        reverse("admin:catalogue_intervention_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302

    for page in ("help", "projects", "other project", "other"):
        assert not cached(site[page]), page


def test_a_new_outcome_name_empties_every_page(site, child_outcome_factory, cached):
    outcome = child_outcome_factory(name="School achievement", slug="school")
    outcome.name = "Renamed outcome"
    outcome.save()

    for page in ("help", "projects", "other"):
        assert not cached(site[page]), page


def test_what_each_kind_of_change_names(intervention_factory, project_factory):
    intervention = intervention_factory()
    project = project_factory()
    project.interventions.add(intervention)
    history = intervention.history.first()
    outcome = ChildOutcome.objects.create(name="School achievement", slug="school")

    assert changed_tags(type(history), history, created=True) == set()
    assert changed_tags(ChildOutcome, outcome, created=False) == {EVERYTHING}
    assert changed_tags(Intervention, intervention) == {EVERYTHING}  # deleted
    assert intervention.cache_tags({"description"}) == {record_tag(Intervention, intervention.pk)}
    assert intervention.cache_tags({"name"}) == {
        record_tag(Intervention, intervention.pk),
        lists_tag(Intervention),
        record_tag(Project, project.pk),
    }
