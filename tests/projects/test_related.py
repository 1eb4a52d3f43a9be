"""Related projects: editors' links first (both ways), then projects sharing topics or partners."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.support.pages import main


def related_on_page(client, project) -> list[str]:
    page = main(client.get(project.get_absolute_url()))
    if "Related projects" not in page.headings():
        return []
    return [
        link.text
        for link in page.section("Related projects").find("ul", class_="related").find_all("a")
    ]


def related_list(client, project, **query) -> list[str]:
    response = client.get(reverse("projects:related-list", args=[project.slug]), query)
    assert response.status_code == 200
    return [title.text for title in main(response).find_all("h3", class_="card__title")]


@pytest.fixture
def network(project_factory, organisation_factory):
    """A project with a curated link, one sharing a topic, one a partner, and one unrelated."""
    refuge = organisation_factory(name="Refuge")
    subject = project_factory(
        title="Subject", topics=["Domestic abuse"], delivery_partners=[refuge]
    )
    curated = project_factory(title="Curated", topics=["Astronomy"])
    subject.related_projects.add(curated)
    project_factory(title="Shares a topic", topics=["Domestic abuse"])
    project_factory(title="Shares a partner", evaluation_partners=[refuge])
    project_factory(
        title="Unrelated", topics=["Kinship care"], delivery_partners=[organisation_factory()]
    )
    project_factory(
        title="Draft sharing both",
        topics=["Domestic abuse"],
        delivery_partners=[refuge],
        published=False,
    )
    return subject


def test_curated_related_projects_come_first_then_computed_ones(network, visitor):
    related = related_on_page(visitor, network)
    assert related[0] == "Curated"
    assert sorted(related[1:]) == ["Shares a partner", "Shares a topic"]


def test_unrelated_and_unpublished_projects_are_not_related(network, visitor, editor):
    for client in (visitor, editor):
        assert "Unrelated" not in related_on_page(client, network)
        assert "Draft sharing both" not in related_on_page(client, network)
        assert "Subject" not in related_on_page(client, network)


def test_curated_links_are_symmetric(network, visitor, project_factory):
    curated = network.related_projects.get()
    assert related_on_page(visitor, curated) == ["Subject"]


def test_projects_sharing_more_come_before_those_sharing_less(
    project_factory, visitor, organisation_factory
):
    refuge = organisation_factory()
    subject = project_factory(
        title="Subject", topics=["Domestic abuse", "Perpetrators"], delivery_partners=[refuge]
    )
    project_factory(title="Shares one", topics=["Perpetrators"])
    project_factory(
        title="Shares three",
        topics=["Domestic abuse", "Perpetrators"],
        evaluation_partners=[refuge],
    )
    project_factory(title="Shares two", topics=["Domestic abuse", "Perpetrators"])
    assert related_on_page(visitor, subject) == ["Shares three", "Shares two", "Shares one"]


def test_project_with_nothing_in_common_has_no_related_section(project_factory, visitor):
    project_factory(topics=["Astronomy"])
    assert related_on_page(visitor, project_factory(topics=["Kinship care"])) == []


@pytest.fixture
def popular(project_factory):
    subject = project_factory(title="Subject", topics=["Domestic abuse"])
    for number in range(1, 7):
        project_factory(title=f"Neighbour {number}", topics=["Domestic abuse"])
    return subject


def test_project_page_shows_four_related_and_links_to_all_of_them(popular, visitor):
    page = main(visitor.get(popular.get_absolute_url()))
    section = page.section("Related projects")
    assert len(section.find("ul", class_="related").find_all("li")) == 4
    assert section.links()["All projects related to Subject"] == reverse(
        "projects:related-list", args=[popular.slug]
    )


def test_related_page_lists_every_related_project(popular, visitor):
    response = visitor.get(reverse("projects:related-list", args=[popular.slug]))
    page = main(response)
    assert page.find("h1").text == "Related projects"
    assert page.find("h2", class_="results-count").text.startswith(
        "6 projects related to “Subject”"
    )
    assert sorted(related_list(visitor, popular)) == [f"Neighbour {n}" for n in range(1, 7)]


def test_related_page_keeps_curated_projects_first(network, visitor):
    assert related_list(visitor, network)[0] == "Curated"


def test_related_page_of_unknown_project_is_404(visitor, db):
    assert (
        visitor.get(reverse("projects:related-list", args=["no-such-project"])).status_code == 404
    )


def test_related_page_of_a_draft_is_404_for_the_public_and_shown_to_staff(
    project_factory, visitor, outsider, editor
):
    draft = project_factory(published=False, topics=["Domestic abuse"])
    project_factory(title="Published neighbour", topics=["Domestic abuse"])
    url = reverse("projects:related-list", args=[draft.slug])
    assert visitor.get(url).status_code == 404
    assert outsider.get(url).status_code == 404
    assert related_list(editor, draft) == ["Published neighbour"]


@pytest.mark.parametrize("page", ["999", "abc"])
def test_related_page_that_does_not_exist_is_404(popular, visitor, page):
    response = visitor.get(reverse("projects:related-list", args=[popular.slug]), {"page": page})
    assert response.status_code == 404


def test_the_ranking_is_kept_until_the_content_changes(network, project_factory, visitor, settings):
    """With the page cache off, the page is made each time but the ranking is not redone;
    a new project sharing a topic is ranked on the next request all the same."""
    settings.PAGE_CACHE_SECONDS = 0
    first = related_on_page(visitor, network)
    with CaptureQueriesContext(connection) as queries:
        assert related_on_page(visitor, network) == first
    assert not [query for query in queries if "UNION ALL" in query["sql"]]
    project_factory(title="Newly sharing a topic", topics=["Domestic abuse"])
    assert "Newly sharing a topic" in related_on_page(visitor, network)
