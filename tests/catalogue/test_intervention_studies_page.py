"""The intervention page shows its working: the evidence summary, each outcome's
sub-outcomes linked to the studies they rest on, who was studied beside who it is for,
implementation and cost, and Study 1…N with its facts and a table of its findings; in a
fixed number of queries however many studies. The comparison and the CSV export carry
the evidence summary too."""

import decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import Direction, StudyDesign, StudyLevel
from tests.support.factories import ChildOutcomeFactory, FindingFactory, StudyFactory
from tests.support.guidebook import csv_rows, guidebook_url
from tests.support.pages import Node, main

SUMMARY = (
    "Based on 3 studies: 2 count towards the rating, 1 conducted independently of the "
    "provider, 1 in the UK."
)


@pytest.fixture
def studied(intervention_factory):
    """Three studies: two that count (one independent, in England; one in the United
    States that reports little), and one that does not count, on an outcome the
    intervention is not listed for."""
    reading = ChildOutcomeFactory(name="School achievement", position=1)
    behaviour = ChildOutcomeFactory(name="Behaviour", position=2)
    crime = ChildOutcomeFactory(name="Preventing crime", position=3)
    intervention = intervention_factory(
        name="Reading Together",
        summary="Parents read with their children every day.",
        description="A **ten-week** programme for parents.",
        provider="Reading Together Trust",
        outcomes=[(reading, "Better reading at age 7."), behaviour],
        age_groups=["3-5", "6-11"],
        level_of_need=["universal"],
    )
    first = StudyFactory(
        intervention=intervention,
        citation="Smith, J. (2019). Reading Together: a trial. Journal of Reading, 4(2).",
        doi="10.1000/rt.2019",
        registry_ids="ISRCTN12345678; NCT01234567",
        design=StudyDesign.RCT,
        level=StudyLevel.LEVEL_3,
        counts_towards_rating=True,
        rating_note="A well-run trial with low attrition.",
        independent=True,
        country="England",
        sample_intervention=120,
        sample_comparison=118,
        population_ages="3 to 5 years",
        population_need="Universal",
        ethnicity="62% White British, 20% Asian British, 18% other",
        measures="British Picture Vocabulary Scale",
        limitations="Parents chose to take part.",
    )
    FindingFactory(
        study=first,
        outcome=reading,
        sub_outcome="Improved reading",
        measure="British Picture Vocabulary Scale",
        statement="9.18-point improvement on the reading scale.",
        direction=Direction.FAVOURABLE,
        effect_size=decimal.Decimal("0.35"),
        improvement_index=14,
        months_after_end=12,
    )
    FindingFactory(
        study=first,
        outcome=behaviour,
        sub_outcome="Behaviour problems",
        measure="Strengths and Difficulties Questionnaire",
        statement="No difference between the groups.",
        direction=Direction.NO_EFFECT,
        months_after_end=0,
    )
    second = StudyFactory(
        intervention=intervention,
        citation="Jones, K. (2021). Reading at home. Child Development, 9(1).",
        design=StudyDesign.QED,
        level=StudyLevel.LEVEL_2,
        counts_towards_rating=True,
        independent=False,
        country="United States",
        sample_intervention=None,
        sample_comparison=None,
    )
    FindingFactory(
        study=second,
        outcome=reading,
        sub_outcome="Improved reading",
        measure="",
        statement="",
        direction=Direction.FAVOURABLE,
        months_after_end=6,
    )
    third = StudyFactory(
        intervention=intervention,
        citation="Brown, L. (2015). A look before and after. Report.",
        design=StudyDesign.PRE_POST,
        level=StudyLevel.BELOW_2,
        counts_towards_rating=False,
        rating_note="Without a comparison group it cannot show the programme made the difference.",
        country="",
        sample_comparison=None,
    )
    FindingFactory(
        study=third,
        outcome=crime,
        sub_outcome="Offending",
        measure="Police records",
        statement="More offending after the programme.",
        direction=Direction.UNFAVOURABLE,
        months_after_end=None,
    )
    intervention.refresh_from_db()
    return intervention


def page(client, intervention) -> Node:
    response = client.get(intervention.get_absolute_url())
    assert response.status_code == 200
    return main(response)


def study(page: Node, number: int) -> Node:
    return page.find("section", id=f"study-{number}")


def facts(section: Node) -> dict[str, str]:
    return {
        key: value
        for dl in section.find_all("dl", class_="facts")
        for key, value in dl.definitions().items()
    }


def findings(section: Node) -> list[list[str]]:
    """The findings table's rows, its header row first."""
    table = section.find("table", class_="findings")
    return [
        [cell.text for cell in row.children if not isinstance(cell, str)]
        for row in table.find_all("tr")
    ]


