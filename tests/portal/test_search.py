"""The site search at /search/: ranked results across the portal, highlighted, escaped, and
a helpful page (never an error) for an empty or absurd query."""

import pytest
from django.db import connection
from django.urls import reverse

from catalogue.models import Intervention
from core.search import SEARCH_MAX_WORDS, highlight
from projects.models import Project
from tests.support.pages import main

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="full-text search runs on PostgreSQL only"
)


def search(client, q, **params):
    return client.get(reverse("portal:search"), {"q": q, **params})


def results(response) -> list[tuple[str, str]]:
    """The results on the page as (kind, title) pairs, in order."""
    items = main(response).find("ol", class_="search-results").find_all("li")
    return [
        (item.find("p", class_="search-results__kind").text, item.find("h3").text) for item in items
    ]


def result_titles(response) -> list[str]:
    page = main(response)
    if not page.find_all("ol", class_="search-results"):
        return []
    return [title for _, title in results(response)]


def test_search_finds_projects_interventions_outcomes_and_partners(
    project_factory,
    intervention_factory,
    child_outcome_factory,
    organisation_factory,
    visitor,
):
    trust = organisation_factory(name="Kinship Carers Trust")
    project_factory(title="Kinship care in the early years", delivery_partners=[trust])
    intervention_factory(name="Kinship family group conferencing")
    child_outcome_factory(name="Stable kinship placements")
    project_factory(title="Something else entirely", body="Nothing of interest here.")
    response = search(visitor, "kinship")
    assert response.status_code == 200
    assert sorted(results(response)) == [
        ("Child outcome", "Stable kinship placements"),
        ("Intervention", "Kinship family group conferencing"),
        ("Partner", "Kinship Carers Trust"),
        ("Research project", "Kinship care in the early years"),
    ]
    assert main(response).find("h2", class_="results-count").text == "4 results for “kinship”"


def test_each_result_links_to_its_page(project_factory, intervention_factory, visitor):
    project = project_factory(title="Kinship care study")
    intervention = intervention_factory(name="Kinship carers programme")
    links = main(search(visitor, "kinship")).find("ol", class_="search-results").links()
    assert links == {
        "Kinship care study": project.get_absolute_url(),
        "Kinship carers programme": intervention.get_absolute_url(),
    }


def test_a_title_match_ranks_above_a_body_only_match(project_factory, visitor):
    project_factory(
        title="Family support in schools",
        summary="Support for families through schools.",
        body="Among others, the study hears from grandparents in kinship care.",
    )
    project_factory(title="Kinship care and family courts", summary="What courts decide.")
    assert result_titles(search(visitor, "kinship")) == [
        "Kinship care and family courts",
        "Family support in schools",
    ]


def test_ranking_is_shared_across_kinds(project_factory, intervention_factory, visitor):
    project_factory(title="Home visiting", body="Mentions mentoring once, in passing.")
    intervention_factory(name="Mentoring for young people")
    assert result_titles(search(visitor, "mentoring")) == [
        "Mentoring for young people",
        "Home visiting",
    ]


def test_a_summary_match_ranks_above_a_body_match(intervention_factory, visitor):
    intervention_factory(
        name="Second", summary="A programme for parents.", description="It uses video feedback."
    )
    intervention_factory(name="First", summary="Video feedback for parents.", description="")
    assert result_titles(search(visitor, "video")) == ["First", "Second"]


def test_matching_words_are_marked_in_the_excerpt(project_factory, visitor):
    project_factory(
        title="Kinship care study",
        summary="How kinship carers are supported by local authorities.",
    )
    excerpt = main(search(visitor, "kinship")).find("ol", class_="search-results").find("li")
    assert [mark.text.lower() for mark in excerpt.find_all("mark")] == ["kinship"]
    assert "How kinship carers are supported" in excerpt.text


def test_every_word_of_the_query_is_marked(intervention_factory, visitor):
    intervention_factory(
        name="Parent training", summary="Group sessions for parents of young children."
    )
    page = main(search(visitor, "group children"))
    marked = {mark.text.lower() for mark in page.find_all("mark")}
    assert marked == {"group", "children"}


def test_text_from_editors_is_escaped_in_results(project_factory, visitor):
    project_factory(
        title="Kinship <em>care</em>",
        summary="<script>alert('kinship')</script> kinship carers & families",
    )
    response = search(visitor, "kinship")
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "<em>care</em>" not in html
    item = main(response).find("ol", class_="search-results").find("li")
    assert item.find("h3").text == "Kinship <em>care</em>"
    excerpt = item.find_all("p")[-1]
    # PostgreSQL's excerpt drops what looks like a tag; elsewhere it is shown as typed.
    assert {child.tag for child in excerpt.children if not isinstance(child, str)} == {"mark"}
    assert "alert('kinship')" in excerpt.text
    assert "kinship carers & families" in excerpt.text


