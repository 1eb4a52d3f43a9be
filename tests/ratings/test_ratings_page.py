"""What the ratings mean: an anchor per rating with the seed's definition, and every rating
shown anywhere links there with words a screen reader can read out."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from catalogue.models import Intervention
from ratings.models import RatingDefinition, Scale
from tests.support.guidebook import guidebook_url
from tests.support.pages import Node, main

EVIDENCE_ANCHORS = {
    20: "evidence-2",
    25: "evidence-2-plus",
    30: "evidence-3",
    35: "evidence-3-plus",
    40: "evidence-4",
    45: "evidence-4-plus",
    10: "evidence-nl2",
    5: "evidence-ne",
}
COST_ANCHORS = {1: "cost-1", 2: "cost-2", 3: "cost-3", 4: "cost-4", 5: "cost-5", 9: "cost-na"}
OTHER_ANCHORS = {"mixed": "mixed-findings", "unrated": "not-yet-rated"}
VAGUE_LINK_TEXT = {"click here", "here", "more", "read more", "link", "this"}


def seed_definitions() -> dict[str, str]:
    """Each anchor of the ratings page and the definition the seed gives it."""
    rows = json.loads((Path(settings.BASE_DIR) / "fixtures" / "seed.json").read_text())
    anchors = {}
    for row in rows:
        if row["model"] != "ratings.ratingdefinition":
            continue
        scale, value = row["fields"]["scale"], row["fields"]["value"]
        anchor = {"evidence": EVIDENCE_ANCHORS, "cost": COST_ANCHORS}.get(scale, {}).get(value)
        anchors[anchor or OTHER_ANCHORS[scale]] = row["fields"]["definition"]
    return anchors


@pytest.fixture
def ratings_page(seed, visitor) -> Node:
    response = visitor.get(reverse("ratings:explained"))
    assert response.status_code == 200
    return main(response)


def anchors_on(page: Node) -> dict[str, Node]:
    found = {}
    for tag in ("div", "section", "dt", "h2", "h3"):
        for element in page.find_all(tag):
            if "id" in element.attrs:
                found[element.attrs["id"]] = element
    return found


def test_every_rating_has_an_anchor_with_the_seed_definition(ratings_page):
    definitions = seed_definitions()
    assert len(definitions) == 16
    anchors = anchors_on(ratings_page)
    for anchor, definition in definitions.items():
        assert anchor in anchors, anchor
        assert anchors[anchor].find("dd").text == definition, anchor


def test_level_3_reads_as_the_seed_defines_it(ratings_page):
    level = anchors_on(ratings_page)["evidence-3"]
    assert level.find("dt").text == "Rated 3"
    assert level.find("dd").text == (
        "Has evidence of a short-term positive impact from at least one rigorous study."
    )


@pytest.mark.parametrize(
    ("anchor", "term"),
    [
        ("cost-1", "Rated 1: low cost, under £100"),
        ("cost-2", "Rated 2: medium-low cost, £100–£499"),
        ("cost-3", "Rated 3: medium cost, £500–£999"),
        ("cost-4", "Rated 4: medium-high cost, £1,000–£2,000"),
        ("cost-5", "Rated 5: high cost, over £2,000"),
        ("cost-na", "Not applicable"),
        ("evidence-4-plus", "Rated 4+"),
        ("evidence-nl2", "NL2"),
        ("evidence-ne", "NE"),
        ("not-yet-rated", "Not yet rated"),
    ],
)
def test_each_rating_is_named_with_its_label_and_band(ratings_page, anchor, term):
    assert anchors_on(ratings_page)[anchor].find("dt").text == term


def test_evidence_levels_are_listed_weakest_to_strongest(ratings_page):
    order = [
        anchor
        for anchor in anchors_on(ratings_page)
        if anchor.startswith("evidence-") and anchor != "evidence-heading"
    ]
    assert order == [*list(EVIDENCE_ANCHORS.values())]


def test_an_editor_reworded_definition_is_shown(seed, visitor):
    RatingDefinition.objects.filter(scale=Scale.EVIDENCE, value=30).update(
        definition="Reworded by an editor."
    )
    page = main(visitor.get(reverse("ratings:explained")))
    assert anchors_on(page)["evidence-3"].find("dd").text == "Reworded by an editor."


def rating_links(page: Node) -> list[Node]:
    return [link for link in page.find_all("a") if link.has_class("rating")]


def test_every_badge_links_to_an_anchor_that_exists(
    seed, intervention_factory, child_outcome_factory, visitor
):
    outcome = child_outcome_factory()
    for evidence in [None, *EVIDENCE_ANCHORS]:
        for cost in [None, *COST_ANCHORS]:
            intervention_factory(
                evidence_rating=evidence,
                mixed_findings=evidence is not None and evidence >= 20 and cost == 1,
                cost_rating=cost,
                outcomes=[outcome],
            )
    anchors = set(anchors_on(main(visitor.get(reverse("ratings:explained")))))
    explained = reverse("ratings:explained")
    every_rating = "&".join(f"evidence={code}" for code in ["2", "3", "nl2", "ne", "4%2B"])
    pages = [
        guidebook_url(),
        guidebook_url(every_rating),
        reverse("catalogue:other-programmes"),
        outcome.get_absolute_url(),
        *(intervention.get_absolute_url() for intervention in Intervention.objects.all()),
    ]
    seen = set()
    for url in pages:
        for link in rating_links(main(visitor.get(url))):
            path, anchor = link.attrs["href"].split("#")
            assert path == explained, url
            assert anchor in anchors, (url, anchor)
            seen.add(anchor)
    assert seen == {*EVIDENCE_ANCHORS.values(), *COST_ANCHORS.values(), "not-yet-rated"}


@pytest.mark.parametrize(
    ("evidence", "mixed", "spoken", "shown"),
    [
        (35, True, "Evidence rating 3+, with mixed findings", "Evidence rating 3+*"),
        (30, False, "Evidence rating 3", "Evidence rating 3"),
        (45, True, "Evidence rating 4+, with mixed findings", "Evidence rating 4+*"),
        (10, False, "Evidence rating NL2 (NL2: evidence below level 2)", "Evidence rating NL2"),
        (5, False, "Evidence rating NE (NE: found not to be effective)", "Evidence rating NE"),
        (None, False, "Evidence rating not yet rated", "Evidence rating not yet rated"),
    ],
)
def test_the_evidence_badge_reads_the_same_to_the_eye_and_a_screen_reader(
    intervention_factory, visitor, evidence, mixed, spoken, shown
):
    intervention = intervention_factory(evidence_rating=evidence, mixed_findings=mixed)
    pages = [main(visitor.get(intervention.get_absolute_url()))]
    if evidence is None or evidence >= 20:
        pages.append(main(visitor.get(guidebook_url())))
    for page in pages:
        (badge,) = [link for link in rating_links(page) if link.has_class("rating--evidence")]
        assert badge.spoken_text == spoken
        assert badge.visible_text == shown


@pytest.mark.parametrize(
    ("cost", "spoken", "filled"),
    [
        (1, "Cost rating 1 of 5, low cost", 1),
        (3, "Cost rating 3 of 5, medium cost", 3),
        (5, "Cost rating 5 of 5, high cost", 5),
        (9, "Cost rating not applicable", None),
        (None, "Cost rating not yet rated", None),
    ],
)
def test_the_cost_badge_shows_five_marks_with_the_rating_filled(
    intervention_factory, visitor, cost, spoken, filled
):
    intervention = intervention_factory(cost_rating=cost)
    page = main(visitor.get(intervention.get_absolute_url()))
    (badge,) = [link for link in rating_links(page) if link.has_class("rating--cost")]
    assert badge.spoken_text == spoken
    marks = badge.find_all("span", class_="cost-marks")
    if filled is None:
        assert marks == []
    else:
        (marks,) = marks
        assert marks.attrs["aria-hidden"] == "true"
        assert marks.text == "£££££"
        assert len(marks.find_all("span", class_="cost-marks__on")) == filled


def test_link_texts_are_descriptive_on_every_guidebook_page(
    seed, intervention_factory, child_outcome_factory, project_factory, visitor
):
    outcome = child_outcome_factory()
    intervention = intervention_factory(
        evidence_rating=35, mixed_findings=True, outcomes=[outcome], website="https://a.example/"
    )
    intervention_factory(evidence_rating=10, outcomes=[outcome])
    project_factory(interventions=[intervention])
    for number in range(21):
        intervention_factory(name=f"Programme {number}")
    for url in [
        guidebook_url("evidence=3%2B&cost=3"),
        guidebook_url(),
        intervention.get_absolute_url(),
        outcome.get_absolute_url(),
        reverse("catalogue:other-programmes"),
    ]:
        links = main(visitor.get(url)).find_all("a")
        assert links, url
        for link in links:
            words = link.spoken_text.lower()
            assert words, (url, link.attrs)
            assert words not in VAGUE_LINK_TEXT, (url, words)
