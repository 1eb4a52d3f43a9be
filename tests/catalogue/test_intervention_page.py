"""The intervention page: the draft rule for each persona, both ratings and what they mean,
the outcomes with the impact found, who it is for, how it is delivered, and the projects
that studied it. Its studies and findings are in test_intervention_studies_page.py."""

import datetime

import pytest
from django.urls import reverse

from tests.support.pages import main, parse

DRAFT_BANNER = "This page is not published: only editors can see it."
LEVEL_3 = "Has evidence of a short-term positive impact from at least one rigorous study."
MIXED = (
    "The evidence base includes mixed findings i.e., studies suggesting positive impact "
    "alongside studies, which on balance, indicate no effect or negative impact."
)
COST_2 = (
    "Set up and delivery is medium-low cost, equivalent to an estimated unit cost of £100–£499."
)
NOT_YET_RATED = (
    "We have not yet assessed the evidence for this intervention, or not yet estimated its cost."
)
NL2 = (
    "The best available evidence does not reach the level 2 standard: there is not yet enough "
    "evidence to say whether it improves child outcomes."
)


def ratings(intervention, client) -> list[dict]:
    """Each rating on the page: its badge as a screen reader reads it, and what follows it."""
    panel = main(client.get(intervention.get_absolute_url())).section("Ratings")
    return [
        {
            "badge": item.find("a").spoken_text,
            "href": item.find("a").attrs["href"],
            "meaning": [paragraph.spoken_text for paragraph in item.find_all("p")],
        }
        for item in panel.find_all("div", class_="rating-panel__item")
    ]


@pytest.fixture
def draft(intervention_factory):
    return intervention_factory(name="A programme not yet announced", published=False)


@pytest.mark.parametrize("persona", ["visitor", "outsider"])
def test_unpublished_intervention_is_404_for_the_public(draft, persona, request):
    response = request.getfixturevalue(persona).get(draft.get_absolute_url())
    assert response.status_code == 404
    assert "A programme not yet announced" not in response.content.decode()


def test_unpublished_intervention_is_shown_to_staff_with_a_draft_banner(draft, editor):
    response = editor.get(draft.get_absolute_url())
    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text == "A programme not yet announced"
    assert DRAFT_BANNER in page.find("div", class_="draft-banner").text


@pytest.mark.parametrize("persona", ["visitor", "outsider", "editor"])
def test_published_intervention_is_shown_to_everyone_without_a_banner(
    intervention_factory, persona, request
):
    intervention = intervention_factory(name="Family Nurse Partnership")
    response = request.getfixturevalue(persona).get(intervention.get_absolute_url())
    assert response.status_code == 200
    assert parse(response).find("h1").text == "Family Nurse Partnership"
    assert parse(response).find_all("div", class_="draft-banner") == []


def test_unknown_intervention_slug_is_404(visitor, db):
    response = visitor.get(reverse("catalogue:intervention-detail", args=["no-such"]))
    assert response.status_code == 404
    assert parse(response).find("h1").text == "Page not found"


def test_both_ratings_are_shown_with_their_meaning_and_the_star_explained(
    seed, intervention_factory, visitor
):
    intervention = intervention_factory(evidence_rating=30, mixed_findings=True, cost_rating=2)
    explained = reverse("ratings:explained")
    assert ratings(intervention, visitor) == [
        {
            "badge": "Evidence rating 3, with mixed findings",
            "href": f"{explained}#evidence-3",
            "meaning": [LEVEL_3, MIXED],
        },
        {
            "badge": "Cost rating 2 of 5, medium-low cost",
            "href": f"{explained}#cost-2",
            "meaning": [COST_2],
        },
    ]


def test_the_star_is_not_explained_without_mixed_findings(seed, intervention_factory, visitor):
    intervention = intervention_factory(evidence_rating=30, mixed_findings=False)
    evidence, _ = ratings(intervention, visitor)
    assert evidence["badge"] == "Evidence rating 3"
    assert evidence["meaning"] == [LEVEL_3]


def test_an_unrated_intervention_says_so_and_what_that_means(seed, intervention_factory, visitor):
    intervention = intervention_factory(evidence_rating=None, cost_rating=None)
    evidence, cost = ratings(intervention, visitor)
    assert evidence["badge"] == "Evidence rating not yet rated"
    assert evidence["meaning"] == [NOT_YET_RATED]
    assert cost["badge"] == "Cost rating not yet rated"
    assert evidence["href"].endswith("#not-yet-rated")


def test_an_nl2_programme_shows_what_nl2_means(seed, intervention_factory, visitor):
    intervention = intervention_factory(evidence_rating=10, cost_rating=9)
    evidence, cost = ratings(intervention, visitor)
    assert evidence["badge"] == "Evidence rating NL2 (NL2: evidence below level 2)"
    assert evidence["meaning"] == [NL2]
    assert cost["badge"] == "Cost rating not applicable"
    assert cost["href"].endswith("#cost-na")


def test_a_rating_is_said_not_to_be_a_recommendation(intervention_factory, visitor):
    panel = main(visitor.get(intervention_factory().get_absolute_url())).section("Ratings")
    note = panel.find("p", class_="note").text
    assert "it is not a recommendation" in note


