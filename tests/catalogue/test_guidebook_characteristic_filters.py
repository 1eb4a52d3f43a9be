"""The guidebook's filters on who an intervention is for, how it is delivered and the studies
behind it (age, need, model, setting, design and the yes-or-nothing filters), alone and
with every other filter, against an independent reading of docs/guidebook-query.md over
the hundred generated interventions and their generated studies and findings."""

import random
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given, strategies

from catalogue.feeds import FEED_LENGTH
from catalogue.views import GuidebookView
from tests.catalogue.test_guidebook_facets import shown_counts, with_only
from tests.core.test_hostile_input import FUZZ
from tests.support.guidebook import (
    COST_CODES,
    EVIDENCE_CODES,
    LIST_CODES,
    OUTCOME_SLUGS,
    PER_PAGE,
    YES_PARAMETERS,
    count_text,
    expected,
    exported_slugs,
    filter_error,
    guidebook_url,
    listed_slugs,
    parse_query,
    result_count,
)
from tests.support.pages import main, parse

ONE_PARAMETER = [
    *(f"{name}={code}" for name, codes in LIST_CODES.items() for code in codes),
    *(f"{name}=yes" for name in YES_PARAMETERS),
    "age=prenatal&age=0-2",
    "age=6-11&age=12-18&age=18-25",
    "need=universal&need=targeted-indicated",
    "model=group&model=online",
    "setting=home&setting=school&setting=youth-justice",
    "design=rct&design=cluster-rct",
    "design=qed&design=pre-post&design=other",
]

COMBINATIONS = [
    "age=3-5&need=targeted-selected",
    "age=0-2&age=3-5&setting=home&setting=early-years",
    "model=family&independent=yes",
    "design=rct&long_term=yes&ethnicity_reported=yes",
    "uk_available=yes&uk_tested=yes",
    "need=universal&uk_available=yes&min_evidence=3",
    "age=12-18&outcome=preventing-crime&max_cost=3&sort=cost",
    "setting=school&evidence=nl2&evidence=ne&evidence=3&sort=-evidence",
    "design=qed&design=rct&independent=yes&mixed=exclude&cost=1&cost=2&cost=na",
    "q=family&age=6-11&model=group&model=individual",
    (
        "age=3-5&age=6-11&need=targeted-selected&need=targeted-indicated&model=group"
        "&setting=home&setting=community&design=rct&independent=yes&uk_available=yes"
    ),
]


def random_queries(count: int) -> list[str]:
    """Queries that set each new parameter, or not, at random, beside the rating filters."""
    rng = random.Random(16)
    queries = []
    for _ in range(count):
        parts = []
        for name, codes in LIST_CODES.items():
            if rng.random() < 0.3:
                parts += [f"{name}={code}" for code in rng.sample(codes, rng.randint(1, 2))]
        parts += [f"{name}=yes" for name in YES_PARAMETERS if rng.random() < 0.2]
        if rng.random() < 0.3:
            parts.append(f"cost={rng.choice(COST_CODES)}")
        if rng.random() < 0.3:
            parts.append(f"outcome={rng.choice(OUTCOME_SLUGS)}")
        queries.append("&".join(parts))
    return queries


def test_every_new_value_occurs_among_published_entries_or_the_tests_prove_little(
    shared_guidebook,
):
    published = [entry for entry in shared_guidebook if entry.published]
    for name, attribute in [
        ("age", "age_groups"),
        ("need", "need"),
        ("model", "model"),
        ("setting", "setting"),
        ("design", "counting_designs"),
    ]:
        assert set().union(*(getattr(entry, attribute) for entry in published)) == set(
            LIST_CODES[name]
        )
    for attribute in YES_PARAMETERS.values():
        assert {getattr(entry, attribute) for entry in published} == {True, False}, attribute
    # Studies that do not count, and an editor's UK flag that its studies overrule.
    assert any(not study.counts for entry in published for study in entry.studies)
    assert any(entry.studies and entry.uk_tested_set != entry.tested_in_uk for entry in published)