def test_the_query_itself_is_escaped(visitor, db):
    response = search(visitor, "<script>alert(1)</script>")
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("excerpt", "query", "expected"),
    [
        ("Tom & Jerry", "amp", "Tom &amp; Jerry"),
        ("Fish & chips", "a", "Fish &amp; chips"),
        ("<b>Bold</b> tactics", "t", "&lt;b&gt;Bold&lt;/b&gt; <mark>t</mark>ac<mark>t</mark>ics"),
        ("Children's centres", "x27", "Children&#x27;s centres"),
        ("Tom & Jerry", "&", "Tom <mark>&amp;</mark> Jerry"),
    ],
)
def test_marking_never_breaks_an_escaped_character(excerpt, query, expected):
    assert highlight(excerpt, query) == expected


ABSURD_QUERIES = [
    "!!!",
    '"',
    "'",
    '"unclosed quote',
    "\\",
    "back\\slash\\",
    "'; DROP TABLE projects_project; --",
    "1' OR '1'='1",
    "% _ %%",
    "a & b | !c <-> d:*",
    "( ) - -- * :",
    "<->",
    "the of and",
    "ünïcödé ✓ 子供",
    " ".join("abcdefghijklmnopqrstuvwxyz" * 4)[:199],
    "kinship " * 24,
]


@pytest.mark.parametrize("q", ABSURD_QUERIES)
def test_an_absurd_query_gets_a_page_not_an_error(
    q, project_factory, intervention_factory, visitor
):
    project_factory(title="Kinship care study")
    intervention_factory(name="Kinship carers programme")
    response = search(visitor, q)
    assert response.status_code == 200
    page = main(response)
    assert page.find("h1").text == "Search"
    assert page.find("input", type="search").attrs["value"].strip() == q.strip()
    if len(set(q.casefold().split())) > SEARCH_MAX_WORDS:
        assert f"Search with at most {SEARCH_MAX_WORDS} words" in page.text
        return
    count = page.find("h2", class_="results-count").text
    assert count.endswith(f"for “{q.strip()}”")
    if count.startswith("0 results"):
        assert "Nothing matches" in page.text
        assert "the guidebook of interventions" in page.links()


def test_a_repeated_word_still_finds_its_match(project_factory, visitor):
    project_factory(title="Kinship care study")
    assert result_titles(search(visitor, "kinship " * 24)) == ["Kinship care study"]


@pytest.mark.parametrize("q", ["", "   ", "\t\n"])
def test_an_empty_query_explains_what_to_type(q, project_factory, visitor):
    project_factory(title="Kinship care study")
    response = search(visitor, q)
    assert response.status_code == 200
    page = main(response)
    assert "Type a word or two about what you are looking for" in page.text
    assert page.find_all("ol", class_="search-results") == []
    assert page.links()["all research projects"] == reverse("projects:project-list")
    assert page.links()["the guidebook of interventions"] == reverse("catalogue:guidebook")


def test_no_query_at_all_explains_what_to_type(visitor, db):
    response = visitor.get(reverse("portal:search"))
    assert response.status_code == 200
    assert "Type a word or two" in main(response).text


def test_nothing_found_suggests_what_to_do(project_factory, visitor):
    project_factory(title="Kinship care study")
    page = main(search(visitor, "zebra"))
    assert page.find("h2", class_="results-count").text == "0 results for “zebra”"
    assert "Nothing matches “zebra”. Check the spelling" in page.text
    assert "all research projects" in page.links()


def test_a_query_too_long_is_explained_not_run(project_factory, visitor):
    project_factory(title="Kinship care study")
    response = search(visitor, "kinship " + "x" * 992)
    assert response.status_code == 200
    page = main(response)
    error = page.find("p", class_="field-error")
    assert "at most 200 characters" in error.text
    assert page.find("input", type="search").attrs["aria-invalid"] == "true"
    assert page.find_all("ol", class_="search-results") == []
    assert "all research projects" in page.links()


def test_a_nul_byte_is_refused_politely(project_factory, visitor):
    project_factory(title="Kinship care study")
    response = search(visitor, "kin\x00ship")
    assert response.status_code == 200
    page = main(response)
    assert "Null characters are not allowed" in page.find("p", class_="field-error").text
    assert "all research projects" in page.links()


def test_a_page_number_out_of_range_shows_the_last_page(project_factory, visitor):
    for number in range(23):
        project_factory(title=f"Kinship study {number}")
    response = search(visitor, "kinship", page="999")
    assert response.status_code == 200
    assert len(result_titles(response)) == 3
    assert main(response).find("h2", class_="results-count").text.startswith("23 results")
    assert len(result_titles(search(visitor, "kinship", page="nonsense"))) == 20


def test_results_are_paged_by_twenty(project_factory, visitor):
    for number in range(23):
        project_factory(title=f"Kinship study {number}")
    first = search(visitor, "kinship")
    second = search(visitor, "kinship", page="2")
    assert len(result_titles(first)) == 20
    assert len(result_titles(second)) == 3
    assert set(result_titles(first)).isdisjoint(result_titles(second))
    next_link = main(first).find("a", rel="next").attrs["href"]
    assert "q=kinship" in next_link and "page=2" in next_link


