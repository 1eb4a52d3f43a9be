"""Readers' forms in a real browser, with no JavaScript needed: a problem reported from a
page's own link to the confirmation with the keyboard alone (the bot trap never takes
the focus), the error summary that axe finds nothing wrong with and whose links lead to
the boxes, and the review pipeline page, from which a programme is suggested."""

import datetime

import pytest

from catalogue.models import ReviewStage, ReviewStageEntry
from feedback.models import ReaderReport
from tests.support.factories import ReviewItemFactory

pytestmark = pytest.mark.browser

axe_playwright = pytest.importorskip(
    "axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed"
)
expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

PROJECT = "/projects/domestic-abuse-interventions-in-childrens-social-care/"


def test_a_problem_is_reported_from_its_page_with_the_keyboard_alone(page, seeded):
    page.goto(PROJECT)
    page.get_by_role("link", name="Report a problem with this page").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a problem with a page")
    page.get_by_label("What were you doing?").focus()
    page.keyboard.type("Checking when the trial ends.")
    page.keyboard.press("Tab")
    page.keyboard.type("The estimated completion date has passed.")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Your e-mail address (optional)")).to_be_focused()
    # The trap is skipped: the next stop is the button.
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send report")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you: your report has been sent"
    )
    page.get_by_role("link", name="Go back to the page you were on").click()
    assert page.url.endswith(PROJECT)
    report = ReaderReport.objects.get()
    assert (report.page, report.wrong) == (PROJECT, "The estimated completion date has passed.")


def test_the_error_summary_leads_to_the_box_and_axe_finds_nothing(page, seeded):
    page.goto(f"/feedback/?page={PROJECT}")
    page.get_by_label("Your e-mail address (optional)").fill("not an address")
    page.get_by_role("button", name="Send report").click()
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    assert page.title().startswith("Error: ")
    violations = axe_playwright.Axe().run(page).response["violations"]
    assert violations == [], violations
    summary.get_by_role("link", name="Say what went wrong, or what you were doing.").click()
    expect(page.get_by_label("What went wrong?")).to_be_focused()
    assert not ReaderReport.objects.exists()


def test_the_review_pipeline_passes_axe_and_leads_to_a_suggestion_by_keyboard(page, seeded):
    item = ReviewItemFactory(name="Roots of Empathy", stage=ReviewStage.IN_REVIEW)
    ReviewStageEntry.objects.create(
        item=item, stage=ReviewStage.IN_REVIEW, entered_on=datetime.date(2026, 4, 1)
    )
    ReviewItemFactory(name="Baby Steps", stage=ReviewStage.SCREENING)
    page.goto("/interventions/under-review/")
    expect(page.get_by_role("heading", level=2, name="In review (1)")).to_be_visible()
    violations = axe_playwright.Axe().run(page).response["violations"]
    assert violations == [], violations
    suggest = page.get_by_role("link", name="Suggest a programme for us to review")
    # From the top of the page, with Tab alone, to the link and through it.
    page.keyboard.press("Tab")
    for _ in range(40):
        if suggest.evaluate("link => link === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(suggest).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Suggest a programme")
    page.get_by_label("The programme's name").fill("Family Foundations")
    page.get_by_role("button", name="Send suggestion").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you: your suggestion has been sent"
    )
    assert ReaderReport.objects.get().programme == "Family Foundations"
