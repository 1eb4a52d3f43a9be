"""Projects and interventions link both ways: a project lists the interventions it studies,
an intervention the projects that studied it, and shared interventions relate projects."""

from django.urls import reverse

from tests.support.pages import main


def test_project_page_lists_the_published_interventions_it_studies(
    project_factory, intervention_factory, visitor
):
    studied = intervention_factory(name="Family Nurse Partnership")
    draft = intervention_factory(name="A draft programme", published=False)
    intervention_factory(name="Not studied")
    project = project_factory(interventions=[studied, draft])
    section = main(visitor.get(project.get_absolute_url())).section("Interventions studied")
    assert section.links() == {"Family Nurse Partnership": studied.get_absolute_url()}


def test_a_project_studying_only_drafts_shows_no_interventions_heading(
    project_factory, intervention_factory, visitor
):
    project = project_factory(interventions=[intervention_factory(published=False)])
    assert "Interventions studied" not in main(visitor.get(project.get_absolute_url())).headings()


def test_the_link_is_seen_from_both_sides(project_factory, intervention_factory, visitor):
    intervention = intervention_factory(name="Safe Steps")
    project = project_factory(title="Safe Steps feasibility study", interventions=[intervention])
    from_project = main(visitor.get(project.get_absolute_url())).section("Interventions studied")
    from_intervention = main(visitor.get(intervention.get_absolute_url())).section(
        "Research projects that studied it"
    )
    assert from_project.links() == {"Safe Steps": intervention.get_absolute_url()}
    assert from_intervention.links() == {"Safe Steps feasibility study": project.get_absolute_url()}


def test_projects_studying_the_same_intervention_are_related(
    project_factory, intervention_factory, visitor
):
    shared = intervention_factory()
    subject = project_factory(title="Subject", interventions=[shared, intervention_factory()])
    neighbour = project_factory(title="Neighbour", interventions=[shared])
    project_factory(title="Stranger", interventions=[intervention_factory()])
    project_factory(title="Unstudied")
    related = main(visitor.get(subject.get_absolute_url())).section("Related projects")
    assert related.links() == {"Neighbour": neighbour.get_absolute_url()}
    listed = main(visitor.get(reverse("projects:related-list", args=[subject.slug])))
    titles = [title.text for title in listed.find_all("h3", class_="card__title")]
    assert titles == ["Neighbour"]


def test_more_shared_interventions_rank_a_project_higher(
    project_factory, intervention_factory, visitor
):
    first, second = intervention_factory(), intervention_factory()
    subject = project_factory(title="Subject", interventions=[first, second])
    # Created first, so that only the shared count, not recency, can put it first.
    project_factory(title="Two in common", interventions=[first, second])
    project_factory(title="One in common", interventions=[first])
    related = main(visitor.get(subject.get_absolute_url())).section("Related projects")
    assert related.items() == ["Two in common", "One in common"]
