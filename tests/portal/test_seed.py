"""The seed content: every fact of the two seed project pages, as a visitor reads it, the
seven child outcomes and the meaning of every rating."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from catalogue.models import ChildOutcome
from ratings.models import RatingDefinition, Scale
from ratings.scales import CostRating, EvidenceRating
from tests.support.pages import main

FIRST = "domestic-abuse-interventions-in-childrens-social-care"
SECOND = "working-with-domestic-abuse-perpetrators-re-engaging-with-families"
CORE_OUTCOME_SET = "developing-outcome-measures-domestic-abuse-core-outcome-set"
RESTART = "a-feasibility-study-of-the-restart-programme"

FIRST_DELIVERY_PARTNERS = [
    "For Baby’s Sake Trust",
    "Early Years Alliance",
    "Lambeth Early Action Partnership (LEAP) & Refuge",
    "Survive and Thrive Integrated Children’s Service",
]
SECOND_RESEARCH_QUESTIONS = [
    "What factors are relevant (to perpetrators, survivors and professionals) in developing "
    "protocols for the re-engagement of domestic abuse perpetrators with their children/families?",
    "Do perpetrators, survivors and professionals think that it is appropriate/possible to "
    "develop protocols?",
    "What are the risks to take into account when developing protocols?",
    "What would a protocol need to contain to support perpetrators, survivors and professionals?",
]


@pytest.fixture
def first_page(seed, visitor):
    response = visitor.get(reverse("projects:project-detail", args=[FIRST]))
    assert response.status_code == 200
    return main(response)


@pytest.fixture
def second_page(seed, visitor):
    response = visitor.get(reverse("projects:project-detail", args=[SECOND]))
    assert response.status_code == 200
    return main(response)


def facts(page) -> dict[str, str]:
    return page.find("dl", class_="facts").definitions()


def test_first_project_shows_its_title_and_summary(first_page):
    assert first_page.find("h1").text == "Domestic abuse interventions in children’s social care"
    assert first_page.find("p", class_="lead").text == (
        "This protocol is for the domestic abuse interventions in children’s social care "
        "feasibility study, an exploratory study helping to refine domestic abuse interventions "
        "linked to children's outcomes."
    )


def test_first_project_is_a_feasibility_study_in_progress_due_april_2023(first_page):
    shown = facts(first_page)
    assert shown["Status"] == "Feasibility study / In progress"
    assert shown["Estimated completion"] == "April 2023"


def test_first_project_lists_its_four_delivery_partners_with_links(first_page):
    partners = first_page.section("Delivery partners").find_all("a")
    assert sorted(link.text for link in partners) == sorted(FIRST_DELIVERY_PARTNERS)
    assert {link.attrs["href"] for link in partners} == {
        reverse("projects:partner-detail", args=[slug])
        for slug in [
            "for-babys-sake-trust",
            "early-years-alliance",
            "lambeth-early-action-partnership-leap-refuge",
            "survive-and-thrive-integrated-childrens-service",
        ]
    }


def test_first_project_has_no_evaluation_partners_heading(first_page):
    assert "Evaluation partners" not in first_page.headings()


def test_first_project_body_renders_its_numbered_list_and_bullet_aims(first_page):
    prose = first_page.find("div", class_="prose")
    numbered = prose.find("ol")
    assert numbered.items() == [
        "Physical or sexual abuse",
        "Violent or threatening behaviour",
        "Controlling or coercive behaviour",
        "Economic abuse",
        "Psychological, emotional, or other abuse",
    ]
    aims = prose.find("ul").items()
    assert len(aims) == 3
    assert aims[0].startswith("Better understand the activities and impacts of interventions")
    assert (
        aims[1]
        == "To explore the evidence of promise and acceptability of the interventions we’re working with"
    )
    assert (
        aims[2]
        == "To explore the readiness for impact evaluation of the interventions we’re working with"
    )
    assert "spring 2023" in prose.text


def test_first_project_shows_the_second_as_related(first_page):
    related = first_page.section("Related projects").find_all("a")
    assert related[0].text == "Working with domestic abuse perpetrators re-engaging with families"
    assert related[0].attrs["href"] == reverse("projects:project-detail", args=[SECOND])


def test_second_project_shows_its_title_summary_and_study_type(second_page):
    assert second_page.find("h1").text == (
        "Working with domestic abuse perpetrators re-engaging with families"
    )
    assert second_page.find("p", class_="lead").text.startswith(
        "This protocol summarises plans for factors that should be considered"
    )
    assert facts(second_page)["Status"] == "Qualitative study / In progress"


def test_university_of_greenwich_both_delivers_and_evaluates_the_second_project(second_page):
    assert second_page.section("Delivery partners").items() == ["University of Greenwich"]
    assert second_page.section("Evaluation partners").items() == ["University of Greenwich"]


def test_second_project_numbers_its_four_research_questions_in_order(second_page):
    questions = second_page.section("Research questions").find("ol")
    assert questions.items() == SECOND_RESEARCH_QUESTIONS


def test_second_project_body_keeps_its_subheading(second_page):
    prose = second_page.find("div", class_="prose")
    assert prose.headings() == ["Who, what, why and how?"]
    assert "The delivery and evaluation partner for this is the University of Greenwich." in (
        prose.text
    )


def test_protocol_without_a_file_is_listed_by_title_without_a_link(second_page):
    documents = second_page.section("Documents")
    assert documents.items() == [
        "University of Greenwich Domestic Abuse Perpetrator Research Protocol "
        "Protocol, not yet available to download"
    ]
    assert documents.find_all("a") == []


def test_second_project_is_due_to_be_completed_by_february_2024(second_page):
    assert second_page.section("Due date").text == (
        "Due date This project is due to be completed by February 2024."
    )


def test_second_project_links_the_related_projects_its_page_names(second_page):
    links = second_page.section("Related projects").links()
    assert links["Developing outcome measures: Domestic abuse core outcome set"] == reverse(
        "projects:project-detail", args=[CORE_OUTCOME_SET]
    )
    assert links["A feasibility study of the Restart programme"] == reverse(
        "projects:project-detail", args=[RESTART]
    )


@pytest.mark.parametrize("slug", [CORE_OUTCOME_SET, RESTART])
def test_related_projects_named_by_the_seed_have_pages_of_their_own(seed, visitor, slug):
    response = visitor.get(reverse("projects:project-detail", args=[slug]))
    assert response.status_code == 200
    related = main(response).section("Related projects").links()
    assert related["Working with domestic abuse perpetrators re-engaging with families"] == (
        reverse("projects:project-detail", args=[SECOND])
    )


def test_seed_projects_are_listed_newest_first(seed, visitor):
    page = main(visitor.get(reverse("projects:project-list")))
    assert page.find("h2", class_="results-count").text == "4 projects"
    assert [title.text for title in page.find_all("h3", class_="card__title")] == [
        "Working with domestic abuse perpetrators re-engaging with families",
        "A feasibility study of the Restart programme",
        "Developing outcome measures: Domestic abuse core outcome set",
        "Domestic abuse interventions in children’s social care",
    ]


def dump_projects() -> str:
    out = StringIO()
    call_command("dumpdata", "projects", "--indent=1", stdout=out)
    return out.getvalue()


def test_loading_the_seed_twice_changes_nothing(seed):
    first = dump_projects()
    call_command("loaddata", "seed", verbosity=0)
    assert dump_projects() == first
    assert '"model": "projects.project"' in first


def test_there_is_no_placeholder_text_in_fixtures_or_templates():
    checked = [
        path
        for folder in ("fixtures", "templates")
        for path in (Path(settings.BASE_DIR) / folder).rglob("*")
        if path.is_file()
    ]
    assert any(path.name == "seed.json" for path in checked)
    offenders = [path for path in checked if "lorem ipsum" in path.read_text().lower()]
    assert offenders == []


def test_the_seed_loads_the_seven_child_outcomes_with_real_descriptions(seed):
    outcomes = list(ChildOutcome.objects.all())
    assert [outcome.name for outcome in outcomes] == [
        "Supporting children’s mental health and wellbeing",
        "Preventing child maltreatment",
        "Enhancing school achievement & employment",
        "Preventing crime, violence and antisocial behaviour",
        "Preventing substance abuse",
        "Preventing risky sexual behaviour & teen pregnancy",
        "Preventing obesity and promoting healthy physical development",
    ]
    descriptions = [outcome.description for outcome in outcomes]
    assert len(set(descriptions)) == 7
    for description in descriptions:
        assert len(description.split()) >= 12, description
        assert "lorem" not in description.lower()
        assert "ipsum" not in description.lower()


def test_the_seed_defines_every_rating_once(seed):
    definitions = RatingDefinition.objects.all()
    assert definitions.count() == 16
    assert sorted(definitions.values_list("scale", "value")) == sorted(
        [(Scale.EVIDENCE, rating.value) for rating in EvidenceRating]
        + [(Scale.COST, rating.value) for rating in CostRating]
        + [(Scale.MIXED_FINDINGS, 0), (Scale.NOT_YET_RATED, 0)]
    )
    assert all(definition.definition.strip() for definition in definitions)


def test_each_seed_outcome_has_a_page_with_its_description(seed, visitor):
    for outcome in ChildOutcome.objects.all():
        page = main(visitor.get(outcome.get_absolute_url()))
        assert page.find("h1").text == outcome.name
        assert page.find("p", class_="lead").text == outcome.description
