"""The guidebook's filters and an intervention's page link each term to its definition
in the glossary, the first time it appears; every link leads to a term the glossary has."""

from django.urls import reverse

from catalogue.models import LevelOfNeed, StudyDesign
from portal.glossary import FILTER_TERMS, TERMS, WORD_TERMS
from tests.support.factories import StudyFactory
from tests.support.pages import main

ANCHORS = {term.anchor for term in TERMS}


def test_every_term_the_pages_link_to_is_in_the_glossary():
    assert set(FILTER_TERMS.values()) <= ANCHORS
    assert set(WORD_TERMS.values()) <= ANCHORS
    # Each value's words are the pages' own: the labels of the choices.
    labels = {label for _, label in [*LevelOfNeed.choices, *StudyDesign.choices]}
    assert set(WORD_TERMS) <= labels


def test_the_guidebooks_filters_link_to_what_they_mean(visitor, db):
    page = main(visitor.get(reverse("catalogue:guidebook")))
    need = [
        group
        for group in page.find_all("fieldset")
        if group.find_all("legend") and group.find("legend").text == "Level of need"
    ][0]
    link = need.find("a", class_="filters__term")
    assert link.spoken_text == "What this means: Level of need"
    assert link.attrs["href"] == "/help/glossary/#level-of-need"
    linked = {a.attrs["href"] for a in page.find_all("a", class_="filters__term")}
    assert {f"/help/glossary/#{anchor}" for anchor in FILTER_TERMS.values()} == linked


def test_an_intervention_page_links_its_terms_once(visitor, intervention_factory):
    intervention = intervention_factory(level_of_need=[LevelOfNeed.TARGETED_SELECTED])
    StudyFactory(intervention=intervention, design=StudyDesign.RCT)
    StudyFactory(intervention=intervention, design=StudyDesign.RCT)
    page = main(visitor.get(intervention.get_absolute_url()))
    links = [a.attrs["href"] for a in page.find_all("a") if "/help/glossary/" in a.attrs["href"]]
    assert links.count("/help/glossary/#rct") == 1
    assert links.count("/help/glossary/#counting-study") == 1
    assert links.count("/help/glossary/#independent-study") == 1
    assert "/help/glossary/#targeted-selected" in links
    first = page.find("section", id="study-1")
    assert first.find("a", href="/help/glossary/#rct").text == "Randomised controlled trial"
