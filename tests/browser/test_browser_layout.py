"""Layout in a real browser: no sideways scrolling on a 320px phone or at 200% zoom, clean
printing with the page's address, and screenshots of the main pages for the README."""

import re
import struct
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import reverse

from projects.models import Project

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PROJECT = "domestic-abuse-interventions-in-childrens-social-care"


def main_pages(catalogue) -> dict[str, str]:
    return {
        "home": reverse("portal:home"),
        "guidebook": reverse("catalogue:guidebook"),
        "project": Project.objects.get(slug=PROJECT).get_absolute_url(),
        "intervention": catalogue["fnp"].get_absolute_url(),
        "project list": reverse("projects:project-list"),
        "outcome": reverse("catalogue:outcome-detail", args=["preventing-child-maltreatment"]),
        "ratings": reverse("ratings:explained"),
        "search": reverse("portal:search") + "?q=domestic+abuse",
        "compare": reverse("catalogue:compare")
        + "?"
        + urlencode(
            {"compare": [catalogue[key].slug for key in ("fnp", "incredible", "crime")]}, doseq=True
        ),
        "not found": "/no-such-page/",
        "accessibility": reverse("portal:accessibility"),
    }


@pytest.mark.parametrize(
    "width",
    [
        pytest.param(320, id="320px phone"),
        # 1280px at 200% zoom lays the page out in 640 CSS pixels.
        pytest.param(640, id="1280px at 200% zoom"),
    ],
)
def test_no_page_scrolls_sideways(width, new_context, catalogue):
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    too_wide = {}
    for name, address in main_pages(catalogue).items():
        page.goto(address)
        sizes = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if sizes[0] > sizes[1]:
            too_wide[name] = sizes
    assert too_wide == {}, f"pages wider than the {width}px window: {too_wide}"


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_screenshots_of_the_main_pages(viewport, new_context, catalogue):
    """Written to docs/screenshots/<page>-<width>.png, replacing those of the last run."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = new_context(viewport=viewport).new_page()
    pages = main_pages(catalogue)
    for name in ("home", "guidebook", "project", "intervention"):
        path = SCREENSHOTS / f"{name}-{viewport['width']}.png"
        path.unlink(missing_ok=True)
        page.goto(pages[name])
        page.screenshot(path=path, animations="disabled")
        assert png_size(path) == (viewport["width"], viewport["height"])


@pytest.mark.parametrize("name", ["project", "intervention"])
def test_a_record_prints_without_the_sites_chrome_and_with_its_address(
    name, page, live_server, catalogue
):
    address = main_pages(catalogue)[name]
    page.goto(address)
    printed_from = page.get_by_text("Printed from")
    expect(printed_from).to_be_hidden()
    page.emulate_media(media="print")
    expect(printed_from).to_be_visible()
    # The site's own address, as configured, whatever address the browser used.
    expect(printed_from).to_have_text(f"Printed from {settings.SITE_URL}{address}")
    for chrome in (".site-header", ".site-footer", ".skip-link", ".header-search"):
        expect(page.locator(chrome)).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".facts").first).to_be_visible()


def test_a_printed_guidebook_leaves_out_the_filters(page, catalogue):
    page.goto(reverse("catalogue:guidebook") + "?min_evidence=3")
    page.emulate_media(media="print")
    for hidden in (".filters", ".results-tools", ".compare-form", ".card__compare"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator(".card").first).to_be_visible()


def test_a_printed_comparison_keeps_every_column(page, catalogue):
    """A commissioner printing a shortlist needs all four columns on the paper."""
    slugs = [catalogue[key].slug for key in ("fnp", "incredible", "weaker", "crime")]
    page.goto(reverse("catalogue:compare") + "?" + urlencode({"compare": slugs}, doseq=True))
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 700, "height": 1000})
    widths = page.evaluate(
        """() => {
            const region = document.querySelector(".table-scroll");
            return [region.scrollWidth, region.clientWidth];
        }"""
    )
    assert widths[0] <= widths[1], f"the table is cut off on paper: {widths}"


def test_on_a_phone_the_guidebook_filters_fold_away_behind_a_toggle_that_opens_them(
    new_context, catalogue
):
    page = new_context(viewport={"width": 375, "height": 800}).new_page()
    page.goto(reverse("catalogue:guidebook"))
    form = page.locator("form.filters")
    toggle = page.locator(".filters-toggle > summary")
    expect(form).to_be_hidden()
    expect(toggle).to_be_visible()
    expect(toggle).to_contain_text("Filter (")
    expect(page.get_by_role("link", name="Skip to results")).to_be_visible()
    toggle.click()
    expect(form).to_be_visible()
    toggle.click()
    expect(form).to_be_hidden()


def test_on_a_phone_the_guidebook_filters_fold_and_open_without_javascript(new_context, catalogue):
    """The fold is a <details> element and CSS: a reader with scripts off uses it too."""
    page = new_context(viewport={"width": 375, "height": 800}, java_script_enabled=False).new_page()
    page.goto(reverse("catalogue:guidebook"))
    form = page.locator("form.filters")
    toggle = page.locator(".filters-toggle > summary")
    heading = page.locator("#results-heading")
    expect(form).to_be_hidden()
    expect(toggle).to_have_text("Filter (4 interventions)")
    expect(heading).to_have_text("4 interventions")
    toggle.click()
    expect(form).to_be_visible()
    # The form sends the filters without a script, and the folded panel says what it found.
    form.get_by_role("group", name="Setting").get_by_role(
        "checkbox", name=re.compile("^Home")
    ).check()
    form.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"\?.*setting=home"))
    expect(form).to_be_hidden()
    expect(toggle).to_have_text("Filter (1 intervention, 1 filter in force)")
    expect(heading).to_have_text("1 intervention")
    # With the panel open the results are far below; the skip link leads past it.
    toggle.click()
    expect(heading).not_to_be_in_viewport()
    page.get_by_role("link", name="Skip to results").click()
    page.wait_for_url(re.compile("#results-heading$"))
    expect(heading).to_be_in_viewport()
    expect(heading).to_be_focused()


def test_on_a_desktop_the_guidebook_filters_always_show(new_context, catalogue):
    page = new_context(viewport=DESKTOP).new_page()
    page.goto(reverse("catalogue:guidebook"))
    expect(page.locator("form.filters")).to_be_visible()
    expect(page.locator(".filters-toggle")).to_be_hidden()
