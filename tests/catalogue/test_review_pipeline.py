"""The review pipeline in public (/interventions/under-review/): programmes by stage in the
pipeline's order, each with the date its stage began, the quarter a decision is expected
and its short history; drafts never shown; its CSV and Atom feed; a fixed number of
queries; and a published programme linking back to its review."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from catalogue.models import ReviewStage, ReviewStageEntry
from tests.portal.test_query_counts import assert_same_queries_for_3_and_60
from tests.support.factories import ReviewItemFactory
from tests.support.pages import main, parse

PAGE = "/interventions/under-review/"


def entered(item, stage, day: datetime.date, note: str = "") -> None:
    ReviewStageEntry.objects.create(item=item, stage=stage, entered_on=day, note=note)


@pytest.fixture
def pipeline(intervention_factory):
    roots = ReviewItemFactory(
        name="Roots of Empathy",
        provider="Roots UK",
        stage=ReviewStage.IN_REVIEW,
        expected_year=2027,
        expected_quarter=1,
        public_note="Waiting for the provider's unpublished trial report.",
    )
    entered(roots, ReviewStage.SUGGESTED, datetime.date(2026, 1, 5))
    entered(roots, ReviewStage.SCREENING, datetime.date(2026, 2, 9), "Meets the criteria.")
    entered(roots, ReviewStage.IN_REVIEW, datetime.date(2026, 4, 1))
    screening = ReviewItemFactory(
        name="Baby Steps", stage=ReviewStage.SCREENING, expected_year=None, expected_quarter=None
    )
    published = intervention_factory(name="Family Check-Up", slug="family-check-up")
    done = ReviewItemFactory(
        name="Family Check-Up", stage=ReviewStage.PUBLISHED, intervention=published
    )
    entered(done, ReviewStage.PUBLISHED, datetime.date(2026, 6, 30))
    ReviewItemFactory(name="A draft item", published=False)
    return {"roots": roots, "screening": screening, "done": done, "published": published}


def test_the_pipeline_groups_published_items_by_stage_in_order(pipeline, visitor):
    page = main(visitor.get(PAGE))
    assert page.headings("h2") == ["Screening (1)", "In review (1)", "Published (1)"]
    assert page.headings("h3") == ["Baby Steps", "Roots of Empathy", "Family Check-Up"]
    assert "A draft item" not in page.text


def test_each_item_says_since_when_and_when_a_decision_is_expected(pipeline, visitor):
    page = main(visitor.get(PAGE))
    roots = page.find("article", id=f"review-{pipeline['roots'].pk}")
    assert roots.definitions() == {
        "Provider": "Roots UK",
        "At this stage since": "1 April 2026",
        "Decision expected": "2027 Q1",
    }
    assert "Waiting for the provider's unpublished trial report." in roots.text
    assert roots.find("ol", class_="pipeline-history").items() == [
        "Suggested, 5 January 2026",
        "Screening, 9 February 2026: Meets the criteria.",
        "In review, 1 April 2026",
    ]
    baby = page.find("article", id=f"review-{pipeline['screening'].pk}")
    assert baby.definitions()["At this stage since"] == "not recorded"
    assert baby.definitions()["Decision expected"] == "not yet estimated"


def test_a_published_programme_and_its_review_link_to_each_other(pipeline, visitor):
    done = main(visitor.get(PAGE)).find("article", id=f"review-{pipeline['done'].pk}")
    assert done.links() == {"Family Check-Up in the guidebook": "/interventions/family-check-up/"}
    links = main(visitor.get("/interventions/family-check-up/")).links()
    history = "How Family Check-Up was reviewed: its history in the review pipeline"
    assert links[history] == f"{PAGE}#review-{pipeline['done'].pk}"


def test_an_unpublished_review_is_not_linked_from_the_programme(pipeline, visitor):
    pipeline["done"].published = False
    pipeline["done"].save()
    page = main(visitor.get("/interventions/family-check-up/"))
    assert "review pipeline" not in page.text


def test_the_guidebooks_entry_is_not_linked_while_it_is_a_draft(pipeline, visitor):
    pipeline["published"].published = False
    pipeline["published"].save()
    done = main(visitor.get(PAGE)).find("article", id=f"review-{pipeline['done'].pk}")
    assert done.links() == {}


def test_the_pipeline_as_csv(pipeline, visitor, settings):
    settings.SITE_URL = "https://portal.example"
    pipeline["screening"].name = '=HYPERLINK("http://evil.example")'
    pipeline["screening"].save()
    response = visitor.get(PAGE, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="under-review.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["name"] for row in rows] == [
        '\'=HYPERLINK("http://evil.example")',
        "Family Check-Up",
        "Roots of Empathy",
    ]
    roots = rows[2]
    assert roots["id"] == str(pipeline["roots"].pk)
    assert (roots["stage"], roots["stage_began"], roots["decision_expected"]) == (
        "In review",
        "2026-04-01",
        "2027 Q1",
    )
    assert roots["history"] == "Suggested 2026-01-05; Screening 2026-02-09; In review 2026-04-01"
    assert rows[1]["guidebook_url"] == "https://portal.example/interventions/family-check-up/"


@pytest.mark.parametrize("wanted", ["xml", "x" * 300])
def test_a_format_the_page_does_not_offer_is_a_400_saying_so(visitor, db, wanted):
    response = visitor.get(PAGE, {"format": wanted})
    assert response.status_code == 400
    message = main(response).find("p", class_="field-error").text
    assert message == (
        f"“{wanted[:50]}” is not a format of this page: the only one is CSV. "
        "Download the pipeline as CSV."
    )


def test_the_pipeline_feed_lists_the_latest_changes_first(pipeline, visitor):
    pipeline["screening"].public_note = "Screening now."
    pipeline["screening"].save()
    response = visitor.get(reverse("catalogue:under-review-feed"))
    assert response.status_code == 200
    feed = parse(response.content.decode().replace("<?xml", "<!--").replace("?>", "-->", 1))
    titles = [entry.find("title").text for entry in feed.find_all("entry")]
    assert titles[0] == "Baby Steps: Screening"
    assert sorted(titles) == [
        "Baby Steps: Screening",
        "Family Check-Up: Published",
        "Roots of Empathy: In review",
    ]
    first = feed.find_all("entry")[0]
    assert first.find("link").attrs["href"].endswith(f"{PAGE}#review-{pipeline['screening'].pk}")


def test_the_page_makes_as_many_queries_for_3_items_as_for_60(visitor, db):
    def add(count: int) -> None:
        for _ in range(count):
            item = ReviewItemFactory()
            entered(item, item.stage, datetime.date(2026, 3, 1))

    # The items with their guidebook entries, their histories, and the layout's one.
    assert_same_queries_for_3_and_60(
        visitor, add, lambda: PAGE, marker='class="card pipeline-item"', queries=3
    )