@pytest.mark.parametrize("query", ONE_PARAMETER + COMBINATIONS + random_queries(16))
def test_guidebook_lists_exactly_what_the_query_contract_gives(shared_guidebook, visitor, query):
    want = expected(shared_guidebook, query)
    assert exported_slugs(visitor, query) == want
    response = visitor.get(guidebook_url(query))
    assert result_count(response) == count_text(len(want))
    assert listed_slugs(response) == want[:PER_PAGE]


def test_each_single_filter_narrows_the_list_so_the_cases_above_prove_something(
    shared_guidebook,
):
    everything = expected(shared_guidebook, "")
    for query in ONE_PARAMETER:
        want = expected(shared_guidebook, query)
        assert want and want != everything, query
    # Codes of one parameter are OR'd: two give more than either alone.
    both = expected(shared_guidebook, "age=prenatal&age=0-2")
    assert len(both) > max(
        len(expected(shared_guidebook, "age=prenatal")), len(expected(shared_guidebook, "age=0-2"))
    )


QUERY_PARTS = strategies.fixed_dictionaries(
    {},
    optional={
        **{
            name: strategies.lists(strategies.sampled_from(codes), min_size=1, max_size=3)
            for name, codes in LIST_CODES.items()
        },
        **{name: strategies.just(["yes"]) for name in YES_PARAMETERS},
        "evidence": strategies.lists(strategies.sampled_from(EVIDENCE_CODES), max_size=2),
        "outcome": strategies.lists(strategies.sampled_from(OUTCOME_SLUGS), max_size=2),
    },
)


@FUZZ
@given(params=QUERY_PARTS)
def test_generated_combinations_list_exactly_what_the_contract_gives(shared_guidebook, params):
    query = urlencode(params, doseq=True)
    assert exported_slugs(Client(), query) == expected(shared_guidebook, params)


@pytest.mark.parametrize(
    "query",
    [
        "age=3-5&need=targeted-selected&setting=home",
        "model=group&design=rct&independent=yes&long_term=yes",
        "setting=school&setting=health&uk_tested=yes&ethnicity_reported=yes&min_evidence=2",
        "age=0-2&uk_available=yes&outcome=preventing-crime&cost=2&cost=3",
    ],
)
def test_each_option_count_is_the_count_of_the_list_that_option_alone_gives(
    shared_guidebook, visitor, query
):
    counts = shown_counts(visitor.get(guidebook_url(query)))
    for (name, value), count in counts.items():
        option_query = with_only(query, name, value)
        assert count == len(expected(shared_guidebook, option_query)), f"{name}={value}"
    # The page's own count and that of a yes filter in force are one and the same.
    assert all(
        counts[name, "yes"] == len(expected(shared_guidebook, query))
        for name in YES_PARAMETERS
        if f"{name}=yes" in query
    )


def test_counts_are_not_all_alike_so_the_check_above_means_something(shared_guidebook, visitor):
    counts = shown_counts(visitor.get(guidebook_url("age=3-5&independent=yes")))
    for name in LIST_CODES:
        assert len({count for (facet, _), count in counts.items() if facet == name}) > 1, name
    assert len({counts[name, "yes"] for name in YES_PARAMETERS}) > 1


def test_the_new_filters_are_listed_in_words_and_each_link_removes_it_alone(
    shared_guidebook, visitor
):
    query = (
        "age=3-5&age=prenatal&need=universal&model=family&setting=early-years&design=qed"
        "&independent=yes&long_term=yes&ethnicity_reported=yes&uk_tested=yes&uk_available=yes"
    )
    box = main(visitor.get(guidebook_url(query))).find("div", class_="active-filters")
    links = {
        link.text.replace("×", "").replace(" (remove this filter)", "").strip(): link.attrs["href"]
        for link in box.find("ul").find_all("a")
    }
    assert list(links) == [
        "Age group: Pre-school (3–5)",
        "Age group: Before birth",
        "Level of need: Universal",
        "Delivery model: Whole family",
        "Setting: Children’s centre or early years setting",
        "Study design: Quasi-experimental design",
        "Studied independently of the provider: Yes",
        "Favourable finding a year or more after it ended: Yes",
        "A study reports the ethnicity of its sample: Yes",
        "Tested in the UK: Yes",
        "Available in the UK: Yes",
    ]
    everything = parse_query(query)
    for label, href in links.items():
        kept = parse_query(href[1:])
        removed = {
            (name, value)
            for name, values in everything.items()
            for value in values
            if value not in kept.get(name, [])
        }
        assert len(removed) == 1, label
        response = visitor.get(guidebook_url(href[1:]))
        assert result_count(response) == count_text(len(expected(shared_guidebook, href[1:])))


