"""The factories make valid rows, so a failing test points at the product, not the set-up."""

import pytest

from catalogue.models import ChildOutcome
from projects.models import Role, Topic


@pytest.mark.parametrize(
    "name",
    [
        "organisation_factory",
        "topic_factory",
        "project_factory",
        "partnership_factory",
        "research_question_factory",
        "document_factory",
        "tagged_project_factory",
        "child_outcome_factory",
        "intervention_factory",
        "rating_definition_factory",
    ],
)
def test_each_factory_makes_a_row_that_passes_validation(name, request):
    made = request.getfixturevalue(name)()
    made.full_clean()
    assert type(made).objects.filter(pk=made.pk).exists()


def test_slugs_come_from_names_and_titles(project_factory, organisation_factory):
    assert project_factory(title="Family Group Conferences").slug == "family-group-conferences"
    assert organisation_factory(name="University of Greenwich").slug == "university-of-greenwich"


def test_projects_are_published_unless_asked(project_factory):
    assert project_factory().published
    assert not project_factory(published=False).published


def test_topics_are_given_by_name_or_as_topics(project_factory, topic_factory):
    existing = topic_factory(name="Kinship care")
    project = project_factory(topics=["Domestic abuse", existing])
    assert sorted(project.topics.names()) == ["Domestic abuse", "Kinship care"]
    assert Topic.objects.get(name="Domestic abuse").slug == "domestic-abuse"
    assert project_factory(topics=["Domestic abuse"]).topics.get() == Topic.objects.get(
        name="Domestic abuse"
    )


def test_partners_are_given_by_role(project_factory, organisation_factory):
    greenwich = organisation_factory()
    project = project_factory(delivery_partners=[greenwich], evaluation_partners=[greenwich])
    assert sorted(project.partnerships.values_list("role", flat=True)) == [
        Role.DELIVERY,
        Role.EVALUATION,
    ]


def test_documents_hold_a_real_pdf(document_factory):
    document = document_factory()
    with document.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert document.file_type == "PDF"
    assert not document_factory(without_file=True).file


def test_intervention_slugs_come_from_names(intervention_factory, child_outcome_factory):
    assert intervention_factory(name="Family Nurse Partnership").slug == "family-nurse-partnership"
    assert child_outcome_factory(name="Preventing crime").slug == "preventing-crime"


def test_interventions_are_published_unless_asked(intervention_factory):
    assert intervention_factory().published
    assert not intervention_factory(published=False).published


def test_outcomes_are_given_as_outcomes_names_or_pairs_with_the_impact(
    intervention_factory, child_outcome_factory
):
    school = child_outcome_factory(name="School achievement")
    intervention = intervention_factory(
        outcomes=[school, ("Preventing crime", "Fewer arrests."), ("Mental health", "")]
    )
    links = dict(intervention.outcome_links.values_list("tag__name", "impact"))
    assert links == {
        "School achievement": "",
        "Preventing crime": "Fewer arrests.",
        "Mental health": "",
    }
    assert ChildOutcome.objects.filter(name="Preventing crime").count() == 1
    assert intervention_factory(outcomes=["Preventing crime"]).outcomes.get().name == (
        "Preventing crime"
    )


def test_projects_are_given_the_interventions_they_study(project_factory, intervention_factory):
    intervention = intervention_factory()
    assert list(project_factory(interventions=[intervention]).interventions.all()) == [intervention]
