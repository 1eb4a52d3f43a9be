"""The project page: the draft rule for each persona, its sections, and unknown addresses."""

import datetime

import pytest
from django.urls import reverse

from tests.support.pages import main, parse

DRAFT_BANNER = "This page is not published: only editors can see it."


@pytest.fixture
def draft(project_factory):
    return project_factory(title="A study not yet announced", published=False)


@pytest.mark.parametrize("persona", ["visitor", "outsider"])
def test_unpublished_project_is_404_for_the_public(draft, persona, request):
    client = request.getfixturevalue(persona)
    response = client.get(reverse("projects:project-detail", args=[draft.slug]))
    assert response.status_code == 404
    assert "A study not yet announced" not in response.content.decode()


def test_unpublished_project_is_shown_to_staff_with_a_draft_banner(draft, editor):
    response = editor.get(reverse("projects:project-detail", args=[draft.slug]))
    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text == "A study not yet announced"
    assert DRAFT_BANNER in page.find("div", class_="draft-banner").text


def test_staff_who_are_not_superusers_also_see_drafts(draft, user_factory, client):
    client.force_login(user_factory(is_staff=True))
    response = client.get(reverse("projects:project-detail", args=[draft.slug]))
    assert response.status_code == 200
    assert DRAFT_BANNER in response.content.decode()


@pytest.mark.parametrize("persona", ["visitor", "outsider", "editor"])
def test_published_project_is_shown_to_everyone_without_a_draft_banner(
    project_factory, persona, request
):
    project = project_factory(title="Family group conferences")
    response = request.getfixturevalue(persona).get(project.get_absolute_url())
    assert response.status_code == 200
    assert parse(response).find("h1").text == "Family group conferences"
    assert parse(response).find_all("div", class_="draft-banner") == []


def test_unknown_project_slug_is_404(visitor, db):
    response = visitor.get(reverse("projects:project-detail", args=["no-such-project"]))
    assert response.status_code == 404
    assert parse(response).find("h1").text == "Page not found"


def test_evaluation_partners_are_listed_when_the_project_has_them(
    project_factory, organisation_factory, visitor
):
    project = project_factory(
        delivery_partners=[organisation_factory(name="Refuge")],
        evaluation_partners=[organisation_factory(name="University of Greenwich")],
    )
    page = main(visitor.get(project.get_absolute_url()))
    assert page.section("Delivery partners").items() == ["Refuge"]
    assert page.section("Evaluation partners").items() == ["University of Greenwich"]


def test_a_project_without_partners_shows_no_empty_partner_sections(project_factory, visitor):
    page = main(visitor.get(project_factory().get_absolute_url()))
    assert "Delivery partners" not in page.headings()
    assert "Evaluation partners" not in page.headings()


def test_research_questions_follow_their_positions_not_their_creation_order(
    project_factory, research_question_factory, visitor
):
    project = project_factory()
    research_question_factory(project=project, position=3, text="Third?")
    research_question_factory(project=project, position=1, text="First?")
    research_question_factory(project=project, position=2, text="Second?")
    page = main(visitor.get(project.get_absolute_url()))
    assert page.section("Research questions").find("ol").items() == ["First?", "Second?", "Third?"]


def test_a_project_without_questions_has_no_research_questions_heading(project_factory, visitor):
    assert (
        "Research questions"
        not in main(visitor.get(project_factory().get_absolute_url())).headings()
    )


def test_topics_link_to_the_list_filtered_by_that_topic(project_factory, visitor):
    project = project_factory(topics=["Kinship care"])
    links = main(visitor.get(project.get_absolute_url())).section("Topics").links()
    assert links == {"Kinship care": reverse("projects:project-list") + "?topic=kinship-care"}


def test_start_date_and_estimated_completion_are_shown_as_dates(project_factory, visitor):
    project = project_factory(
        start_date=datetime.date(2022, 9, 5), estimated_completion=datetime.date(2024, 11, 1)
    )
    page = main(visitor.get(project.get_absolute_url()))
    facts = page.find("dl", class_="facts").definitions()
    assert facts["Started"] == "5 September 2022"
    assert facts["Estimated completion"] == "November 2024"


def test_dates_left_empty_are_not_shown(project_factory, visitor):
    project = project_factory(start_date=None, estimated_completion=None, due_date=None)
    page = main(visitor.get(project.get_absolute_url()))
    assert list(page.find("dl", class_="facts").definitions()) == ["Status"]
    assert "Due date" not in page.headings()


def test_body_markup_cannot_run_scripts(project_factory, visitor):
    project = project_factory(body="Hello <script>alert('x')</script> **world**")
    response = visitor.get(project.get_absolute_url())
    prose = main(response).find("div", class_="prose")
    assert prose.find_all("script") == []
    assert prose.find("strong").text == "world"


def test_project_page_title_and_description_come_from_the_project(project_factory, visitor):
    project = project_factory(
        title="Family group conferences", summary="Does it keep families together?"
    )
    page = parse(visitor.get(project.get_absolute_url()))
    assert page.find("title").text.startswith("Family group conferences")
    assert (
        page.find("meta", name="description").attrs["content"] == "Does it keep families together?"
    )
