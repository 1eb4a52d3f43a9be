"""The filters in force: each listed with a link that removes it alone, a link that removes
them all, the total count, and pages that keep the filters."""

from collections import Counter
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.support.guidebook import (
    PER_PAGE,
    count_text,
    expected,
    guidebook_url,
    listed_slugs,
    parse_query,
    result_count,
)
from tests.support.pages import main

QUERY = (
    "q=family&evidence=3&evidence=4%2B&min_evidence=2&mixed=exclude&cost=1&cost=na"
    "&max_cost=5&outcome=preventing-crime&sort=cost"
)


def active_filters(response) -> dict[str, str]:
    """Each filter in force, as a screen reader hears its link, and the link's query."""
    box = main(response).find("div", class_="active-filters")
    return {
        link.text: link.attrs["href"] for link in box.find("ul").find_all("a") if "×" in link.text
    }


def spoken(text: str) -> str:
    return text.replace(" ×", "").replace("×", "").strip()


def as_pairs(query: str) -> Counter:
    return Counter((name, value) for name, values in parse_query(query).items() for value in values)


def test_each_filter_in_force_is_listed_in_words(generated_guidebook, visitor):
    labels = [spoken(label) for label in active_filters(visitor.get(guidebook_url(QUERY)))]
    assert labels == [
        "Search interventions: family (remove this filter)",
        "Evidence rating: 3 (remove this filter)",
        "Evidence rating: 4+ (remove this filter)",
        "Evidence rating at least: 2 (remove this filter)",
        "Mixed findings: Leave out ratings with mixed findings (remove this filter)",
        "Cost rating: 1: low cost (under £100) (remove this filter)",
        "Cost rating: Not applicable, not available or not calculated (remove this filter)",
        "Cost rating at most: 5: high cost (over £2,000) (remove this filter)",
        "Child outcome: Preventing crime (remove this filter)",
    ]


def test_each_remove_link_drops_that_filter_alone_and_keeps_the_rest(generated_guidebook, visitor):
    links = active_filters(visitor.get(guidebook_url(QUERY)))
    assert len(links) == 9
    everything = as_pairs(QUERY)
    for label, href in links.items():
        assert href.startswith("?"), label
        kept = as_pairs(href[1:])
        removed = everything - kept
        assert len(removed) == 1 and not kept - everything, label
        response = visitor.get(guidebook_url(href[1:]))
        want = expected(generated_guidebook, href[1:])
        assert result_count(response) == count_text(len(want)), label
        assert listed_slugs(response) == want[:PER_PAGE], label


def test_remove_all_filters_goes_back_to_the_whole_guidebook(generated_guidebook, visitor):
    page = main(visitor.get(guidebook_url(QUERY)))
    assert page.links()["Remove all filters"] == reverse("catalogue:guidebook")


def test_without_filters_nothing_is_listed_as_in_force(generated_guidebook, visitor):
    for query in ["", "sort=-evidence", "mixed=include", "min_evidence=&max_cost=&q="]:
        page = main(visitor.get(guidebook_url(query)))
        assert page.find_all("div", class_="active-filters") == [], query
        assert "Remove all filters" not in page.links()


def test_a_hand_typed_plus_is_listed_and_removed_as_a_plus(generated_guidebook, visitor):
    links = active_filters(visitor.get(guidebook_url("evidence=3+&cost=2")))
    assert [spoken(label) for label in links] == [
        "Evidence rating: 3+ (remove this filter)",
        "Cost rating: 2: medium-low cost (£100–£499) (remove this filter)",
    ]
    remove_cost = links["Cost rating: 2: medium-low cost (£100–£499) (remove this filter)×"]
    assert parse_query(remove_cost[1:]) == {"evidence": ["3+"]}


def test_the_total_count_covers_every_page(generated_guidebook, visitor):
    want = expected(generated_guidebook, "")
    assert len(want) > PER_PAGE
    response = visitor.get(guidebook_url())
    assert result_count(response) == f"{len(want)} interventions"
    assert len(listed_slugs(response)) == PER_PAGE


