"""The public project list: newest first, filters alone and together, count and pages."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.search import SEARCH_MAX_WORDS
from projects.models import Project, Status, StudyType
from tests.support.pages import Node, main, parse

LIST_URL = "projects:project-list"


def listed(response) -> list[str]:
    """Titles of the projects on the page, in the order shown."""
    assert response.status_code == 200
    return [title.text for title in main(response).find_all("h3", class_="card__title")]


def result_count(response) -> str:
    return main(response).find("h2", class_="results-count").text


def filter_group(response, label: str) -> Node:
    """The filter panel's group for one filter, found by its label or legend."""
    groups = [
        group
        for group in main(response).find_all("div", class_="filters__group")
        + main(response).find_all("fieldset", class_="filters__group")
        if any(
            caption.text == label for caption in group.find_all("label") + group.find_all("legend")
        )
    ]
    assert len(groups) == 1, f"expected one filter labelled {label!r}"
    return groups[0]


def filter_error(response, label: str) -> str:
    errors = filter_group(response, label).find_all("p", class_="field-error")
    return errors[0].text if errors else ""


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def catalogue(project_factory, organisation_factory):
    """Five published projects and one draft, differing in each filtered field."""
    greenwich = organisation_factory(name="University of Greenwich")
    refuge = organisation_factory(name="Refuge")
    project_factory(
        title="Family group conferences",
        study_type=StudyType.EFFICACY,
        status=Status.IN_PROGRESS,
        topics=["Domestic abuse"],
        delivery_partners=[greenwich],
        created=days_ago(5),
    )
    project_factory(
        title="Restart feasibility",
        study_type=StudyType.FEASIBILITY,
        status=Status.COMPLETED,
        topics=["Domestic abuse", "Perpetrators"],
        evaluation_partners=[refuge],
        created=days_ago(4),
    )
    project_factory(
        title="Kinship care review",
        summary="Which support keeps children with their grandparents.",
        study_type=StudyType.EVIDENCE_REVIEW,
        status=Status.PLANNED,
        topics=["Kinship care"],
        created=days_ago(3),
    )
    project_factory(
        title="Advocacy for parents",
        study_type=StudyType.FEASIBILITY,
        status=Status.IN_PROGRESS,
        topics=["Kinship care"],
        delivery_partners=[refuge],
        created=days_ago(2),
    )
    project_factory(
        title="Care leavers' housing",
        study_type=StudyType.QUALITATIVE,
        status=Status.PAUSED,
        created=days_ago(1),
    )
    project_factory(
        title="Unannounced domestic abuse pilot",
        study_type=StudyType.FEASIBILITY,
        status=Status.IN_PROGRESS,
        topics=["Domestic abuse"],
        delivery_partners=[refuge],
        published=False,
        created=days_ago(0),
    )


def test_lists_published_projects_newest_first(catalogue, visitor):
    response = visitor.get(reverse(LIST_URL))
    assert listed(response) == [
        "Care leavers' housing",
        "Advocacy for parents",
        "Kinship care review",
        "Restart feasibility",
        "Family group conferences",
    ]
    assert result_count(response) == "5 projects"


def test_unpublished_projects_are_not_listed_even_for_editors(catalogue, visitor, editor):
    for client in (visitor, editor):
        assert "Unannounced domestic abuse pilot" not in listed(client.get(reverse(LIST_URL)))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "in-progress"}, ["Advocacy for parents", "Family group conferences"]),
        ({"status": "planned"}, ["Kinship care review"]),
        ({"study_type": "feasibility"}, ["Advocacy for parents", "Restart feasibility"]),
        ({"topic": "domestic-abuse"}, ["Restart feasibility", "Family group conferences"]),
        ({"topic": "perpetrators"}, ["Restart feasibility"]),
        ({"partner": "refuge"}, ["Advocacy for parents", "Restart feasibility"]),
        ({"partner": "university-of-greenwich"}, ["Family group conferences"]),
        ({"q": "kinship"}, ["Kinship care review"]),
        ({"q": "grandparents"}, ["Kinship care review"]),
        ({"q": "Greenwich"}, ["Family group conferences"]),
        ({"q": "care review"}, ["Kinship care review"]),
    ],
    ids=lambda value: str(value),
)
def test_each_filter_alone_narrows_the_list(catalogue, visitor, query, expected):
    response = visitor.get(reverse(LIST_URL), query)
    assert listed(response) == expected
    assert filter_error(response, "Search projects") == ""