def test_outcomes_are_listed_with_the_impact_found(
    intervention_factory, child_outcome_factory, visitor
):
    school = child_outcome_factory(name="School achievement", position=2)
    health = child_outcome_factory(name="Mental health", position=1)
    crime = child_outcome_factory(name="Preventing crime", position=3)
    intervention = intervention_factory(
        outcomes=[(school, "Better reading at age 7."), crime, (health, "Less anxiety.")]
    )
    section = main(visitor.get(intervention.get_absolute_url())).section("Child outcomes")
    entries = [
        (
            entry.find("dt").text,
            entry.find("a").attrs["href"],
            [detail.text for detail in entry.find_all("dd")],
        )
        for entry in section.find("dl").children
        if not isinstance(entry, str)
    ]
    assert entries == [
        ("Mental health", health.get_absolute_url(), ["Less anxiety."]),
        ("School achievement", school.get_absolute_url(), ["Better reading at age 7."]),
        ("Preventing crime", crime.get_absolute_url(), []),
    ]


def test_without_outcomes_there_is_no_outcomes_heading(intervention_factory, visitor):
    page = main(visitor.get(intervention_factory().get_absolute_url()))
    assert "Child outcomes" not in page.headings()


def test_who_it_is_for_and_the_model_s_characteristics(intervention_factory, visitor):
    intervention = intervention_factory(
        age_groups=["0-2", "3-5"],
        level_of_need=["targeted-selected"],
        delivery_model=["individual", "group"],
        setting=[],
        workforce="Specialist nurses",
        country="United States",
        uk_available=True,
        uk_tested=False,
        provider="FNP National Unit",
        website="https://fnp.example.org/",
    )
    page = main(visitor.get(intervention.get_absolute_url()))
    audience = page.section("Who it is for and who was studied").find_all("dl", class_="facts")[0]
    assert audience.definitions() == {
        "Age groups": "Babies and toddlers (0–2), Pre-school (3–5)",
        "Level of need": "Targeted selected",
    }
    section = page.section("Model characteristics")
    assert section.find("dl", class_="facts").definitions() == {
        "Delivery model": "Individual, Group",
        "Setting": "Not recorded",
        "Workforce": "Specialist nurses",
        "Country of origin": "United States",
        "Available in the UK": "Yes",
        "Tested in the UK": "No",
        "Provider": "FNP National Unit",
    }
    assert section.links() == {"FNP National Unit": "https://fnp.example.org/"}


def test_provider_without_a_website_is_plain_text(intervention_factory, visitor):
    intervention = intervention_factory(provider="Barnardos", website="")
    section = main(visitor.get(intervention.get_absolute_url())).section("Model characteristics")
    assert section.find("dl", class_="facts").definitions()["Provider"] == "Barnardos"
    assert section.links() == {}


def test_published_projects_that_studied_it_are_listed(
    intervention_factory, project_factory, visitor
):
    intervention = intervention_factory()
    study = project_factory(title="A feasibility study", interventions=[intervention])
    project_factory(title="A draft study", published=False, interventions=[intervention])
    project_factory(title="Unrelated study")
    section = main(visitor.get(intervention.get_absolute_url())).section(
        "Research projects that studied it"
    )
    assert section.links() == {"A feasibility study": study.get_absolute_url()}


def test_without_projects_there_is_no_projects_heading(
    intervention_factory, project_factory, visitor
):
    intervention = intervention_factory()
    project_factory(published=False, interventions=[intervention])
    page = main(visitor.get(intervention.get_absolute_url()))
    assert "Research projects that studied it" not in page.headings()


def test_publication_and_review_dates_are_shown(intervention_factory, visitor):
    intervention = intervention_factory(
        first_published=datetime.date(2023, 1, 9), last_reviewed=datetime.date(2024, 3, 5)
    )
    page = main(visitor.get(intervention.get_absolute_url()))
    assert page.find("p", class_="updated").text == (
        "First published 9 January 2023. Evidence last reviewed 5 March 2024."
    )


def test_an_intervention_never_reviewed_says_so(intervention_factory, visitor):
    page = main(visitor.get(intervention_factory(last_reviewed=None).get_absolute_url()))
    assert page.find("p", class_="updated").text == "Evidence not yet reviewed."


def test_description_markup_cannot_run_scripts(intervention_factory, visitor):
    intervention = intervention_factory(description="Hi <script>alert('x')</script> **there**")
    prose = main(visitor.get(intervention.get_absolute_url())).find("div", class_="prose")
    assert prose.find_all("script") == []
    assert prose.find("strong").text == "there"


def test_page_title_and_description_come_from_the_intervention(intervention_factory, visitor):
    intervention = intervention_factory(name="Safe Steps", summary="Support after abuse.")
    page = parse(visitor.get(intervention.get_absolute_url()))
    assert page.find("title").text.startswith("Safe Steps")
    assert page.find("meta", name="description").attrs["content"] == "Support after abuse."
    assert page.find("p", class_="lead").text == "Support after abuse."
