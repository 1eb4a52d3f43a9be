"""The partner page: an organisation and its published projects, by role."""

import pytest
from django.urls import reverse

from tests.support.pages import main


@pytest.fixture
def greenwich(organisation_factory, project_factory):
    greenwich = organisation_factory(
        name="University of Greenwich", website="https://www.gre.ac.uk/"
    )
    project_factory(
        title="Perpetrators re-engaging",
        delivery_partners=[greenwich],
        evaluation_partners=[greenwich],
    )
    project_factory(title="Kinship care review", delivery_partners=[greenwich])
    project_factory(title="Restart feasibility", evaluation_partners=[greenwich])
    project_factory(
        title="Secret draft",
        delivery_partners=[greenwich],
        evaluation_partners=[greenwich],
        published=False,
    )
    project_factory(title="Someone else's study", delivery_partners=[organisation_factory()])
    return greenwich


def card_titles(section) -> list[str]:
    return sorted(title.text for title in section.find_all("h3", class_="card__title"))


def test_partner_page_lists_projects_by_role(greenwich, visitor):
    response = visitor.get(reverse("projects:partner-detail", args=[greenwich.slug]))
    assert response.status_code == 200
    page = main(response)
    assert page.find("h1").text == "University of Greenwich"
    assert card_titles(page.section("Projects it delivers")) == [
        "Kinship care review",
        "Perpetrators re-engaging",
    ]
    assert card_titles(page.section("Projects it evaluates")) == [
        "Perpetrators re-engaging",
        "Restart feasibility",
    ]


def test_partner_page_leaves_out_unpublished_and_other_projects(greenwich, visitor, editor):
    for client in (visitor, editor):
        text = main(client.get(reverse("projects:partner-detail", args=[greenwich.slug]))).text
        assert "Secret draft" not in text
        assert "Someone else's study" not in text


def test_partner_page_links_the_organisations_website(greenwich, visitor):
    page = main(visitor.get(reverse("projects:partner-detail", args=[greenwich.slug])))
    assert page.links()["University of Greenwich’s website"] == "https://www.gre.ac.uk/"


def test_partner_with_only_one_role_shows_only_that_heading(
    organisation_factory, project_factory, visitor
):
    refuge = organisation_factory(name="Refuge")
    project_factory(title="Advocacy", evaluation_partners=[refuge])
    page = main(visitor.get(reverse("projects:partner-detail", args=[refuge.slug])))
    assert "Projects it evaluates" in page.headings()
    assert "Projects it delivers" not in page.headings()


def test_partner_without_published_projects_says_so(organisation_factory, project_factory, visitor):
    refuge = organisation_factory(name="Refuge")
    project_factory(delivery_partners=[refuge], published=False)
    page = main(visitor.get(reverse("projects:partner-detail", args=[refuge.slug])))
    assert "Refuge has no published projects yet." in page.text
    assert page.headings() == []


def test_project_page_links_to_the_partner_page(greenwich, visitor, project_factory):
    project = project_factory(delivery_partners=[greenwich])
    page = main(visitor.get(project.get_absolute_url()))
    assert page.section("Delivery partners").links() == {
        "University of Greenwich": reverse("projects:partner-detail", args=[greenwich.slug])
    }


def test_unknown_partner_slug_is_404(visitor, db):
    assert (
        visitor.get(reverse("projects:partner-detail", args=["no-such-partner"])).status_code == 404
    )