def test_unpublished_records_never_appear(
    project_factory, intervention_factory, organisation_factory, visitor, editor
):
    hidden_partner = organisation_factory(name="Kinship Draft Partners")
    project_factory(
        title="Kinship draft project", published=False, delivery_partners=[hidden_partner]
    )
    intervention_factory(name="Kinship draft intervention", published=False)
    project_factory(title="Kinship published project")
    for client in (visitor, editor):
        assert result_titles(search(client, "kinship")) == ["Kinship published project"]


@postgresql_only
def test_search_understands_english_word_forms(project_factory, visitor):
    project_factory(title="Parenting programmes for fathers")
    assert result_titles(search(visitor, "parent programme father")) == [
        "Parenting programmes for fathers"
    ]


@postgresql_only
def test_the_full_text_indexes_exist(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE indexname IN ('project_search', 'intervention_search') ORDER BY indexname"
        )
        rows = cursor.fetchall()
    assert [name for name, _ in rows] == ["intervention_search", "project_search"]
    assert all("USING gin" in definition for _, definition in rows)


@postgresql_only
@pytest.mark.parametrize(
    ("queryset", "index"),
    [
        (lambda: Project.objects.ranked_search("kinship"), "project_search"),
        (lambda: Intervention.objects.ranked_search("kinship"), "intervention_search"),
    ],
)
def test_the_search_query_can_use_its_index(queryset, index, project_factory, intervention_factory):
    """The index helps only if its expression is exactly the one the query filters on.

    Without the published filter, for which the planner may prefer a partial index on a
    table this small, the full-text index is the only index that can answer the query."""
    project_factory(title="Kinship care study")
    intervention_factory(name="Kinship carers programme")
    with connection.cursor() as cursor:
        # With a handful of rows a sequential scan is cheaper; forbid it to see the plan.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset().explain()
    assert index in plan, plan


@postgresql_only
def test_the_stored_document_follows_every_kind_of_change(intervention_factory, visitor):
    """PostgreSQL keeps each record's search document in a column; a trigger rewrites it
    when the searched text changes, however the change is made."""
    intervention = intervention_factory(name="Kinship carers programme", summary="", provider="")
    assert result_titles(search(visitor, "kinship")) == ["Kinship carers programme"]

    intervention.name = "Grandparent carers programme"
    intervention.save()
    assert result_titles(search(visitor, "kinship")) == []
    assert result_titles(search(visitor, "grandparent")) == ["Grandparent carers programme"]

    Intervention.objects.filter(pk=intervention.pk).update(description="Foster families.")
    assert result_titles(search(visitor, "foster")) == ["Grandparent carers programme"]

    # A change to other fields keeps the document.
    Intervention.objects.filter(pk=intervention.pk).update(cost_rating=3)
    intervention.refresh_from_db()
    intervention.save(update_fields=["cost_rating"])
    assert result_titles(search(visitor, "grandparent")) == ["Grandparent carers programme"]


@postgresql_only
@pytest.mark.parametrize("column", ["name", "summary", "description", "provider"])
def test_the_guidebook_text_filter_can_use_its_trigram_indexes(column, intervention_factory):
    """The guidebook's text filter matches parts of words, which only a trigram index on
    the same upper-cased expression can answer (without the published filter, which a
    partial index could answer instead)."""
    intervention_factory(name="Kinship carers programme")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Intervention.objects.search("kinsh").explain()
    assert f"intervention_{column}_trgm" in plan, plan


def test_a_query_of_too_many_words_is_refused_with_a_message_and_no_search(
    project_factory, visitor, django_assert_max_num_queries
):
    project_factory(title="Kinship care study")
    words = " ".join("abcdefghijklmnop")
    search(visitor, "")  # what every page looks up once until the content changes
    with django_assert_max_num_queries(0):
        response = search(visitor, words)
    assert response.status_code == 200
    assert f"Search with at most {SEARCH_MAX_WORDS} words" in main(response).text


def test_the_next_page_of_results_does_not_search_again(
    project_factory, visitor, django_assert_num_queries
):
    for number in range(25):
        project_factory(title=f"Kinship care study {number:02}")
    first = result_titles(search(visitor, "kinship"))
    with django_assert_num_queries(0):
        second = result_titles(search(visitor, "kinship", page=2))
    assert len(first) == 20 and len(second) == 5
    assert not set(first) & set(second)


def test_a_change_shows_in_the_next_search(project_factory, visitor):
    project = project_factory(title="Kinship care study")
    assert result_titles(search(visitor, "kinship")) == ["Kinship care study"]
    project.title = "Kinship carers study"
    project.save()
    assert result_titles(search(visitor, "Kinship", page=1)) == ["Kinship carers study"]
