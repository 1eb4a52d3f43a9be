"""The home page: search, the latest published projects, a way into the list."""

import datetime

from django.urls import reverse
from django.utils import timezone

from tests.support.pages import main


def test_home_shows_the_three_latest_published_projects(project_factory, visitor):
    now = timezone.now()
    for days, title in enumerate(["Newest", "Second", "Third", "Fourth"]):
        project_factory(title=title, created=now - datetime.timedelta(days=days + 1))
    project_factory(title="Draft", published=False, created=now)
    page = main(visitor.get(reverse("portal:home")))
    section = page.find("section", aria_labelledby="latest-heading")
    assert [title.text for title in section.find_all("h3", class_="card__title")] == [
        "Newest",
        "Second",
        "Third",
    ]
    assert section.links()["All research projects"] == reverse("projects:project-list")


def test_home_card_shows_study_type_status_and_topics(project_factory, visitor):
    project_factory(
        title="Restart feasibility",
        study_type="feasibility",
        status="in-progress",
        estimated_completion=datetime.date(2023, 4, 1),
        topics=["Domestic abuse"],
    )
    card = main(visitor.get(reverse("portal:home"))).find("article", class_="card")
    assert card.find("p", class_="card__meta").text == (
        "Feasibility study / In progress · Estimated completion April 2023"
    )
    assert card.find("ul", class_="tags").items() == ["Domestic abuse"]


def test_completed_project_card_shows_its_completion_not_the_estimate(project_factory, visitor):
    project_factory(
        study_type="qualitative", status="completed", completed_on=datetime.date(2024, 6, 1)
    )
    card = main(visitor.get(reverse("portal:home"))).find("article", class_="card")
    assert (
        card.find("p", class_="card__meta").text
        == "Qualitative study / Completed · Completed in June 2024"
    )


def test_home_search_form_searches_the_project_list(visitor, db):
    form = main(visitor.get(reverse("portal:home"))).find("form", role="search")
    assert form.attrs["action"] == reverse("projects:project-list")
    assert form.find("input", type="search").attrs["name"] == "q"


def test_home_says_so_when_nothing_is_published(project_factory, visitor):
    project_factory(published=False)
    assert "No projects are published yet." in main(visitor.get(reverse("portal:home"))).text