# Each new filter with a value that narrows the list, leaving more than a page of PAGE_SIZE.
EACH_NEW_FILTER = {
    "age": "age=0-2",
    "need": "need=universal",
    "model": "model=family",
    "setting": "setting=home",
    "design": "design=qed",
    "uk_available": "uk_available=yes",
    "uk_tested": "uk_tested=yes",
    "independent": "independent=yes",
    "long_term": "long_term=yes",
    "ethnicity_reported": "ethnicity_reported=yes",
}
PAGE_SIZE = 4


def test_each_new_filter_alone_narrows_the_list_to_another_second_page(shared_guidebook):
    everything = expected(shared_guidebook, "")
    second = slice(PAGE_SIZE, 2 * PAGE_SIZE)
    for query in EACH_NEW_FILTER.values():
        want = expected(shared_guidebook, query)
        assert PAGE_SIZE < len(want) < len(everything), query
        assert want[second] != everything[second], query


def next_page(response) -> str:
    nav = main(response).find("nav", class_="pagination")
    return {
        link.attrs["rel"]: link.attrs["href"] for link in nav.find_all("a") if "rel" in link.attrs
    }["next"]


def test_pages_keep_the_new_filters(shared_guidebook, visitor):
    query = "setting=home&setting=school&setting=community&age=6-11&age=12-18&age=0-2"
    want = expected(shared_guidebook, query)
    assert len(want) > PER_PAGE
    following = next_page(visitor.get(guidebook_url(query)))
    assert parse_query(following[1:]) == {**parse_query(query), "page": ["2"]}
    second = visitor.get(guidebook_url(following[1:]))
    assert listed_slugs(second) == want[PER_PAGE : 2 * PER_PAGE]


@pytest.mark.parametrize("query", EACH_NEW_FILTER.values(), ids=EACH_NEW_FILTER)
def test_the_next_page_keeps_each_new_filter(shared_guidebook, visitor, monkeypatch, query):
    # Pages of a few, so that a filter that leaves fewer than PER_PAGE has a second page.
    monkeypatch.setattr(GuidebookView, "paginate_by", PAGE_SIZE)
    want = expected(shared_guidebook, query)
    following = next_page(visitor.get(guidebook_url(query)))
    assert parse_query(following[1:]) == {**parse_query(query), "page": ["2"]}
    second = visitor.get(guidebook_url(following[1:]))
    assert result_count(second) == count_text(len(want))
    assert listed_slugs(second) == want[PAGE_SIZE : 2 * PAGE_SIZE]


def feed_slugs(client, query: str) -> list[str]:
    response = client.get(reverse("catalogue:guidebook-feed") + "?" + query)
    assert response.status_code == 200
    return [
        entry.find("link").attrs["href"].rstrip("/").rsplit("/", 1)[1]
        for entry in parse(response).find_all("entry")
    ]


def feed_links(response) -> list[str]:
    """The queries of the page's feed links: the one feed readers find, and the one people see."""
    feed = reverse("catalogue:guidebook-feed")
    links = [*parse(response).find_all("link", rel="alternate"), *main(response).find_all("a")]
    return [
        link.attrs["href"].split("?", 1)[1]
        for link in links
        if link.attrs["href"].startswith(feed + "?")
    ]


# Both UK filters leave more than the feed's thirty: these keep the rated 3 and above.
FEED_QUERIES = {
    **EACH_NEW_FILTER,
    "uk_available": "uk_available=yes&min_evidence=3",
    "uk_tested": "uk_tested=yes&min_evidence=3",
}