def test_the_sections_follow_the_order_a_reader_needs(studied, project_factory, visitor):
    project_factory(title="A trial of Reading Together", interventions=[studied])
    studied.evidence_rating = 40
    studied.save()  # a rating change for the change log
    assert page(visitor, studied).headings() == [
        "About the intervention",
        "Ratings",
        "Child outcomes",
        "Who it is for and who was studied",
        "Model characteristics",
        "Implementation and cost",
        "Studies",
        "Research projects that studied it",
        "Change log",
    ]


def test_headings_never_skip_a_level(studied, visitor):
    response = visitor.get(studied.get_absolute_url())
    levels = [
        int(node.tag[1])
        for node in _walk(main(response))
        if node.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}
    ]
    assert levels[0] == 1
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:], strict=False))
    assert page(visitor, studied).headings("h3")[-3:] == ["Study 1", "Study 2", "Study 3"]


def _walk(node: Node):
    for child in node.children:
        if not isinstance(child, str):
            yield child
            yield from _walk(child)


def test_the_provider_s_description_is_marked_as_theirs(studied, visitor):
    about = page(visitor, studied).section("About the intervention")
    assert about.find("p", class_="provenance").text == (
        "Description supplied by the provider, Reading Together Trust."
    )
    assert about.find("div", class_="prose").find("strong").text == "ten-week"


def test_the_ratings_carry_the_evidence_summary_and_a_link_to_the_studies(studied, visitor):
    shown = page(visitor, studied)
    summary = shown.section("Ratings").find("p", class_="evidence-summary")
    assert summary.text == SUMMARY + " Read about each study and what it found"
    assert summary.links() == {"Read about each study and what it found": "#studies"}
    assert shown.find("section", id="studies").find("h2").text == "Studies"


def test_without_studies_the_summary_says_so_and_there_is_no_studies_section(
    intervention_factory, visitor
):
    shown = page(visitor, intervention_factory())
    summary = shown.section("Ratings").find("p", class_="evidence-summary")
    assert summary.text == "No studies recorded yet."
    assert summary.links() == {}
    assert "Studies" not in shown.headings()


def test_each_outcome_lists_its_sub_outcomes_with_links_to_their_studies(studied, visitor):
    shown = page(visitor, studied)
    outcomes = shown.section("Child outcomes")
    entries = [
        (entry.find("dt").text, [detail.text for detail in entry.find_all("dd")])
        for entry in outcomes.find("dl").children
        if not isinstance(entry, str)
    ]
    assert entries == [
        (
            "School achievement",
            ["Better reading at age 7.", "Improved reading, based on study 1 and study 2"],
        ),
        ("Behaviour", ["Behaviour problems (no effect), based on study 1"]),
        (
            "Preventing crime",
            [
                "Measured in its studies, but not one of the outcomes it is listed for.",
                "Offending (unfavourable), based on study 3",
            ],
        ),
    ]
    based_on = [
        link.attrs["href"]
        for detail in outcomes.find_all("dd", class_="based-on")
        for link in detail.find_all("a")
    ]
    assert based_on == ["#study-1", "#study-2", "#study-1", "#study-3"]
    for href in based_on:
        assert study(shown, int(href.removeprefix("#study-"))).attrs["id"] == href[1:]


def test_who_was_studied_is_shown_beside_who_it_is_for(studied, visitor):
    section = page(visitor, studied).section("Who it is for and who was studied")
    assert section.headings("h3") == ["Who it is for", "Who was studied"]
    intended, evaluated = section.find_all("dl", class_="facts")
    assert intended.definitions() == {
        "Age groups": "Pre-school (3–5), Primary school (6–11)",
        "Level of need": "Universal",
    }
    # Only the studies that count towards the rating, each saying plainly what it leaves out.
    assert [term.text for term in evaluated.find_all("dt")] == [
        "Ages",
        "Level of need",
        "Ethnicity",
    ]
    assert [detail.items() for detail in evaluated.find_all("dd")] == [
        ["Study 1: 3 to 5 years", "Study 2: Not reported"],
        ["Study 1: Universal", "Study 2: Not reported"],
        ["Study 1: 62% White British, 20% Asian British, 18% other", "Study 2: Not reported"],
    ]
    assert set(evaluated.links().values()) == {"#study-1", "#study-2"}


