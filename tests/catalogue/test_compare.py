"""Comparing interventions: up to four side by side at a shareable address, reached by
ticking them in the guidebook."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ratings.scales import CostRating, EvidenceRating
from tests.support.pages import Node, main, parse


def compare(client, *slugs: str):
    return client.get(reverse("catalogue:compare"), {"compare": list(slugs)})


def table(response) -> dict[str, list[str]]:
    """Each row of the comparison by its heading, with one cell per intervention; the
    intervention names under "Intervention"."""
    grid = main(response).find("table", class_="compare")
    rows = {"Intervention": [th.text for th in grid.find("thead").find_all("th")]}
    for row in grid.find("tbody").find_all("tr"):
        rows[row.find("th").text] = [cell_text(cell) for cell in row.find_all("td")]
    return rows


def cell_text(cell: Node) -> str:
    """What a cell says, with the items of a list in it separated by semicolons."""
    return "; ".join(cell.items()) if cell.find_all("li") else cell.spoken_text


def problems(response) -> list[str]:
    return [p.text for p in main(response).find_all("p", class_="field-error")]


@pytest.fixture
def two(intervention_factory, child_outcome_factory):
    maltreatment = child_outcome_factory(name="Preventing maltreatment")
    school = child_outcome_factory(name="School achievement")
    return [
        intervention_factory(
            name="Family Nurse Partnership",
            evidence_rating=EvidenceRating.LEVEL_4_PLUS,
            mixed_findings=True,
            cost_rating=CostRating.HIGH,
            outcomes=[maltreatment, school],
            age_groups=["prenatal", "0-2"],
            level_of_need=["targeted-selected"],
            setting=["home"],
            delivery_model=["individual"],
            uk_tested=True,
            uk_available=True,
            provider="FNP National Unit",
        ),
        intervention_factory(
            name="Incredible Years",
            evidence_rating=EvidenceRating.LEVEL_3,
            cost_rating=CostRating.MEDIUM_LOW,
            outcomes=[school],
            age_groups=["3-5", "6-11"],
            level_of_need=["universal", "targeted-indicated"],
            setting=["school", "community"],
            delivery_model=["group"],
            uk_tested=False,
        ),
    ]


def test_two_interventions_are_shown_side_by_side(two, visitor):
    response = compare(visitor, *(intervention.slug for intervention in two))
    assert response.status_code == 200
    assert table(response) == {
        "Intervention": ["Family Nurse Partnership", "Incredible Years"],
        "Evidence rating": [
            "Evidence rating 4+, with mixed findings",
            "Evidence rating 3",
        ],
        "Evidence behind the rating": ["No studies recorded yet.", "No studies recorded yet."],
        "Cost rating": ["Cost rating 5 of 5, high cost", "Cost rating 2 of 5, medium-low cost"],
        "Child outcomes": ["Preventing maltreatment; School achievement", "School achievement"],
        "Age groups": [
            "Before birth, Babies and toddlers (0–2)",
            "Pre-school (3–5), Primary school (6–11)",
        ],
        "Level of need": ["Targeted selected", "Universal, Targeted indicated"],
        "Delivery model": ["Individual", "Group"],
        "Setting": ["Home", "School, Community"],
        "Tested in the UK": ["Yes", "No"],
        "Available in the UK": ["Yes", "No"],
        "Provider": ["FNP National Unit", "Not recorded"],
    }
    assert problems(response) == []


def test_the_columns_follow_the_order_chosen(two, visitor):
    response = compare(visitor, two[1].slug, two[0].slug)
    assert table(response)["Intervention"] == ["Incredible Years", "Family Nurse Partnership"]


def test_each_column_heading_links_to_the_intervention(two, visitor):
    response = compare(visitor, *(intervention.slug for intervention in two))
    headings = main(response).find("table").find("thead").links()
    assert headings == {intervention.name: intervention.get_absolute_url() for intervention in two}


def test_the_table_is_described_for_screen_readers(two, visitor):
    grid = main(compare(visitor, *(i.slug for i in two))).find("table", class_="compare")
    assert grid.find("caption").text == "2 interventions side by side"
    assert {th.attrs["scope"] for th in grid.find("thead").find_all("th")} == {"col"}
    assert {th.attrs["scope"] for th in grid.find("tbody").find_all("th")} == {"row"}


def test_more_than_four_shows_the_first_four_and_says_so(intervention_factory, visitor):
    interventions = [intervention_factory(name=f"Programme {n}") for n in range(1, 7)]
    response = compare(visitor, *(intervention.slug for intervention in interventions))
    assert table(response)["Intervention"] == [f"Programme {n}" for n in range(1, 5)]
    assert problems(response) == [
        "You can compare up to 4 interventions at once; these are the first 4 you chose."
    ]


def test_an_unknown_or_unpublished_intervention_is_named_and_the_rest_shown(
    two, intervention_factory, visitor
):
    draft = intervention_factory(name="Draft", published=False)
    response = compare(visitor, two[0].slug, "no-such-thing", draft.slug)
    assert table(response)["Intervention"] == ["Family Nurse Partnership"]
    assert problems(response) == [
        f"We could not find “no-such-thing”, “{draft.slug}”: it may have been renamed or withdrawn."
    ]


def test_an_unknown_slug_is_escaped(visitor, db):
    response = compare(visitor, "<script>alert(1)</script>")
    assert "<script>alert(1)" not in response.content.decode()
    assert problems(response) == [
        "We could not find “<script>alert(1)</script>”: it may have been renamed or withdrawn."
    ]


def test_the_same_intervention_twice_is_shown_once(two, visitor):
    response = compare(visitor, two[0].slug, two[0].slug, "", two[1].slug)
    assert table(response)["Intervention"] == ["Family Nurse Partnership", "Incredible Years"]
    assert problems(response) == []


@pytest.mark.parametrize("query", [{}, {"compare": ""}])
def test_with_nothing_chosen_the_page_explains_how(query, visitor, db):
    response = visitor.get(reverse("catalogue:compare"), query)
    assert response.status_code == 200
    page = main(response)
    assert page.find("h1").text == "Compare interventions"
    assert page.find_all("table") == []
    assert "Choose up to four interventions to compare" in page.text
    assert page.links()["guidebook"] == reverse("catalogue:guidebook")


def test_the_query_count_is_the_same_for_one_and_four(
    intervention_factory, child_outcome_factory, visitor
):
    outcomes = [child_outcome_factory() for _ in range(3)]
    interventions = [intervention_factory(outcomes=outcomes) for _ in range(4)]

    def queries(count: int) -> int:
        # Each as the first request after a change, when what is kept until the next
        # change (whether demonstration records exist) is looked up again.
        cache.clear()
        with CaptureQueriesContext(connection) as context:
            response = compare(visitor, *(i.slug for i in interventions[:count]))
        assert len(table(response)["Intervention"]) == count
        return len(context.captured_queries)

    assert queries(1) == queries(4) == 3


def guidebook_compare_form(response) -> tuple[Node, list[Node]]:
    page = parse(response)
    form = page.find("form", id="compare-form")
    boxes = [
        box
        for box in page.find_all("input", name="compare")
        if box.attrs.get("form") == "compare-form"
    ]
    return form, boxes


def test_the_guidebook_offers_a_compare_box_on_every_card(two, visitor):
    form, boxes = guidebook_compare_form(visitor.get(reverse("catalogue:guidebook")))
    assert form.attrs["action"] == reverse("catalogue:compare")
    assert form.attrs["method"] == "get"
    assert sorted(box.attrs["value"] for box in boxes) == sorted(i.slug for i in two)
    page = parse(visitor.get(reverse("catalogue:guidebook")))
    for intervention in two:
        label = page.find("label", **{"for": f"compare-{intervention.slug}"})
        assert label.spoken_text == f"Compare {intervention.name}"
        assert label.visible_text == "Compare"


def test_ticking_two_in_the_guidebook_leads_to_their_comparison(two, visitor):
    form, boxes = guidebook_compare_form(visitor.get(reverse("catalogue:guidebook")))
    ticked = [box.attrs["value"] for box in boxes]
    response = visitor.get(form.attrs["action"], {"compare": ticked})
    assert sorted(table(response)["Intervention"]) == sorted(i.name for i in two)