def test_repeated_status_values_are_ored(catalogue, visitor):
    response = visitor.get(reverse(LIST_URL), {"status": ["planned", "completed", "paused"]})
    assert listed(response) == [
        "Care leavers' housing",
        "Kinship care review",
        "Restart feasibility",
    ]
    assert result_count(response) == "3 projects"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "in-progress", "study_type": "feasibility"}, ["Advocacy for parents"]),
        ({"status": "in-progress", "topic": "domestic-abuse"}, ["Family group conferences"]),
        ({"topic": "domestic-abuse", "partner": "refuge"}, ["Restart feasibility"]),
        (
            {"study_type": "feasibility", "partner": "refuge", "q": "advocacy"},
            ["Advocacy for parents"],
        ),
        (
            {"status": ["in-progress", "completed"], "partner": "refuge"},
            ["Advocacy for parents", "Restart feasibility"],
        ),
        ({"status": "completed", "topic": "kinship-care"}, []),
    ],
    ids=lambda value: str(value),
)
def test_different_filters_are_anded(catalogue, visitor, query, expected):
    assert listed(visitor.get(reverse(LIST_URL), query)) == expected


def test_result_count_is_singular_for_one_project(catalogue, visitor):
    assert result_count(visitor.get(reverse(LIST_URL), {"status": "planned"})) == "1 project"


def test_no_match_says_so(catalogue, visitor):
    response = visitor.get(reverse(LIST_URL), {"q": "astronomy"})
    assert result_count(response) == "0 projects"
    assert "No published project matches these filters." in main(response).text


def test_filter_form_shows_the_chosen_values(catalogue, visitor):
    response = visitor.get(reverse(LIST_URL), {"status": "planned", "q": "kinship"})
    panel = main(response)
    assert panel.find("input", name="q").attrs["value"] == "kinship"
    assert "checked" in panel.find("input", name="status", value="planned").attrs
    assert "checked" not in panel.find("input", name="status", value="completed").attrs


def test_topic_and_partner_choices_only_offer_those_of_published_projects(catalogue, visitor):
    page = main(visitor.get(reverse(LIST_URL)))
    topics = [option.text for option in page.find("select", name="topic").find_all("option")]
    assert topics == ["Any topic", "Domestic abuse", "Kinship care", "Perpetrators"]
    partners = [option.text for option in page.find("select", name="partner").find_all("option")]
    assert partners == ["Any partner", "Refuge", "University of Greenwich"]


def selected(page: Node, name: str) -> list[str]:
    return [
        option.text
        for option in page.find("select", name=name).find_all("option")
        if "selected" in option.attrs
    ]


def test_topic_and_partner_lists_show_the_chosen_ones(catalogue, visitor):
    page = main(visitor.get(reverse(LIST_URL), {"topic": "kinship-care", "partner": "refuge"}))
    assert selected(page, "topic") == ["Kinship care"]
    assert selected(page, "partner") == ["Refuge"]
    unfiltered = main(visitor.get(reverse(LIST_URL)))
    assert selected(unfiltered, "topic") == ["Any topic"]
    assert selected(unfiltered, "partner") == ["Any partner"]


def test_an_unknown_partner_is_reported_and_no_partner_is_chosen(catalogue, visitor):
    response = visitor.get(reverse(LIST_URL), {"partner": "no-such"})
    assert filter_error(response, "Partner").startswith("There is no partner with that name.")
    assert selected(main(response), "partner") == []


@pytest.fixture
def many_in_progress(project_factory):
    """Twenty-two in-progress projects, one more page than the list shows at once, and others."""
    for number in range(1, 23):
        project_factory(
            title=f"Trial {number:02}", status=Status.IN_PROGRESS, created=days_ago(100 - number)
        )
    for number in range(1, 4):
        project_factory(title=f"Finished {number}", status=Status.COMPLETED, created=days_ago(0))


def test_pagination_keeps_the_filters_in_its_links(many_in_progress, visitor):
    first = visitor.get(reverse(LIST_URL), {"status": "in-progress", "q": "trial"})
    assert result_count(first) == "22 projects"
    assert len(listed(first)) == 20
    next_link = main(first).find("a", rel="next").attrs["href"]
    assert "status=in-progress" in next_link
    assert "q=trial" in next_link
    assert "page=2" in next_link

    second = visitor.get(reverse(LIST_URL) + next_link)
    assert listed(second) == ["Trial 02", "Trial 01"]
    previous_link = main(second).find("a", rel="prev").attrs["href"]
    assert "status=in-progress" in previous_link
    assert "Page 2 of 2" in main(second).find("nav", class_="pagination").text


def test_one_page_of_results_has_no_pagination(catalogue, visitor):
    assert main(visitor.get(reverse(LIST_URL))).find_all("nav", class_="pagination") == []


@pytest.mark.parametrize(
    ("query", "label", "message"),
    [
        ({"status": "bogus"}, "Status", "“bogus” is not a project status."),
        ({"study_type": "x"}, "Study type", "“x” is not a study type."),
        ({"topic": "no-such"}, "Topic", "There is no topic with that name."),
        ({"partner": "no-such"}, "Partner", "There is no partner with that name."),
    ],
    ids=["status", "study_type", "topic", "partner"],
)
def test_unknown_filter_value_is_reported_beside_that_filter(
    catalogue, visitor, query, label, message
):
    response = visitor.get(reverse(LIST_URL), query)
    assert response.status_code == 200
    assert filter_error(response, label) == f"{message} This filter was not applied."
    # The bad filter is left out, not the whole list.
    assert result_count(response) == "5 projects"