def test_the_count_says_one_intervention_and_no_intervention(intervention_factory, visitor):
    intervention_factory(name="Only one", cost_rating=1)
    assert result_count(visitor.get(guidebook_url("cost=1"))) == "1 intervention"
    empty = visitor.get(guidebook_url("cost=5"))
    assert result_count(empty) == "0 interventions"
    assert "No intervention matches these filters." in main(empty).text


def pagination_links(response) -> dict[str, str]:
    nav = main(response).find("nav", class_="pagination")
    return {
        link.attrs["rel"]: link.attrs["href"] for link in nav.find_all("a") if "rel" in link.attrs
    }


@pytest.mark.parametrize("query", ["", "evidence=3&evidence=3%2B&evidence=nl2&sort=-evidence"])
def test_pages_keep_the_filters_and_follow_on(generated_guidebook, visitor, query):
    want = expected(generated_guidebook, query)
    assert len(want) > PER_PAGE
    first = visitor.get(guidebook_url(query))
    following = pagination_links(first)["next"]
    assert following.startswith("?")
    assert parse_query(following[1:]) == {**parse_query(query), "page": ["2"]}
    second = visitor.get(guidebook_url(following[1:]))
    assert listed_slugs(second) == want[PER_PAGE : 2 * PER_PAGE]
    assert result_count(second) == count_text(len(want))
    back = pagination_links(second)["prev"]
    assert parse_query(back[1:]) == {**parse_query(query), "page": ["1"]}
    # Removing a filter starts again from the first page.
    if query:
        for href in active_filters(second).values():
            assert "page" not in parse_query(href[1:])


def test_the_csv_link_exports_the_same_filters_without_the_page(generated_guidebook, visitor):
    response = visitor.get(guidebook_url("mixed=exclude&sort=cost&page=2"))
    assert response.status_code == 200
    link = main(response).find("ul", class_="results-tools").find_all("a")[0]
    href = urlsplit(link.attrs["href"])
    assert parse_query(href.query) == {
        "mixed": ["exclude"],
        "sort": ["cost"],
        "format": ["csv"],
    }
    assert "download" in link.attrs
    count = len(expected(generated_guidebook, "mixed=exclude"))
    assert link.text == f"Download these {count} results as CSV"


def test_a_repeated_single_filter_is_described_by_the_value_in_force(client, db):
    """The form uses the last of repeated values; an earlier, invalid one is ignored."""
    response = client.get("/interventions/", {"min_evidence": ["<script>", "3"]})
    assert response.status_code == 200
    assert "&lt;script&gt;" not in response.content.decode()
    assert "<script>" not in response.content.decode().split("</head>")[1]


def numbered_links(response) -> list:
    nav = main(response).find("nav", class_="pagination")
    return [link for link in nav.find_all("a") if "rel" not in link.attrs]


def test_pages_are_numbered_with_the_current_one_marked(generated_guidebook, visitor):
    pages = -(-len(expected(generated_guidebook, "")) // PER_PAGE)
    assert 2 < pages <= 6
    response = visitor.get(guidebook_url("page=2"))
    numbered = numbered_links(response)
    assert [link.text for link in numbered] == [f"Page {n}" for n in range(1, pages + 1)]
    (current,) = [link for link in numbered if link.attrs.get("aria-current") == "page"]
    assert current.text == "Page 2"
    assert parse_query(current.attrs["href"][1:]) == {"page": ["2"]}
    summary = main(response).find("p", class_="pagination__summary")
    assert summary.text == f"Page 2 of {pages}"


def test_many_pages_are_numbered_around_the_current_one(intervention_factory, visitor):
    for number in range(8 * PER_PAGE):
        intervention_factory(name=f"Programme {number:03}", evidence_rating=30)
    response = visitor.get(guidebook_url("page=3"))
    # The first pages up to two past this one, a gap, and the last.
    assert [link.text for link in numbered_links(response)] == [
        "Page 1", "Page 2", "Page 3", "Page 4", "Page 5", "Page 8",
    ]  # fmt: skip
    gap = main(response).find("nav", class_="pagination").find("li", class_="pagination__gap")
    assert gap.text == "…"
