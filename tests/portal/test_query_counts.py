"""Public pages make the same number of queries for 3 rows as for 60: no query per row."""

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Project, Role, Status


def count_queries(client, url: str, query: dict | None = None) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, query or {})
    assert response.status_code == 200
    return len(context.captured_queries), response.content


def assert_same_queries_for_3_and_60(
    client,
    add_rows: Callable[[int], None],
    url: Callable[[], str],
    query: dict | None = None,
    *,
    marker: str,
    queries: int,
) -> None:
    """Add 3 rows and count the page's queries, add 57 more and count again: the same
    number, which is `queries`."""
    add_rows(3)
    few, content = count_queries(client, url(), query)
    assert content.count(marker.encode()) >= 3
    add_rows(57)
    many, content = count_queries(client, url(), query)
    assert content.count(marker.encode()) > 3
    assert many == few, f"{few} queries for 3 rows but {many} for 60"
    assert few == queries, f"COUNT={few}"


@pytest.fixture
def rich_project(project_factory, organisation_factory):
    """Make projects with topics and partners, as the pages show them."""
    refuge = organisation_factory(name="Refuge")

    def make(number: int, **fields) -> Project:
        return project_factory(
            title=f"Family study {Project.objects.count() + 1}",
            status=Status.IN_PROGRESS,
            topics=["Domestic abuse", f"Topic {Project.objects.count()}"],
            delivery_partners=[refuge, organisation_factory()],
            evaluation_partners=[organisation_factory()],
            **fields,
        )

    make.refuge = refuge
    return make


def test_project_list_with_filters(rich_project, visitor):
    query = {
        "status": ["in-progress", "planned"],
        "study_type": "feasibility",
        "topic": "domestic-abuse",
        "partner": "refuge",
        "q": "family study",
    }
    assert_same_queries_for_3_and_60(
        visitor,
        lambda count: [rich_project(count) for _ in range(count)],
        lambda: reverse("projects:project-list"),
        query,
        queries=8,
        marker='class="card"',
    )


def test_project_list_unfiltered(rich_project, visitor):
    assert_same_queries_for_3_and_60(
        visitor,
        lambda count: [rich_project(count) for _ in range(count)],
        lambda: reverse("projects:project-list"),
        queries=6,
        marker='class="card"',
    )


HOME_QUERIES = 4


def test_home_page(rich_project, visitor):
    add = lambda count: [rich_project(count) for _ in range(count)]  # noqa: E731
    add(3)
    few, content = count_queries(visitor, reverse("portal:home"))
    add(57)
    many, _ = count_queries(visitor, reverse("portal:home"))
    assert content.count(b'class="card"') == 3
    assert many == few == HOME_QUERIES


def test_project_page(
    project_factory, organisation_factory, research_question_factory, document_factory, visitor
):
    subject = project_factory(title="Subject", topics=["Domestic abuse"])

    def add(count: int) -> None:
        for _ in range(count):
            organisation = organisation_factory()
            subject.partnerships.create(organisation=organisation, role=Role.DELIVERY)
            subject.partnerships.create(organisation=organisation, role=Role.EVALUATION)
            research_question_factory(project=subject)
            document_factory(project=subject)
            document_factory(project=subject, without_file=True)
            subject.related_projects.add(project_factory(topics=["Domestic abuse"]))
            subject.topics.add(f"Topic {subject.topics.count()}")

    # The project with its topics, questions, documents, interventions and partners
    # and its change log's history and corrections (ProjectQuerySet.page); its related
    # projects' titles; its ranking of them; the demo banner's check.
    assert_same_queries_for_3_and_60(
        visitor, add, lambda: subject.get_absolute_url(), queries=4, marker="<li>"
    )


def test_related_page(project_factory, organisation_factory, visitor):
    refuge = organisation_factory()
    subject = project_factory(
        title="Subject", topics=["Domestic abuse"], delivery_partners=[refuge]
    )

    def add(count: int) -> None:
        for number in range(count):
            neighbour = project_factory(
                topics=["Domestic abuse", f"Topic {Project.objects.count()}"],
                evaluation_partners=[refuge],
            )
            if number % 2:
                subject.related_projects.add(neighbour)

    assert_same_queries_for_3_and_60(
        visitor,
        add,
        lambda: reverse("projects:related-list", args=[subject.slug]),
        queries=5,
        marker='class="card"',
    )


def test_partner_page(project_factory, organisation_factory, visitor):
    refuge = organisation_factory(name="Refuge")

    def add(count: int) -> None:
        for number in range(count):
            roles = (
                {"delivery_partners": [refuge]} if number % 2 else {"evaluation_partners": [refuge]}
            )
            project_factory(topics=["Domestic abuse", f"Topic {Project.objects.count()}"], **roles)

    assert_same_queries_for_3_and_60(
        visitor,
        add,
        lambda: reverse("projects:partner-detail", args=[refuge.slug]),
        queries=4,
        marker='class="card"',
    )


def test_project_page_as_staff_previewing_a_draft(project_factory, organisation_factory, editor):
    draft = project_factory(published=False)

    def add(count: int) -> None:
        for _ in range(count):
            draft.partnerships.create(organisation=organisation_factory(), role=Role.DELIVERY)

    assert_same_queries_for_3_and_60(
        editor, add, lambda: draft.get_absolute_url(), queries=6, marker="<li>"
    )