@pytest.mark.parametrize(
    "query",
    [
        *FEED_QUERIES.values(),
        "age=3-5&need=targeted-selected",
        "design=rct&independent=yes&uk_available=yes",
    ],
    ids=[*FEED_QUERIES, "age and need", "design, independent and uk_available"],
)
def test_the_feed_and_its_link_follow_the_new_filters(shared_guidebook, visitor, query):
    want = expected(shared_guidebook, query)
    assert 0 < len(want) <= FEED_LENGTH
    assert sorted(feed_slugs(visitor, query)) == sorted(want)
    # Without the query's first filter the feed is another: so the feed applies it.
    rest = query.split("&", 1)[1] if "&" in query else ""
    assert sorted(feed_slugs(visitor, rest)) != sorted(want)
    links = feed_links(visitor.get(guidebook_url(query + "&sort=cost")))
    assert len(links) == 2
    assert all(parse_query(link) == parse_query(query) for link in links)


INVALID = [
    (
        "age=7-9",
        "Age group",
        "“7-9” is not an age group; choose from prenatal, 0-2, 3-5, 6-11, 12-18 or 18-25.",
    ),
    (
        "need=some",
        "Level of need",
        "“some” is not a level of need; choose from universal, targeted-selected or "
        "targeted-indicated.",
    ),
    (
        "model=app",
        "Delivery model",
        "“app” is not a delivery model; choose from individual, group, family or online.",
    ),
    ("setting=prison", "Setting", "“prison” is not a setting; choose from home, early-years"),
    (
        "design=meta-analysis",
        "Study design",
        "“meta-analysis” is not a study design; choose from rct, cluster-rct, qed, pre-post or "
        "other.",
    ),
    ("uk_tested=maybe", "Tested in the UK", "“maybe” is not a choice here; use yes."),
    ("uk_available=no", "Available in the UK", "“no” is not a choice here; use yes."),
    ("independent=1", "Studied independently of the provider", "“1” is not a choice here"),
    ("long_term=true", "Favourable finding a year or more after it ended", "“true” is not a"),
    ("ethnicity_reported=y", "A study reports the ethnicity of its sample", "“y” is not a"),
]
IDS = [case[0] for case in INVALID]


@pytest.mark.parametrize(("bad", "label", "message"), INVALID, ids=IDS)
def test_an_invalid_value_is_reported_beside_its_filter_and_the_others_still_apply(
    shared_guidebook, visitor, bad, label, message
):
    good = "age=3-5" if not bad.startswith("age") else "setting=home"
    response = visitor.get(guidebook_url(f"{bad}&{good}"))
    assert response.status_code == 200
    page = main(response)
    error = filter_error(page, label)
    assert error.startswith(message)
    assert error.endswith("This filter was not applied.")
    assert len(page.find_all("p", class_="field-error")) == 1
    want = expected(shared_guidebook, good)
    assert result_count(response) == count_text(len(want))
    assert listed_slugs(response) == want[:PER_PAGE]
    # On a phone the folded panel opens, so that the message is seen.
    assert "open" in parse(response).find("details", class_="filters-toggle").attrs


@pytest.mark.parametrize(("bad", "label", "message"), INVALID, ids=IDS)
def test_the_csv_and_the_feed_refuse_an_invalid_value(
    shared_guidebook, visitor, bad, label, message
):
    response = visitor.get(guidebook_url(f"age=3-5&{bad}&format=csv"))
    assert response.status_code == 400
    assert f"{bad.split('=')[0]}: {message}" in response.content.decode()
    assert visitor.get(reverse("catalogue:guidebook-feed") + f"?{bad}").status_code == 400


def test_codes_in_capitals_or_with_spaces_mean_the_same(shared_guidebook, visitor):
    assert exported_slugs(visitor, "age=%203-5%20&setting=HOME&uk_available=YES") == expected(
        shared_guidebook, "age=3-5&setting=home&uk_available=yes"
    )


def test_an_empty_value_is_no_filter(shared_guidebook, visitor):
    response = visitor.get(guidebook_url("age=&need=&design=&uk_tested=&independent="))
    assert not main(response).find_all("p", class_="field-error")
    assert result_count(response) == count_text(len(expected(shared_guidebook, "")))


def test_a_yes_filter_repeated_uses_its_last_value(shared_guidebook, visitor):
    response = visitor.get(guidebook_url("uk_available=maybe&uk_available=yes"))
    assert not main(response).find_all("p", class_="field-error")
    want = expected(shared_guidebook, "uk_available=yes")
    assert result_count(response) == count_text(len(want))
