"""The guidebook's filters, alone and together, against an independent reading of the query
contract (docs/guidebook-query.md) over a hundred generated interventions."""

import random

import pytest

from tests.support.guidebook import (
    COST_CODES,
    EVIDENCE_CODES,
    LEVELS,
    OUTCOME_SLUGS,
    PER_PAGE,
    count_text,
    expected,
    exported_slugs,
    guidebook_url,
    listed_slugs,
    result_count,
)

MENTAL_HEALTH, MALTREATMENT, _, CRIME = OUTCOME_SLUGS[:4]


def encoded(code: str) -> str:
    """A code as a form sends it: "+" as %2B."""
    return code.replace("+", "%2B")


ONE_PARAMETER = [
    "",
    "q=family",
    "q=FAMILY",
    "q=family+therapy",
    "q=barnardos",
    "q=programme+02",
    "q=nothing-matches-this",
    *(f"evidence={encoded(code)}" for code in EVIDENCE_CODES),
    "evidence=NL2",
    "evidence=2&evidence=4%2B",
    "evidence=nl2&evidence=ne",
    "evidence=3%2B&evidence=ne&evidence=nl2&evidence=2",
    *(f"min_evidence={encoded(code)}" for code in LEVELS),
    "mixed=include",
    "mixed=exclude",
    "mixed=only",
    *(f"cost={code}" for code in COST_CODES),
    "cost=1&cost=na",
    "cost=2&cost=3&cost=5",
    *(f"max_cost={code}" for code in COST_CODES[:5]),
    *(f"outcome={slug}" for slug in OUTCOME_SLUGS),
    f"outcome={MENTAL_HEALTH}&outcome={CRIME}",
    "sort=name",
    "sort=-evidence",
    "sort=cost",
]

COMBINATIONS = [
    "evidence=3&evidence=4&cost=1&cost=2",
    "min_evidence=3&max_cost=3&mixed=exclude",
    f"min_evidence=2%2B&mixed=only&outcome={MENTAL_HEALTH}&outcome={MALTREATMENT}&sort=cost",
    "q=family&evidence=nl2&evidence=3&cost=na&sort=-evidence",
    "evidence=4&evidence=4%2B&min_evidence=3",
    "evidence=2&min_evidence=3",
    "evidence=nl2&evidence=ne&min_evidence=2",
    "evidence=nl2&mixed=only",
    "evidence=nl2&evidence=ne&evidence=2&sort=-evidence",
    "evidence=nl2&evidence=ne&evidence=4&sort=cost",
    f"outcome={CRIME}&max_cost=2&sort=-evidence",
    "cost=na&max_cost=5",
    "cost=1&cost=4&max_cost=2",
    f"q=school&min_evidence=2&cost=1&cost=2&cost=3&outcome={MALTREATMENT}&mixed=exclude",
    "q=youth+group&sort=cost",
    (
        f"q=programme&evidence=3&evidence=3%2B&evidence=nl2&min_evidence=2&mixed=include"
        f"&cost=2&cost=3&cost=na&max_cost=4&outcome={MENTAL_HEALTH}&outcome={CRIME}&sort=-evidence"
    ),
]


def random_queries(count: int) -> list[str]:
    """Queries that set each parameter, or not, at random: the pairs nobody thought of."""
    rng = random.Random(7)
    queries = []
    for _ in range(count):
        parts = []
        if rng.random() < 0.2:
            parts.append(f"q={rng.choice(['family', 'school', 'nurse', 'kids'])}")
        if rng.random() < 0.4:
            parts += [
                f"evidence={encoded(c)}" for c in rng.sample(EVIDENCE_CODES, rng.randint(1, 3))
            ]
        if rng.random() < 0.3:
            parts.append(f"min_evidence={encoded(rng.choice(LEVELS))}")
        if rng.random() < 0.3:
            parts.append(f"mixed={rng.choice(['include', 'exclude', 'only'])}")
        if rng.random() < 0.4:
            parts += [f"cost={code}" for code in rng.sample(COST_CODES, rng.randint(1, 3))]
        if rng.random() < 0.3:
            parts.append(f"max_cost={rng.choice(COST_CODES[:5])}")
        if rng.random() < 0.4:
            parts += [f"outcome={slug}" for slug in rng.sample(OUTCOME_SLUGS, rng.randint(1, 2))]
        if rng.random() < 0.5:
            parts.append(f"sort={rng.choice(['name', '-evidence', 'cost'])}")
        queries.append("&".join(parts))
    return queries


@pytest.mark.parametrize("query", ONE_PARAMETER + COMBINATIONS + random_queries(24))
def test_guidebook_lists_exactly_what_the_query_contract_gives(shared_guidebook, visitor, query):
    want = expected(shared_guidebook, query)
    assert exported_slugs(visitor, query) == want
    response = visitor.get(guidebook_url(query))
    assert result_count(response) == count_text(len(want))
    assert listed_slugs(response) == want[:PER_PAGE]


def test_each_single_filter_changes_the_list_so_the_cases_above_prove_something(
    shared_guidebook,
):
    everything = expected(shared_guidebook, "")
    neutral = {"", "mixed=include", "sort=name", "q=FAMILY", "evidence=NL2"}
    for query in ONE_PARAMETER:
        if query in neutral:
            continue
        want = expected(shared_guidebook, query)
        assert want != everything, query
        if query != "q=nothing-matches-this":
            assert want, query
    assert len(everything) > 2 * PER_PAGE


@pytest.mark.parametrize("code", ["2", "3", "4"])
def test_a_plus_typed_by_hand_means_plus(shared_guidebook, visitor, code):
    # A "+" typed into the address bar arrives as a space: "3 " is 3+, not 3.
    typed = exported_slugs(visitor, f"evidence={code}+")
    assert typed == exported_slugs(visitor, f"evidence={code}%2B")
    assert typed == expected(shared_guidebook, {"evidence": [f"{code}+"]})
    assert typed and typed != exported_slugs(visitor, f"evidence={code}")
    assert exported_slugs(visitor, f"min_evidence={code}+") == expected(
        shared_guidebook, {"min_evidence": [f"{code}+"]}
    )


def test_hand_typed_plus_works_on_the_page_too(shared_guidebook, visitor):
    response = visitor.get(guidebook_url("evidence=3+&evidence=4"))
    want = expected(shared_guidebook, "evidence=3%2B&evidence=4")
    assert result_count(response) == count_text(len(want))
    assert listed_slugs(response) == want[:PER_PAGE]


def test_unpublished_interventions_never_appear_whatever_is_asked(shared_guidebook, visitor):
    drafts = {entry.slug for entry in shared_guidebook if not entry.published}
    every_rating = "&".join(f"evidence={encoded(code)}" for code in EVIDENCE_CODES)
    shown = set(exported_slugs(visitor)) | set(exported_slugs(visitor, every_rating))
    assert drafts and not drafts & shown
    # Between them, the bare list and the list of every rating hold every published entry.
    assert shown == {entry.slug for entry in shared_guidebook if entry.published}
