"""Help that answers readers' questions: how to use the guidebook and think about fit, how
programmes are chosen and rated (in the ratings' own words, as /ratings/ gives them), a
glossary with an anchor per term, and the contact, privacy and cookies pages."""

import pytest
from django.urls import reverse

from ratings.models import RatingDefinition, Scale
from tests.support.pages import main, parse


def test_help_says_how_to_use_the_guidebook_and_to_think_about_fit(seed, visitor):
    page = main(visitor.get("/help/"))
    assert page.headings() == [
        "Finding programmes",
        "Think about fit",
        "How programmes are chosen",
        "How programmes are rated",
        "If something is wrong",
    ]
    assert "A rating is not a recommendation." in page.text
    links = page.links()
    assert links["suggest a programme"] == "/interventions/suggest/"
    assert links["review pipeline"] == "/interventions/under-review/"
    assert links["glossary"] == "/help/glossary/"


def test_help_gives_each_evidence_level_as_the_ratings_page_defines_it(seed, visitor):
    definition = RatingDefinition.objects.get(scale=Scale.EVIDENCE, value=30)
    definition.definition = "Reworded by an editor: one rigorous study, short-term impact."
    definition.save()
    rated = main(visitor.get("/help/")).section("How programmes are rated").definitions()
    assert list(rated) == ["Rated 2", "Rated 2+", "Rated 3", "Rated 3+", "Rated 4", "Rated 4+"]
    assert rated["Rated 3"] == "Reworded by an editor: one rigorous study, short-term impact."
    explained = main(visitor.get(reverse("ratings:explained")))
    assert rated["Rated 3"] in explained.text


# The terms the issue names, and the anchors the pages link to.
TERMS = {
    "rct": "Randomised controlled trial (RCT)",
    "qed": "Quasi-experimental design (QED)",
    "targeted-selected": "Targeted selected",
    "targeted-indicated": "Targeted indicated",
    "nl2": "NL2: not level 2",
    "ne": "NE: not effective",
    "improvement-index": "Improvement index",
    "effect-size": "Effect size",
    "counting-study": "Counting study",
    "independent-study": "Independent study",
}


def test_the_glossary_has_an_anchor_for_each_term(visitor, db):
    page = main(visitor.get("/help/glossary/"))
    anchors = {
        node.attrs["id"]: node.find("dt").text
        for node in page.find_all("div")
        if "id" in node.attrs
    }
    assert TERMS.items() <= anchors.items()
    assert list(anchors.values()) == sorted(anchors.values(), key=str.lower)


def test_every_glossary_link_on_the_help_page_leads_to_a_term(seed, visitor):
    glossary = main(visitor.get("/help/glossary/"))
    anchors = {node.attrs["id"] for node in glossary.find_all("div") if "id" in node.attrs}
    links = [a.attrs["href"] for a in main(visitor.get("/help/")).find_all("a")]
    fragments = [href.split("#")[1] for href in links if href.startswith("/help/glossary/#")]
    assert fragments
    assert set(fragments) <= anchors


def test_the_privacy_notice_gives_the_retention_period_the_settings_give(settings, visitor, db):
    settings.READER_ADDRESS_RETENTION_DAYS = 45
    page = main(visitor.get("/privacy/"))
    assert "It is deleted from your message after 45 days" in page.text
    assert "each login and failed login" in page.text
    assert "delete these records after 30 days" in page.text


@pytest.mark.parametrize(
    "path",
    ["/", "/interventions/", "/help/", "/feedback/?page=/", "/cookies/", "/interventions/suggest/"],
)
def test_readers_get_no_cookie_as_the_cookies_page_says(visitor, db, path):
    assert not visitor.get(path).cookies
    assert "This site sets no cookies for its readers" in main(visitor.get("/cookies/")).text


def test_the_cookies_page_lists_the_editors_two_cookies(visitor, db, settings):
    settings.SESSION_COOKIE_AGE = 8 * 3600
    page = parse(visitor.get("/cookies/"))
    rows = [row.find("th").text for row in page.find("tbody").find_all("tr")]
    assert rows == [settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME]
    assert "Until the browser closes, or 8 hours" in page.text


def test_the_contact_page_leads_to_each_route(settings, visitor, db):
    settings.CONTACT_EMAIL = "hello@example.org"
    links = main(visitor.get("/contact/")).links()
    assert links["report a problem"] == "/feedback/"
    assert links["suggest a programme"] == "/interventions/suggest/"
    assert links["hello@example.org"] == "mailto:hello@example.org"
