"""The crosswalk's fixed table, and /ratings/ explaining it: the common tiers with our
ratings in each, and every clearinghouse's scale word for word with its tier and source."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from ratings.crosswalk import OUR_TIERS, SCALES, Clearinghouse, Tier
from ratings.scales import EvidenceRating
from tests.support.pages import main


def test_every_clearinghouse_has_a_scale_whose_every_rating_has_a_tier_and_a_source():
    assert set(SCALES) == set(Clearinghouse)
    for house, scale in SCALES.items():
        assert scale.ratings, house
        assert all(isinstance(tier, Tier) for tier in scale.ratings.values()), house
        source = urlsplit(scale.source_url)
        assert (source.scheme, bool(source.netloc)) == ("https", True), house
        assert scale.source.strip(), house
    assert set(OUR_TIERS) == set(EvidenceRating)


@pytest.fixture
def crosswalk(seed, visitor):
    response = visitor.get(reverse("ratings:explained"))
    assert response.status_code == 200
    return main(response).find("section", id="crosswalk")


def test_the_tiers_are_explained_with_our_ratings_in_each(crosswalk):
    rows = {
        row.find("th").text: [cell.text for cell in row.find_all("td")]
        for row in crosswalk.find_all("table")[0].find("tbody").find_all("tr")
    }
    assert list(rows) == [tier.label for tier in Tier]
    assert rows["Highest tier"] == [Tier.HIGHEST.meaning, "4+, 4"]
    assert rows["Second tier"] == [Tier.SECOND.meaning, "3+, 3"]
    assert rows["No effect"] == [Tier.NO_EFFECT.meaning, "NE: found not to be effective"]
    assert rows["Negative effect"] == [Tier.NEGATIVE.meaning, "None"]
    assert rows["Insufficient evidence"] == [
        Tier.INSUFFICIENT.meaning,
        "2+, 2, NL2: evidence below level 2",
    ]


@pytest.mark.parametrize("house", list(Clearinghouse))
def test_each_clearinghouse_has_an_anchor_its_scale_word_for_word_and_its_source(crosswalk, house):
    section = crosswalk.find("section", id=f"crosswalk-{house.value}")
    assert section.find("h3").text == house.label
    rows = [
        (row.find("th").text, row.find("td").text) for row in section.find("tbody").find_all("tr")
    ]
    assert rows == [(rating, tier.label) for rating, tier in house.scale.ratings.items()]
    source = section.find("p", class_="source").find("a")
    assert (source.text, source.attrs["href"]) == (house.scale.source, house.scale.source_url)


def test_the_page_says_ratings_across_clearinghouses_are_not_directly_comparable(crosswalk):
    assert "are not directly comparable" in crosswalk.text
