"""The project list's Partner select offers only the busiest partners, and the partner list
(/partners/) every one: A to Z, with its number of projects, searched by name, in pages."""

import pytest
from django.urls import reverse

from core.search import SEARCH_MAX_LENGTH, SEARCH_MAX_WORDS
from projects.filters import PARTNER_OPTIONS
from projects.views import PARTNERS_PER_PAGE
from tests.support.pages import Node, main, parse

LIST_URL = "projects:project-list"
PARTNERS_URL = "projects:partner-list"
# Partners beyond those the select offers, each with a single published project.
QUIET = 5


def partner_options(response) -> list[str]:
    assert response.status_code == 200
    return [
        option.text for option in main(response).find("select", name="partner").find_all("option")
    ]


def chosen_partner(response) -> list[str]:
    options = main(response).find("select", name="partner").find_all("option")
    return [option.text for option in options if "selected" in option.attrs]


def listed_projects(response) -> list[str]:
    return [title.text for title in main(response).find_all("h3", class_="card__title")]


def partner_rows(response) -> list[Node]:
    assert response.status_code == 200
    lists = main(response).find_all("ul", class_="partners")
    return lists[0].find_all("li") if lists else []


def partner_names(response) -> list[str]:
    return [row.find_all("a")[0].text for row in partner_rows(response)]


def result_count(response) -> str:
    return main(response).find("h2", class_="results-count").text


@pytest.fixture
def partners(project_factory, organisation_factory, partnership_factory):
    """PARTNER_OPTIONS busy partners, with two or three published projects each, and QUIET
    with one, their names interleaved; and a partner of drafts alone, the most of all."""
    first, second, third = (
        project_factory(title="First study"),
        project_factory(title="Second study"),
        project_factory(title="Third study"),
    )
    busy, quiet = [], []
    for number in range(1, PARTNER_OPTIONS + QUIET + 1):
        organisation = organisation_factory(name=f"Org {number:02}")
        if number % 5 == 0:
            projects = [first]
            quiet.append(organisation)
        else:
            projects = [first, second, third][: 2 + number % 2]
            busy.append(organisation)
        for project in projects:
            partnership_factory(project=project, organisation=organisation)
    drafts_only = organisation_factory(name="Aardvark drafts")
    for _ in range(4):
        partnership_factory(project=project_factory(published=False), organisation=drafts_only)
    return {"busy": busy, "quiet": quiet, "drafts_only": drafts_only}


def test_the_select_offers_only_the_busiest_partners_a_to_z(partners, visitor):
    assert len(partners["busy"]) == PARTNER_OPTIONS
    options = partner_options(visitor.get(reverse(LIST_URL)))
    assert options == ["Any partner", *sorted(partner.name for partner in partners["busy"])]


def test_the_busiest_partners_follow_a_new_partnership(
    partners, project_factory, partnership_factory, visitor
):
    """They are kept in the data cache until lists of projects change."""
    newcomer = partners["quiet"][0]
    assert newcomer.name not in partner_options(visitor.get(reverse(LIST_URL)))
    for _ in range(3):
        partnership_factory(project=project_factory(), organisation=newcomer)
    assert newcomer.name in partner_options(visitor.get(reverse(LIST_URL)))


def test_a_chosen_partner_beyond_the_busiest_is_offered_chosen_and_filters(partners, visitor):
    quiet = partners["quiet"][0]
    response = visitor.get(reverse(LIST_URL), {"partner": quiet.slug})
    expected = sorted(partner.name for partner in [*partners["busy"], quiet])
    assert partner_options(response) == ["Any partner", *expected]
    assert chosen_partner(response) == [quiet.name]
    assert listed_projects(response) == ["First study"]


def test_a_chosen_busy_partner_is_offered_once(partners, visitor):
    busy = partners["busy"][0]
    response = visitor.get(reverse(LIST_URL), {"partner": busy.slug})
    assert len(partner_options(response)) == PARTNER_OPTIONS + 1
    assert chosen_partner(response) == [busy.name]


