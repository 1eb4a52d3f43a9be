"""Other programmes assessed: the NL2 and NE programmes the guidebook leaves out unless asked
for, on a page of their own."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.support.guidebook import listed_slugs
from tests.support.pages import main

URL = "catalogue:other-programmes"


def test_only_published_nl2_and_ne_programmes_are_listed(intervention_factory, visitor):
    intervention_factory(name="Not effective", evidence_rating=5)
    intervention_factory(name="Below level two", evidence_rating=10)
    intervention_factory(name="Also below", evidence_rating=10)
    intervention_factory(name="Draft below", evidence_rating=10, published=False)
    intervention_factory(name="Level two", evidence_rating=20)
    intervention_factory(name="Unrated", evidence_rating=None)
    response = visitor.get(reverse(URL))
    assert listed_slugs(response) == ["also-below", "below-level-two", "not-effective"]
    assert main(response).find("h2", class_="results-count").text == "3 programmes"


def test_the_page_explains_nl2_and_ne_with_links_to_their_meaning(db, visitor):
    page = main(visitor.get(reverse(URL)))
    assert page.find("h1").text == "Other programmes assessed"
    links = page.find("p", class_="lead").links()
    assert links == {
        "NL2": reverse("ratings:explained") + "#evidence-nl2",
        "NE": reverse("ratings:explained") + "#evidence-ne",
    }
    assert "No programme has been assessed as NL2 or NE." in page.text


def test_the_guidebook_links_to_the_other_programmes(db, visitor):
    links = main(visitor.get(reverse("catalogue:guidebook"))).links()
    assert links["Other programmes assessed (NL2 and NE)"] == reverse(URL)


def test_the_address_is_not_taken_for_an_intervention(intervention_factory):
    intervention = intervention_factory(name="Other programmes")
    assert intervention.slug == "other-programmes"
    with pytest.raises(ValidationError) as raised:
        intervention.full_clean()
    assert "slug" in raised.value.message_dict
