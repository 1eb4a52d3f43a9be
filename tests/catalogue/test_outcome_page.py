"""The outcome page: what the outcome covers, and the published interventions with evidence
for it, strongest first, each with the impact found."""

import pytest
from django.urls import reverse

from tests.support.guidebook import listed_slugs
from tests.support.pages import main, parse


@pytest.fixture
def school(child_outcome_factory):
    return child_outcome_factory(
        name="Enhancing school achievement",
        description="Readiness for school, attendance and attainment.",
    )


def test_outcome_page_shows_its_name_and_description(school, visitor):
    page = main(visitor.get(school.get_absolute_url()))
    assert page.find("h1").text == "Enhancing school achievement"
    assert page.find("p", class_="lead").text == "Readiness for school, attendance and attainment."


def test_interventions_are_listed_strongest_first_with_unrated_last(
    school, intervention_factory, child_outcome_factory, visitor
):
    other = child_outcome_factory(name="Preventing crime")
    for name, rating in [
        ("Unrated", None),
        ("Bravo three", 30),
        ("Two", 20),
        ("Four plus", 45),
        ("Alpha three", 30),
    ]:
        intervention_factory(name=name, evidence_rating=rating, outcomes=[school])
    intervention_factory(name="Draft", evidence_rating=45, outcomes=[school], published=False)
    intervention_factory(name="Elsewhere", evidence_rating=45, outcomes=[other])
    intervention_factory(name="No outcome", evidence_rating=45)
    response = visitor.get(school.get_absolute_url())
    assert listed_slugs(response) == ["four-plus", "alpha-three", "bravo-three", "two", "unrated"]
    assert main(response).headings()[0] == (
        "5 interventions with evidence for this outcome, strongest first"
    )


def test_each_card_shows_the_impact_found_on_this_outcome(
    school, intervention_factory, child_outcome_factory, visitor
):
    crime = child_outcome_factory(name="Preventing crime")
    intervention_factory(
        name="Mentoring",
        outcomes=[(school, "Better attendance."), (crime, "Fewer arrests.")],
    )
    card = main(visitor.get(school.get_absolute_url())).find("article", class_="card")
    assert card.find("p", class_="card__impact").text == "Impact found: Better attendance."
    assert "Fewer arrests." not in card.text


def test_the_outcome_page_links_to_the_guidebook_filtered_by_it(school, visitor):
    links = main(visitor.get(school.get_absolute_url())).links()
    assert links["Filter these in the guidebook by rating and cost"] == (
        reverse("catalogue:guidebook") + f"?outcome={school.slug}"
    )


def test_an_outcome_without_interventions_says_so(school, visitor):
    page = main(visitor.get(school.get_absolute_url()))
    assert "No published intervention has evidence for this outcome yet." in page.text


def test_a_long_list_is_paged(school, intervention_factory, visitor):
    for number in range(23):
        intervention_factory(name=f"Programme {number:02d}", outcomes=[school])
    first = visitor.get(school.get_absolute_url())
    second = visitor.get(school.get_absolute_url(), {"page": "2"})
    assert len(listed_slugs(first)) == 20
    assert listed_slugs(second) == ["programme-20", "programme-21", "programme-22"]


def test_unknown_outcome_slug_is_404(visitor, db):
    response = visitor.get(reverse("catalogue:outcome-detail", args=["no-such"]))
    assert response.status_code == 404
    assert parse(response).find("h1").text == "Page not found"


def test_intervention_page_links_to_the_outcome_page(school, intervention_factory, visitor):
    intervention = intervention_factory(outcomes=[school])
    links = main(visitor.get(intervention.get_absolute_url())).section("Child outcomes").links()
    assert links == {"Enhancing school achievement": school.get_absolute_url()}
    assert visitor.get(school.get_absolute_url()).status_code == 200


def test_nl2_and_ne_programmes_are_left_out_as_in_the_guidebook(
    school, intervention_factory, visitor
):
    intervention_factory(name="Rated", evidence_rating=30, outcomes=[school])
    intervention_factory(name="Below two", evidence_rating=10, outcomes=[school])
    intervention_factory(name="Not effective", evidence_rating=5, outcomes=[school])
    assert listed_slugs(visitor.get(school.get_absolute_url())) == ["rated"]