@pytest.mark.parametrize("slug", ["no-such", "aardvark-drafts"], ids=["unknown", "drafts only"])
def test_a_partner_without_published_projects_is_reported_beside_the_filter(
    partners, visitor, slug
):
    response = visitor.get(reverse(LIST_URL), {"partner": slug})
    assert response.status_code == 200
    error = main(response).find("p", id="id_partner_error").text
    assert error == "There is no partner with that name. This filter was not applied."
    assert len(partner_options(response)) == PARTNER_OPTIONS + 1
    assert chosen_partner(response) == []
    assert len(listed_projects(response)) == 3


def test_the_select_links_to_every_partner(partners, visitor):
    links = main(visitor.get(reverse(LIST_URL))).links()
    total = PARTNER_OPTIONS + QUIET
    assert links[f"Choose from all {total} partners"] == reverse(PARTNERS_URL)


def test_no_link_when_the_select_offers_every_partner(
    project_factory, organisation_factory, visitor
):
    project_factory(delivery_partners=[organisation_factory(name="Refuge")])
    response = visitor.get(reverse(LIST_URL))
    assert partner_options(response) == ["Any partner", "Refuge"]
    assert reverse(PARTNERS_URL) not in main(response).links().values()


def test_the_partner_list_has_every_partner_of_a_published_project_a_to_z(partners, visitor):
    response = visitor.get(reverse(PARTNERS_URL))
    everyone = sorted(partner.name for partner in [*partners["busy"], *partners["quiet"]])
    assert partner_names(response) == everyone
    assert "Aardvark drafts" not in main(response).text
    assert result_count(response) == f"{len(everyone)} partners"
    assert parse(response).find("h1").text == "Partners"


def test_each_partner_links_to_its_page_and_its_projects_with_their_number(partners, visitor):
    rows = partner_rows(visitor.get(reverse(PARTNERS_URL)))
    by_name = {row.find_all("a")[0].text: row for row in rows}
    for organisation, count in [
        (partners["busy"][0], 3),
        (partners["busy"][1], 2),
        (partners["quiet"][0], 1),
    ]:
        page_link, projects_link = by_name[organisation.name].find_all("a")
        assert page_link.attrs["href"] == organisation.get_absolute_url()
        assert projects_link.attrs["href"] == reverse(LIST_URL) + f"?partner={organisation.slug}"
        assert projects_link.visible_text == f"{count} project{'s' if count > 1 else ''}"
        assert projects_link.text == f"{projects_link.visible_text} with {organisation.name}"


def test_a_partner_of_both_roles_in_a_project_counts_it_once(
    project_factory, organisation_factory, visitor
):
    refuge = organisation_factory(name="Refuge")
    project_factory(delivery_partners=[refuge], evaluation_partners=[refuge])
    (row,) = partner_rows(visitor.get(reverse(PARTNERS_URL)))
    assert row.text == "Refuge: 1 project with Refuge"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "org 1",
            [
                "Org 01",
                "Org 10",
                "Org 11",
                "Org 12",
                "Org 13",
                "Org 14",
                "Org 15",
                "Org 16",
                "Org 17",
                "Org 18",
                "Org 19",
                "Org 21",
            ],
        ),
        ("ORG 2", ["Org 02", "Org 12", "Org 20", "Org 21", "Org 22", "Org 23", "Org 24", "Org 25"]),
        ("  25   org ", ["Org 25"]),
    ],
    ids=["words", "any case", "any order"],
)
def test_the_search_finds_names_with_every_word(partners, visitor, text, expected):
    response = visitor.get(reverse(PARTNERS_URL), {"q": text})
    assert partner_names(response) == expected
    assert main(response).find("input", name="q").attrs["value"] == text


def test_a_search_that_matches_nothing_says_so(partners, visitor):
    response = visitor.get(reverse(PARTNERS_URL), {"q": "zebra"})
    assert response.status_code == 200
    assert partner_names(response) == []
    assert result_count(response) == "0 partners matching “zebra”"
    assert "No partner’s name has every word of “zebra”." in main(response).text