def test_without_counting_studies_there_is_no_population_as_evaluated(
    intervention_factory, visitor
):
    intervention = intervention_factory(evidence_rating=None)
    StudyFactory(intervention=intervention, counts_towards_rating=False)
    section = page(visitor, intervention).section("Who it is for and who was studied")
    assert "No study counts towards the rating yet" in section.text
    assert len(section.find_all("dl", class_="facts")) == 1


def test_each_study_shows_its_facts(studied, visitor):
    shown = page(visitor, studied)
    first = study(shown, 1)
    assert first.find("h3").text == "Study 1"
    assert first.find("p", class_="study__citation").text == (
        "Smith, J. (2019). Reading Together: a trial. Journal of Reading, 4(2)."
    )
    assert facts(first) == {
        "DOI": "https://doi.org/10.1000/rt.2019",
        "Trial registration": "ISRCTN12345678NCT01234567",
        "Design": "Randomised controlled trial",
        "Level reached": "Level 3",
        "Counts towards the rating": "Yes: the evidence rating rests on it. "
        "A well-run trial with low attrition.",
        "Conducted independently of the provider": "Yes",
        "Country": "England",
        "Sample": "Intervention group: 120; comparison group: 118",
        "Ages as evaluated": "3 to 5 years",
        "Level of need as evaluated": "Universal",
        "Ethnicity as reported": "62% White British, 20% Asian British, 18% other",
        "Measures": "British Picture Vocabulary Scale",
        "Limitations": "Parents chose to take part.",
    }
    assert first.links() == {
        "https://doi.org/10.1000/rt.2019": "https://doi.org/10.1000/rt.2019",
        "ISRCTN12345678": "https://www.isrctn.com/ISRCTN12345678",
        "NCT01234567": "https://clinicaltrials.gov/study/NCT01234567",
        # The first study links its terms to the glossary; the others do not repeat them.
        "Randomised controlled trial": "/help/glossary/#rct",
        "Counts towards the rating": "/help/glossary/#counting-study",
        "Conducted independently of the provider": "/help/glossary/#independent-study",
        "Effect size": "/help/glossary/#effect-size",
        "Improvement index": "/help/glossary/#improvement-index",
    }


def test_what_a_study_does_not_report_is_said_plainly(studied, visitor):
    shown = page(visitor, studied)
    assert facts(study(shown, 2)) == {
        "Design": "Quasi-experimental design",
        "Level reached": "Level 2",
        "Counts towards the rating": "Yes: the evidence rating rests on it.",
        "Conducted independently of the provider": "No",
        "Country": "United States",
        "Sample": "Intervention group: not reported; comparison group: not reported",
        "Ages as evaluated": "Not reported",
        "Level of need as evaluated": "Not reported",
        "Ethnicity as reported": "Not reported",
        "Measures": "Not recorded",
        "Limitations": "Not recorded",
    }
    assert study(shown, 2).links() == {}


def test_a_study_that_does_not_count_says_why(studied, visitor):
    third = facts(study(page(visitor, studied), 3))
    assert third["Counts towards the rating"] == (
        "No: its findings are reported here, but the evidence rating does not rest on them. "
        "Without a comparison group it cannot show the programme made the difference."
    )
    assert third["Level reached"] == "Below level 2"
    assert third["Country"] == "Not reported"
    assert third["Sample"] == "Intervention group: 120; comparison group: not reported"


def test_each_study_has_a_table_of_its_findings_in_words(studied, visitor):
    shown = page(visitor, studied)
    header = [
        "Outcome", "Sub-outcome", "Measure", "What was found", "Direction", "Effect size",
        "Improvement index", "When measured",
    ]  # fmt: skip
    assert findings(study(shown, 1)) == [
        header,
        [
            "School achievement", "Improved reading", "British Picture Vocabulary Scale",
            "9.18-point improvement on the reading scale.", "Favourable", "0.35", "14",
            "12 months after the end (long term)",
        ],
        [
            "Behaviour", "Behaviour problems", "Strengths and Difficulties Questionnaire",
            "No difference between the groups.", "No effect", "Not known", "Not known",
            "At the end of the intervention (short term)",
        ],
    ]  # fmt: skip
    assert findings(study(shown, 2))[1] == [
        "School achievement", "Improved reading", "Not recorded", "Not recorded",
        "Favourable", "Not known", "Not known", "6 months after the end (short term)",
    ]  # fmt: skip
    assert findings(study(shown, 3))[1][4:] == [
        "Unfavourable", "Not known", "Not known", "Not reported",
    ]  # fmt: skip


