"""Journeys through the site in a real browser: a visitor downloads a protocol, filters the
guidebook and comes back to the same filters (with a mouse, then with the keyboard alone),
and an editor changes a project's status in the admin."""

import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from projects.models import Document, Project
from tests.support.factories import PDF_BYTES, UserFactory

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

PROTOCOL = "University of Greenwich Domestic Abuse Perpetrator Research Protocol"
PROTOCOL_PROJECT = "Working with domestic abuse perpetrators re-engaging with families"
FILTERED = re.compile(r"min_evidence=3&.*outcome=preventing-child-maltreatment")


def test_a_visitor_goes_from_the_home_page_to_a_project_and_downloads_its_protocol(page, seeded):
    # The seed lists the protocol before its file is ready; the file arrives now.
    Document.objects.get(title=PROTOCOL).file.save("protocol.pdf", ContentFile(PDF_BYTES))
    page.goto(reverse("portal:home"))
    page.get_by_role("link", name=PROTOCOL_PROJECT).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PROTOCOL_PROJECT)
    documents = page.get_by_role("region", name="Documents")
    expect(documents).to_contain_text("Protocol, PDF")
    with page.expect_download() as download_info:
        documents.get_by_role("link", name=PROTOCOL).click()
    download = download_info.value
    assert download.suggested_filename == (
        "university-of-greenwich-domestic-abuse-perpetrator-research-protocol.pdf"
    )
    assert Path(download.path()).read_bytes() == PDF_BYTES


def card_titles(page) -> list[str]:
    return page.locator(".cards .card__title").all_inner_texts()


def assert_filters_kept(page) -> None:
    """The guidebook shows level 3+ interventions for preventing child maltreatment."""
    assert FILTERED.search(page.url), page.url
    minimum = page.get_by_role("group", name="Evidence rating at least")
    expect(minimum.get_by_role("radio", name=re.compile(r"^3 \("))).to_be_checked()
    expect(minimum.get_by_role("radio", name="Any")).not_to_be_checked()
    outcomes = page.get_by_role("group", name="Child outcome")
    expect(
        outcomes.get_by_role("checkbox", name=re.compile("^Preventing child maltreatment"))
    ).to_be_checked()
    expect(
        outcomes.get_by_role("checkbox", name=re.compile("^Preventing crime"))
    ).not_to_be_checked()
    assert sorted(card_titles(page)) == ["Family Nurse Partnership", "Incredible Years"]


def test_a_visitor_filters_the_guidebook_opens_a_result_and_comes_back_to_the_same_filters(
    page, catalogue
):
    page.goto(reverse("portal:home"))
    page.get_by_role("link", name="Browse the whole guidebook").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Guidebook of interventions")
    assert "Parents Plus" in card_titles(page)
    page.get_by_role("group", name="Evidence rating at least").get_by_role(
        "radio", name=re.compile(r"^3 \(")
    ).check()
    page.get_by_role("group", name="Child outcome").get_by_role(
        "checkbox", name=re.compile("^Preventing child maltreatment")
    ).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(FILTERED)
    assert_filters_kept(page)
    page.get_by_role("link", name="Family Nurse Partnership").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Family Nurse Partnership")
    page.go_back()
    assert_filters_kept(page)


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const element = document.activeElement;
            const style = getComputedStyle(element);
            return {
                id: element.id,
                tag: element.tagName.toLowerCase(),
                text: element.innerText || element.value || "",
                outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
            };
        }"""
    )


def tab_to(page, selector: str, limit: int = 250) -> None:
    """Press Tab until the element matching selector has the focus; each element passed on
    the way must show where the focus is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            assert focused(page)["outline"], f"no visible focus on {focused(page)}"
            return
        element = focused(page)
        assert element["outline"], f"no visible focus on {element}"
    raise AssertionError(f"Tab never reached {selector}")


def test_the_same_journey_works_with_the_keyboard_alone(page, catalogue):
    page.goto(reverse("portal:home"))
    # The first Tab reaches the skip link, which shows itself, and Enter moves to the content.
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    box = skip_link.bounding_box()
    assert box["y"] >= 0 and box["height"] > 0
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"

    tab_to(page, f"main a[href='{reverse('catalogue:guidebook')}']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/interventions/$"))

    # Tab reaches a group of radio buttons at its chosen one; the arrow keys choose another.
    tab_to(page, "#id_min_evidence_any")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(page.locator("input[name=min_evidence][value='3']")).to_be_checked()
    tab_to(page, "input[name=outcome][value=preventing-child-maltreatment]")
    page.keyboard.press("Space")
    tab_to(page, ".filters button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(FILTERED)
    assert_filters_kept(page)

    tab_to(page, f".card__title a[href^='{catalogue['fnp'].get_absolute_url()}?']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Family Nurse Partnership")
    # "Back to results" returns to the same filters, with the keyboard too.
    tab_to(page, ".back-link a")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/interventions/\?"))
    assert_filters_kept(page)


EDITOR_PASSWORD = "a long and unguessable password"


def test_an_editor_logs_in_changes_a_projects_status_and_the_public_page_shows_it(
    new_context, seeded
):
    UserFactory(username="editor", is_staff=True, is_superuser=True)
    project = Project.objects.get(slug="a-feasibility-study-of-the-restart-programme")
    editor = new_context().new_page()
    editor.goto(reverse("admin:index"))
    expect(editor).to_have_url(re.compile(re.escape(reverse("admin:login"))))
    editor.get_by_label("Username").fill("editor")
    editor.get_by_label("Password").fill(EDITOR_PASSWORD)
    editor.get_by_role("button", name="Log in").click()
    expect(editor.get_by_role("heading", level=1)).to_have_text("Keep the catalogue current")

    editor.locator(f"a[href='{reverse('admin:projects_project_changelist')}']").first.click()
    editor.get_by_role("link", name=project.title).click()
    editor.get_by_label("Status:", exact=True).select_option(label="Paused")
    editor.get_by_role("button", name="Save", exact=True).click()
    expect(editor.locator(".messagelist")).to_contain_text("was changed successfully")

    # A visitor, in a browser of their own, sees the change.
    visitor = new_context().new_page()
    visitor.goto(project.get_absolute_url())
    status = visitor.locator(".facts div").filter(has=visitor.locator("dt", has_text="Status"))
    expect(status.locator("dd")).to_have_text("Feasibility study / Paused")
    assert Project.objects.get(pk=project.pk).status == "paused"
