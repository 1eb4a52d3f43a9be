"""A record's page reached from a filtered list offers "Back to results", returning to the
same filters and page; the way back is carried by the list's own links (no JavaScript),
keeps only the list's parameters, and leaves the record's address for search engines
as it was."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from projects.models import Status
from tests.support.pages import main, parse

GUIDEBOOK = reverse("catalogue:guidebook")


def first_result_link(response) -> str:
    return main(response).find_all("h3", class_="card__title")[0].find("a").attrs["href"]


def back_link(response) -> str:
    (link,) = main(response).find_all("p", class_="back-link")
    assert link.find("a").text == "Back to results"
    return link.find("a").attrs["href"]


def query_of(address: str) -> dict:
    return parse_qs(urlsplit(address).query)


@pytest.fixture
def many(intervention_factory):
    return [
        intervention_factory(name=f"Programme {number:02}", evidence_rating=30, cost_rating=2)
        for number in range(25)
    ]


def test_an_intervention_reached_from_a_filtered_page_leads_back_to_it(many, visitor):
    results = visitor.get(GUIDEBOOK, {"cost": "2", "min_evidence": "3", "page": "2"})
    link = first_result_link(results)
    assert urlsplit(link).path.startswith("/interventions/programme-")
    back = back_link(visitor.get(link))
    assert urlsplit(back).path == GUIDEBOOK
    assert query_of(back) == {"cost": ["2"], "min_evidence": ["3"], "page": ["2"]}
    # And it is the same list.
    assert first_result_link(visitor.get(back)) == link


def test_the_unfiltered_first_page_leads_back_too(many, visitor):
    link = first_result_link(visitor.get(GUIDEBOOK))
    assert back_link(visitor.get(link)) == f"{GUIDEBOOK}?page=1"


def test_a_page_reached_otherwise_has_no_way_back_and_its_address_is_unchanged(many, visitor):
    page = visitor.get(many[0].get_absolute_url())
    assert not main(page).find_all("p", class_="back-link")
    via_list = visitor.get(first_result_link(visitor.get(GUIDEBOOK)))
    canonical = parse(via_list).find("link", rel="canonical").attrs["href"]
    assert urlsplit(canonical).query == ""


@pytest.mark.parametrize(
    ("back", "expected"),
    [
        ("next=https://elsewhere.example/&cost=2", f"{GUIDEBOOK}?cost=2"),
        ("//elsewhere.example/", GUIDEBOOK),
        ("cost=2&cost=3&made_up=1&page=2", f"{GUIDEBOOK}?cost=2&cost=3&page=2"),
    ],
)
def test_the_way_back_keeps_only_the_lists_own_parameters(many, visitor, back, expected):
    page = visitor.get(many[0].get_absolute_url(), {"back": back})
    assert back_link(page) == expected


def test_a_project_reached_from_the_filtered_list_leads_back_to_it(project_factory, visitor):
    for number in range(3):
        project_factory(title=f"Trial {number}", status=Status.IN_PROGRESS)
    results = visitor.get(reverse("projects:project-list"), {"status": "in-progress"})
    project = visitor.get(first_result_link(results))
    assert query_of(back_link(project)) == {"status": ["in-progress"], "page": ["1"]}