def test_a_findings_table_is_described_and_scrolls_in_a_labelled_region(studied, visitor):
    first = study(page(visitor, studied), 1)
    region = first.find("div", class_="table-scroll")
    table = region.find("table", class_="findings")
    caption = table.find("caption")
    assert caption.text == "Findings of study 1"
    # A keyboard can scroll it, and a screen reader names it by its caption.
    assert region.attrs["tabindex"] == "0"
    assert region.attrs["role"] == "region"
    assert region.attrs["aria-labelledby"] == caption.attrs["id"]
    assert {th.attrs["scope"] for th in table.find("thead").find_all("th")} == {"col"}
    assert [th.text for th in table.find("tbody").find_all("th")] == [
        "Improved reading",
        "Behaviour problems",
    ]
    assert {th.attrs["scope"] for th in table.find("tbody").find_all("th")} == {"row"}


def test_a_study_without_findings_says_so(intervention_factory, visitor):
    intervention = intervention_factory()
    StudyFactory(intervention=intervention)
    first = study(page(visitor, intervention), 1)
    assert first.find_all("table") == []
    assert "No findings are recorded for this study yet." in first.text


def test_implementation_and_cost_are_shown_where_filled(intervention_factory, visitor):
    intervention = intervention_factory(
        delivery="Ten weekly sessions of an hour.\nAt home.",
        training="Two days' training, then monthly supervision.",
        fidelity="",
        cost_description="About £1,250 a family, mostly practitioners' time.",
        unit_cost=decimal.Decimal("1250.00"),
    )
    section = page(visitor, intervention).section("Implementation and cost")
    assert section.find("dl", class_="facts").definitions() == {
        "How it is delivered": "Ten weekly sessions of an hour.At home.",
        "Training and supervision": "Two days' training, then monthly supervision.",
        "What it costs": "About £1,250 a family, mostly practitioners' time.",
        "Unit cost": "£1,250 for each child or family (estimated)",
    }
    # The editor's line breaks are kept.
    assert len(section.find("dl").find_all("br")) == 1
    assert section.find_all("p") == []


def test_what_is_not_recorded_about_implementation_and_cost_is_said(intervention_factory, visitor):
    section = page(visitor, intervention_factory()).section("Implementation and cost")
    assert section.find("p").text == (
        "How it is delivered, and the training and licence it needs, are not recorded yet."
    )
    assert section.find("dl", class_="facts").definitions() == {"Unit cost": "Not known"}


def test_a_unit_cost_in_pence_is_shown_to_the_penny(intervention_factory, visitor):
    intervention = intervention_factory(unit_cost=decimal.Decimal("87.50"))
    section = page(visitor, intervention).section("Implementation and cost")
    assert section.find("dl").definitions()["Unit cost"].startswith("£87.50 ")


def queries(client, intervention) -> int:
    # As the first request after a change, when the page is made afresh.
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(intervention.get_absolute_url())
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_query_count_is_the_same_for_one_study_and_for_ten(intervention_factory, visitor):
    outcomes = [ChildOutcomeFactory() for _ in range(5)]
    one = intervention_factory(outcomes=outcomes)
    FindingFactory(study=StudyFactory(intervention=one), outcome=outcomes[0])
    ten = intervention_factory(outcomes=outcomes)
    for _ in range(10):
        made = StudyFactory(intervention=ten)
        for outcome in outcomes:
            FindingFactory(study=made, outcome=outcome)
    assert main(visitor.get(ten.get_absolute_url())).find_all("table", class_="findings")
    # The intervention with its studies, their findings and outcomes, its outcome links,
    # projects, reviews, other clearinghouses' ratings, and its history and the
    # corrections readers' reports led to for the change log (InterventionQuerySet.page);
    # the rating definitions; whether demonstration records exist.
    assert queries(visitor, one) == queries(visitor, ten) == 3


def test_the_comparison_shows_each_evidence_summary(studied, intervention_factory, visitor):
    other = intervention_factory(name="Unstudied")
    response = visitor.get(reverse("catalogue:compare"), {"compare": [studied.slug, other.slug]})
    rows = {
        row.find("th").text: [cell.text for cell in row.find_all("td")]
        for row in main(response).find("table", class_="compare").find("tbody").find_all("tr")
    }
    assert rows["Evidence behind the rating"] == [SUMMARY, "No studies recorded yet."]


def test_the_csv_export_ends_with_the_evidence_summary(studied, intervention_factory, visitor):
    intervention_factory(name="Unstudied", slug="unstudied")
    rows = csv_rows(visitor.get(guidebook_url("format=csv")))
    assert list(rows[0])[-1] == "evidence_summary"
    assert {row["slug"]: row["evidence_summary"] for row in rows} == {
        studied.slug: SUMMARY,
        "unstudied": "No studies recorded yet.",
    }
