"""Every page that shows cards shows each card's own tags: an intervention's child
outcomes, a project's topics."""

import pytest
from django.urls import reverse

from ratings.scales import EvidenceRating
from tests.support.pages import main


def card_tags(response) -> dict[str, list[str]]:
    """Each card's title and the tags listed on it."""
    assert response.status_code == 200
    cards = {}
    for card in main(response).find_all("article", class_="card"):
        tags = card.find_all("ul", class_="tags")
        cards[card.find("h3", class_="card__title").text] = tags[0].items() if tags else []
    return cards


@pytest.fixture
def interventions(intervention_factory, child_outcome_factory):
    wellbeing = child_outcome_factory(name="Wellbeing", slug="wellbeing")
    school = child_outcome_factory(name="School", slug="school")
    intervention_factory(name="Both", outcomes=[wellbeing, school])
    intervention_factory(name="Wellbeing only", outcomes=[wellbeing])
    intervention_factory(name="None")
    for name in ("Weak", "Ineffective"):
        rating = EvidenceRating.BELOW_LEVEL_2 if name == "Weak" else EvidenceRating.NOT_EFFECTIVE
        intervention_factory(name=name, evidence_rating=rating, outcomes=[school])


def test_guidebook_cards_list_their_outcomes(interventions, visitor):
    assert card_tags(visitor.get(reverse("catalogue:guidebook"))) == {
        "Both": ["Wellbeing", "School"],
        "Wellbeing only": ["Wellbeing"],
        "None": [],
    }


def test_outcome_page_cards_list_their_outcomes(interventions, visitor):
    page = visitor.get(reverse("catalogue:outcome-detail", args=["wellbeing"]))
    assert card_tags(page) == {"Both": ["Wellbeing", "School"], "Wellbeing only": ["Wellbeing"]}


def test_other_programmes_cards_list_their_outcomes(interventions, visitor):
    page = visitor.get(reverse("catalogue:other-programmes"))
    assert card_tags(page) == {"Weak": ["School"], "Ineffective": ["School"]}


@pytest.fixture
def projects(project_factory, organisation_factory):
    refuge = organisation_factory(name="Refuge", slug="refuge")
    subject = project_factory(
        title="Subject", topics=["Domestic abuse", "Kinship care"], delivery_partners=[refuge]
    )
    project_factory(title="Neighbour", topics=["Domestic abuse"], delivery_partners=[refuge])
    return subject


PROJECT_PAGES = {
    "home": lambda subject: reverse("portal:home"),
    "project list": lambda subject: reverse("projects:project-list"),
    "partner page": lambda subject: reverse("projects:partner-detail", args=["refuge"]),
}


@pytest.mark.parametrize("page", PROJECT_PAGES)
def test_project_cards_list_their_topics(projects, visitor, page):
    assert card_tags(visitor.get(PROJECT_PAGES[page](projects))) == {
        "Subject": ["Domestic abuse", "Kinship care"],
        "Neighbour": ["Domestic abuse"],
    }


def test_related_projects_cards_list_their_topics(projects, visitor):
    page = visitor.get(reverse("projects:related-list", args=[projects.slug]))
    assert card_tags(page) == {"Neighbour": ["Domestic abuse"]}


def test_a_cards_outcomes_and_topics_are_in_their_own_order_however_they_were_linked(
    intervention_factory, child_outcome_factory, project_factory, visitor
):
    first = child_outcome_factory(name="Wellbeing", slug="wellbeing", position=1)
    second = child_outcome_factory(name="School", slug="school", position=2)
    intervention_factory(name="Linked last first", outcomes=[second, first])
    project_factory(title="Tagged backwards", topics=["Youth justice", "Adoption"])
    guidebook = card_tags(visitor.get(reverse("catalogue:guidebook")))
    assert guidebook["Linked last first"] == ["Wellbeing", "School"]
    projects = card_tags(visitor.get(reverse("projects:project-list")))
    assert projects["Tagged backwards"] == ["Adoption", "Youth justice"]
