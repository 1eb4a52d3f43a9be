"""Facet counts: beside each filter option, the number of interventions that option alone
would give with the other filters kept."""

import re

import pytest

from tests.support.guidebook import (
    CLEARINGHOUSE_CODES,
    COST_CODES,
    EVIDENCE_CODES,
    LEVELS,
    LIST_CODES,
    OUTCOME_SLUGS,
    YES_PARAMETERS,
    count_text,
    expected,
    exported_slugs,
    guidebook_url,
    parse_query,
    result_count,
)
from tests.support.pages import form_data, main

FACETS = [
    "evidence",
    "min_evidence",
    "mixed",
    "cost",
    "max_cost",
    "outcome",
    *LIST_CODES,
    "rated_by",
]


def shown_counts(response) -> dict[tuple[str, str], int]:
    """Each option of the filter panel, (name, value), and the count printed beside it."""
    panel = main(response).find("form", class_="filters")
    labels = {label.attrs.get("for"): label for label in panel.find_all("label")}
    counts = {}
    for box in panel.find_all("input"):
        if box.attrs.get("type") not in {"checkbox", "radio"} or not box.attrs.get("value"):
            continue
        count = labels[box.attrs["id"]].find("span", class_="count").text
        counts[box.attrs["name"], box.attrs["value"]] = int(re.match(r"\((\d+) ", count)[1])
    return counts


def with_only(query: str, name: str, value: str) -> str:
    """query with the parameter name set to value alone, every other parameter kept."""
    params = {key: values for key, values in parse_query(query).items() if key != name}
    params[name] = [value]
    return "&".join(
        f"{key}={item.replace('+', '%2B')}" for key, values in params.items() for item in values
    )


QUERIES = [
    "",
    "evidence=3&evidence=4%2B&cost=1&cost=na",
    "min_evidence=2%2B&max_cost=4&mixed=exclude&outcome=preventing-crime",
    "q=family&evidence=nl2&evidence=ne&evidence=2&mixed=only&sort=cost",
    "outcome=school-achievement&outcome=preventing-maltreatment&cost=2&cost=3&min_evidence=3",
    "rated_by=cebc&rated_by=wwc&min_evidence=2",
    "rated_by=eef&outcome=preventing-crime&q=programme",
]


@pytest.mark.parametrize("query", QUERIES)
def test_each_option_count_is_the_count_of_the_list_that_option_alone_gives(
    shared_guidebook, visitor, query
):
    counts = shown_counts(visitor.get(guidebook_url(query)))
    assert set(counts) == {
        *(("evidence", code) for code in EVIDENCE_CODES),
        *(("min_evidence", code) for code in LEVELS),
        *(("mixed", choice) for choice in ["include", "exclude", "only"]),
        *(("cost", code) for code in COST_CODES),
        *(("max_cost", code) for code in COST_CODES[:5]),
        *(("outcome", slug) for slug in OUTCOME_SLUGS),
        *((name, code) for name, codes in LIST_CODES.items() for code in codes),
        *((name, "yes") for name in YES_PARAMETERS),
        *(("rated_by", code) for code in CLEARINGHOUSE_CODES),
    }
    for (name, value), count in counts.items():
        option_query = with_only(query, name, value)
        want = expected(shared_guidebook, option_query)
        assert count == len(want), f"{name}={value} with {query!r}"
        assert len(exported_slugs(visitor, option_query)) == count, f"{name}={value}"


def test_counts_are_not_all_alike_so_the_check_above_means_something(shared_guidebook, visitor):
    counts = shown_counts(visitor.get(guidebook_url()))
    for name in FACETS:
        values = [count for (facet, _), count in counts.items() if facet == name]
        assert len(set(values)) > 1, name
    # NL2 and NE are left out of the list, but their options still say what they would give.
    assert counts["evidence", "nl2"] > 0
    assert counts["evidence", "ne"] > 0


def test_chosen_options_are_checked_and_others_are_not(shared_guidebook, visitor):
    response = visitor.get(
        guidebook_url("evidence=3&evidence=nl2&min_evidence=2%2B&mixed=only&cost=na&max_cost=4")
    )
    panel = main(response).find("form", class_="filters")
    checked = {
        (box.attrs["name"], box.attrs["value"])
        for box in panel.find_all("input")
        if "checked" in box.attrs
    }
    assert checked == {
        ("evidence", "3"),
        ("evidence", "nl2"),
        ("min_evidence", "2+"),
        ("mixed", "only"),
        ("cost", "na"),
        ("max_cost", "4"),
    }


def test_a_bare_guidebook_checks_any_and_include(shared_guidebook, visitor):
    panel = main(visitor.get(guidebook_url())).find("form", class_="filters")
    checked = {
        (box.attrs["name"], box.attrs["value"])
        for box in panel.find_all("input")
        if "checked" in box.attrs
    }
    assert checked == {("min_evidence", ""), ("max_cost", ""), ("mixed", "include")}


def test_the_form_submitted_as_it_stands_gives_the_same_list(shared_guidebook, visitor):
    """Without JavaScript the form sends its empty radio buttons too; they filter nothing."""
    query = "evidence=3&cost=1&cost=2&sort=-evidence"
    response = visitor.get(guidebook_url(query))
    resubmitted = visitor.get(
        guidebook_url(), form_data(main(response).find("form", class_="filters"))
    )
    want = expected(shared_guidebook, query)
    assert result_count(resubmitted) == count_text(len(want))
    assert result_count(response) == count_text(len(want))