@pytest.mark.parametrize(
    ("bad", "label", "good", "expected"),
    [
        (
            {"status": "bogus"},
            "Status",
            {"topic": "domestic-abuse"},
            ["Restart feasibility", "Family group conferences"],
        ),
        (
            {"study_type": "x"},
            "Study type",
            {"status": "in-progress"},
            ["Advocacy for parents", "Family group conferences"],
        ),
        (
            {"topic": "no-such"},
            "Topic",
            {"partner": "refuge"},
            ["Advocacy for parents", "Restart feasibility"],
        ),
        (
            {"partner": "no-such"},
            "Partner",
            {"study_type": "feasibility"},
            ["Advocacy for parents", "Restart feasibility"],
        ),
    ],
    ids=["status", "study_type", "topic", "partner"],
)
def test_other_filters_still_apply_beside_an_unknown_value(
    catalogue, visitor, bad, label, good, expected
):
    response = visitor.get(reverse(LIST_URL), {**bad, **good})
    assert response.status_code == 200
    assert filter_error(response, label).endswith("This filter was not applied.")
    assert listed(response) == expected


def test_unpublished_projects_topic_is_not_a_valid_filter(project_factory, visitor):
    project_factory(title="Draft", published=False, topics=["Secret topic"])
    response = visitor.get(reverse(LIST_URL), {"topic": "secret-topic"})
    assert filter_error(response, "Topic").startswith("There is no topic with that name.")


@pytest.mark.parametrize("page", ["999", "abc", "0"])
def test_a_page_that_does_not_exist_is_404(catalogue, visitor, page):
    response = visitor.get(reverse(LIST_URL), {"page": page})
    assert response.status_code == 404
    assert parse(response).find("h1").text == "Page not found"


def test_last_page_by_name_is_the_last_page(many_in_progress, visitor):
    response = visitor.get(reverse(LIST_URL), {"status": "in-progress", "page": "last"})
    assert listed(response) == ["Trial 02", "Trial 01"]


def test_over_long_search_text_is_refused_with_a_message(catalogue, visitor):
    response = visitor.get(reverse(LIST_URL), {"q": "a" * 1000, "status": "planned"})
    assert response.status_code == 200
    assert filter_error(response, "Search projects") == (
        "Search text can be at most 200 characters long; shorten it and search again. "
        "This filter was not applied."
    )
    assert listed(response) == ["Kinship care review"]


def test_clear_all_filters_link_appears_once_filtered(catalogue, visitor):
    assert "Clear all filters" not in main(visitor.get(reverse(LIST_URL))).links()
    filtered = main(visitor.get(reverse(LIST_URL), {"status": "planned"}))
    assert filtered.links()["Clear all filters"] == reverse(LIST_URL)


def test_every_filter_has_a_readable_label(visitor, db):
    panel = main(visitor.get(reverse(LIST_URL))).find("form", class_="filters")
    captions = [caption.text for caption in panel.find_all("legend")] + [
        label.text
        for label in panel.find_all("label")
        if label.attrs["for"] in {"id_q", "id_topic", "id_partner"}
    ]
    assert sorted(captions) == ["Partner", "Search projects", "Status", "Study type", "Topic"]


@pytest.mark.parametrize(
    "query", ["topic=no-such", "partner=no-such", "status=bogus", f"q={'x' * 1000}"]
)
def test_a_filter_error_is_tied_to_its_control_for_screen_readers(visitor, query):
    response = visitor.get(reverse(LIST_URL) + "?" + query)
    page = main(response)
    described = [
        target
        for tag in ("input", "select", "fieldset")
        for element in page.find_all(tag)
        for target in element.attrs.get("aria-describedby", "").split()
    ]
    assert described, "the control with the bad value names no description"
    for target in described:
        assert page.find_all("p", id=target), f"aria-describedby points at missing #{target}"


@pytest.mark.parametrize("address", ["/projects/", "/interventions/"])
def test_a_text_filter_of_too_many_words_is_refused_beside_the_filter(
    address, project_factory, intervention_factory, visitor
):
    project_factory()
    intervention_factory()
    response = visitor.get(address, {"q": " ".join("abcdefghijklmnopqrstuvwxyz" * 4)})
    assert response.status_code == 200
    assert f"Search with at most {SEARCH_MAX_WORDS} words" in response.text


def test_the_text_filter_finds_projects_through_the_search_index(catalogue, visitor):
    if connection.vendor != "postgresql":
        pytest.skip("the search index is PostgreSQL's")
    queryset = Project.objects.published().search("kinship")
    with connection.cursor() as cursor:
        # A handful of rows is read fastest without an index; ask whether one could serve.
        cursor.execute("SET LOCAL enable_seqscan = off")
    assert "Bitmap Index Scan on project_search" in queryset.explain(), queryset.explain()
    assert [project.title for project in queryset] == ["Kinship care review"]
