"""The embeddable badge: both ratings and the date reviewed as an SVG image that other
sites may show, read by a screen reader from its title, cached like a page; and the
snippet the intervention page offers to copy."""

import datetime
import xml.etree.ElementTree as ElementTree

import pytest
from django.conf import settings
from django.urls import reverse

from ratings.scales import CostRating, EvidenceRating
from tests.support.pages import main

SVG = "{http://www.w3.org/2000/svg}"


def badge_url(intervention) -> str:
    return reverse("catalogue:intervention-badge", args=[intervention.slug])


def svg(response) -> ElementTree.Element:
    assert response.status_code == 200
    return ElementTree.fromstring(response.content)


@pytest.fixture
def rated(intervention_factory):
    return intervention_factory(
        name="Family Nurse Partnership",
        evidence_rating=EvidenceRating.LEVEL_3_PLUS,
        mixed_findings=True,
        cost_rating=CostRating.MEDIUM_LOW,
        last_reviewed=datetime.date(2026, 3, 14),
    )


def test_the_badge_draws_both_ratings_and_the_date_reviewed_as_text(rated, visitor):
    image = svg(visitor.get(badge_url(rated)))
    texts = [text.text for text in image.iter(f"{SVG}text")]
    assert texts == ["Evidence 3+*", "Cost 2", "Reviewed March 2026"]


def test_a_badge_says_what_is_not_yet_rated_or_reviewed(intervention_factory, visitor):
    unrated = intervention_factory(evidence_rating=None, cost_rating=None, last_reviewed=None)
    image = svg(visitor.get(badge_url(unrated)))
    texts = [text.text for text in image.iter(f"{SVG}text")]
    assert texts == ["Evidence not yet rated", "Cost not yet rated", "Not yet reviewed"]
    # Wider for the longer wording, never cut off.
    assert int(image.get("width")) > 200


def test_the_badge_is_readable_when_small_and_fits_its_box(rated, visitor):
    image = svg(visitor.get(badge_url(rated)))
    assert (image.get("width"), image.get("height")) == ("200", "40")
    assert image.get("viewBox") == "0 0 200 40"
    assert all(float(text.get("font-size")) >= 11 for text in image.iter(f"{SVG}text"))


def test_a_screen_reader_reads_the_name_and_both_ratings_in_words(rated, visitor):
    image = svg(visitor.get(badge_url(rated)))
    assert image.get("role") == "img"
    title = image.find(f"{SVG}title")
    assert image.get("aria-labelledby") == title.get("id")
    assert title.text == (
        "Family Nurse Partnership: evidence rating 3+, with mixed findings; "
        "cost rating 2: medium-low cost (£100–£499). Reviewed March 2026."
    )


@pytest.mark.parametrize("name", ["Lego <Therapy> & friends", "“Quotes” 'and' \"more\"\x0b"])
def test_a_name_with_markup_characters_makes_a_valid_svg(name, intervention_factory, visitor):
    intervention = intervention_factory(name=name, slug="awkward-name")
    title = svg(visitor.get(badge_url(intervention))).find(f"{SVG}title")
    assert title.text.startswith(name.replace("\x0b", "") + ": evidence rating 3")


def test_the_badge_may_be_embedded_by_any_site_and_runs_nothing(rated, visitor):
    response = visitor.get(badge_url(rated))
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'none'"
    assert "script-src" not in policy
    assert b"<script" not in response.content


def test_the_badge_is_cached_and_follows_a_change(rated, visitor, django_assert_num_queries):
    visitor.get(badge_url(rated))
    with django_assert_num_queries(0):
        assert visitor.get(badge_url(rated)).status_code == 200
    rated.cost_rating = CostRating.HIGH
    rated.save()
    texts = [text.text for text in svg(visitor.get(badge_url(rated))).iter(f"{SVG}text")]
    assert texts[1] == "Cost 5"


def test_a_badge_reads_no_query_parameter(rated, visitor):
    assert visitor.get(badge_url(rated), {"style": "<script>"}).content == (
        visitor.get(badge_url(rated)).content
    )


def test_a_draft_has_no_badge_for_the_public_but_staff_preview_it(
    intervention_factory, visitor, editor
):
    draft = intervention_factory(published=False)
    assert visitor.get(badge_url(draft)).status_code == 404
    assert editor.get(badge_url(draft)).status_code == 200


def test_a_withdrawn_interventions_badge_is_gone_and_says_so_as_an_image(rated, visitor):
    """A page embedding the badge shows that the programme is no longer listed, not a
    broken image and not its last rating."""
    rated.published = False
    rated.save()
    response = visitor.get(badge_url(rated))
    assert response.status_code == 410
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    image = ElementTree.fromstring(response.content)
    assert [text.text for text in image.iter(f"{SVG}text")] == ["No longer listed in the guidebook"]
    assert image.find(f"{SVG}title").text == (
        "Family Nurse Partnership: no longer listed in the guidebook."
    )
    assert "3+" not in response.content.decode()


def test_an_unknown_slug_has_no_badge(visitor, db):
    assert visitor.get("/interventions/no-such-programme/badge.svg").status_code == 404


def test_the_intervention_page_offers_the_snippet_to_copy(rated, visitor):
    details = main(visitor.get(rated.get_absolute_url())).find("details", class_="badge-snippet")
    assert details.find("summary").text == "Show these ratings on your site"
    box = details.find("textarea")
    assert "readonly" in box.attrs
    assert details.find("label").attrs["for"] == box.attrs["id"]
    page_url = settings.SITE_URL + rated.get_absolute_url()
    image_url = settings.SITE_URL + badge_url(rated)
    words = (
        "Family Nurse Partnership: evidence rating 3+, with mixed findings; "
        "cost rating 2: medium-low cost (£100–£499). Reviewed March 2026."
    )
    assert box.text == (
        f'<a href="{page_url}"><img src="{image_url}" alt="{words}" width="200" height="40"></a>'
    )
    # The preview comes from the page's own origin, which the content policy allows.
    preview = details.find("img")
    assert (preview.attrs["src"], preview.attrs["alt"]) == (badge_url(rated), words)


def test_the_snippet_of_a_name_with_quotes_is_valid_html(intervention_factory, visitor):
    intervention = intervention_factory(name='The "Incredible" Years & more')
    box = main(visitor.get(intervention.get_absolute_url())).find("textarea")
    assert 'alt="The &quot;Incredible&quot; Years &amp; more: evidence' in box.text