def test_with_no_partner_yet_the_list_says_so(visitor, db):
    response = visitor.get(reverse(PARTNERS_URL))
    assert partner_names(response) == []
    assert "No organisation is a partner of a published project yet." in main(response).text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * (SEARCH_MAX_LENGTH + 1), "Search text can be at most 200 characters long"),
        (" ".join(f"word{n}" for n in range(SEARCH_MAX_WORDS + 1)), "Search with at most 10 words"),
    ],
    ids=["too long", "too many words"],
)
def test_search_text_beyond_the_bounds_is_reported_and_not_applied(
    partners, visitor, text, message
):
    response = visitor.get(reverse(PARTNERS_URL), {"q": text})
    assert response.status_code == 200
    page = parse(response)
    assert page.find("title").text.startswith("Error:")
    assert main(response).find("p", id="id_q_error").text.startswith(message)
    assert (
        main(response).find("div", class_="error-summary").find("a").attrs["href"] == "#id_q_error"
    )
    assert len(partner_names(response)) == PARTNER_OPTIONS + QUIET
    # Not kept in the shared cache: refused text is as varied as those who type it.
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("text", ["%", "_", "'; drop table", "\\", "ö ß 中"])
def test_odd_search_text_is_only_text(partners, visitor, text):
    response = visitor.get(reverse(PARTNERS_URL), {"q": text})
    assert partner_names(response) == []


@pytest.fixture
def add_partners(project_factory, organisation_factory, partnership_factory):
    """Add partners, each of one published project, named so that they follow each other."""
    project = project_factory(title="Shared study")

    def add(count: int) -> None:
        for _ in range(count):
            number = project.partnerships.count() + 1
            partnership_factory(
                project=project, organisation=organisation_factory(name=f"Partner {number:03}")
            )

    return add


def test_the_partner_list_comes_in_pages(add_partners, visitor):
    add_partners(PARTNERS_PER_PAGE + 5)
    first = visitor.get(reverse(PARTNERS_URL))
    assert len(partner_names(first)) == PARTNERS_PER_PAGE
    assert result_count(first) == f"{PARTNERS_PER_PAGE + 5} partners"
    next_link = main(first).find("a", rel="next").attrs["href"]
    second = visitor.get(reverse(PARTNERS_URL) + next_link)
    assert partner_names(second) == [f"Partner {number:03}" for number in range(51, 56)]
    assert parse(second).find("title").text.startswith("Partners (page 2)")


def test_pages_keep_the_search(add_partners, visitor):
    add_partners(PARTNERS_PER_PAGE + 5)
    first = visitor.get(reverse(PARTNERS_URL), {"q": "partner"})
    next_link = main(first).find("a", rel="next").attrs["href"]
    assert "q=partner" in next_link
    assert len(partner_names(visitor.get(reverse(PARTNERS_URL) + next_link))) == 5


@pytest.mark.parametrize("page", ["999", "abc", "0", "-1", "1.5"])
def test_a_page_that_does_not_exist_is_404(add_partners, visitor, page):
    add_partners(3)
    response = visitor.get(reverse(PARTNERS_URL), {"page": page, "q": "x" * 1000})
    assert response.status_code == 404
    assert parse(response).find("h1").text == "Page not found"


PARTNER_LIST_QUERIES = 3


@pytest.mark.parametrize("query", [{}, {"q": "partner"}], ids=["all", "searched"])
def test_the_partner_list_makes_as_many_queries_for_3_partners_as_for_60(
    add_partners, visitor, django_assert_num_queries, query
):
    add_partners(3)
    with django_assert_num_queries(PARTNER_LIST_QUERIES):
        assert len(partner_names(visitor.get(reverse(PARTNERS_URL), query))) == 3
    add_partners(57)
    with django_assert_num_queries(PARTNER_LIST_QUERIES):
        assert len(partner_names(visitor.get(reverse(PARTNERS_URL), query))) == PARTNERS_PER_PAGE
