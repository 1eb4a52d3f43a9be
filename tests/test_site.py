"""Site-wide guards: the URL contract of DESIGN.md, and one <h1> on every public page."""

import pytest
from django.urls import reverse

from catalogue.models import ChildOutcome
from tests.pages import parse


def test_urls_follow_the_published_contract():
    assert reverse("portal:home") == "/"
    assert reverse("projects:project-list") == "/projects/"
    assert reverse("projects:project-detail", args=["a-study"]) == "/projects/a-study/"
    assert reverse("projects:related-list", args=["a-study"]) == "/projects/a-study/related/"
    assert reverse("projects:partner-detail", args=["refuge"]) == "/partners/refuge/"
    assert reverse("admin:index") == "/admin/"
    assert reverse("catalogue:guidebook") == "/interventions/"
    assert reverse("catalogue:intervention-detail", args=["fnp"]) == "/interventions/fnp/"
    assert reverse("catalogue:outcome-detail", args=["crime"]) == "/outcomes/crime/"
    assert reverse("ratings:explained") == "/ratings/"


@pytest.fixture
def public_urls(seed, project_factory, document_factory, intervention_factory):
    project = project_factory(published=False)
    document_factory(project=project)
    outcome = "preventing-child-maltreatment"
    intervention = intervention_factory(
        mixed_findings=True, outcomes=[ChildOutcome.objects.get(slug=outcome)]
    )
    intervention_factory(evidence_rating=10)
    draft = intervention_factory(published=False)
    return [
        reverse("catalogue:guidebook"),
        reverse("catalogue:guidebook") + "?evidence=7&max_cost=abc&q=" + "x" * 300,
        reverse("catalogue:intervention-detail", args=[intervention.slug]),
        reverse("catalogue:intervention-detail", args=[draft.slug]),
        reverse("catalogue:other-programmes"),
        reverse("catalogue:outcome-detail", args=[outcome]),
        reverse("catalogue:outcome-detail", args=["no-such"]),
        reverse("ratings:explained"),
        reverse("portal:home"),
        reverse("projects:project-list"),
        reverse("projects:project-list") + "?status=bogus&topic=no-such&q=" + "x" * 300,
        reverse(
            "projects:project-detail",
            args=["domestic-abuse-interventions-in-childrens-social-care"],
        ),
        reverse(
            "projects:related-list", args=["domestic-abuse-interventions-in-childrens-social-care"]
        ),
        reverse("projects:partner-detail", args=["university-of-greenwich"]),
        reverse("projects:project-detail", args=["no-such-project"]),
        reverse("portal:search"),
        reverse("portal:search") + "?q=domestic+abuse",
        reverse("portal:search") + "?q=zebra",
        reverse("portal:search") + "?q=" + "x" * 300,
        reverse("portal:accessibility"),
        reverse("catalogue:compare"),
        reverse("catalogue:compare") + f"?compare={intervention.slug}&compare=no-such",
        reverse("catalogue:guidebook-feed") + "?min_evidence=7",
        "/no-such-page/",
    ]


@pytest.mark.parametrize("persona", ["visitor", "outsider", "editor"])
def test_every_public_page_has_exactly_one_h1_and_a_title(public_urls, persona, request):
    client = request.getfixturevalue(persona)
    for url in public_urls:
        page = parse(client.get(url))
        assert len(page.find_all("h1")) == 1, url
        assert page.find("title").text, url
        assert page.find("html").attrs["lang"] == "en-GB"


def test_pages_are_readable_on_a_phone(visitor, db):
    viewport = parse(visitor.get(reverse("portal:home"))).find("meta", name="viewport")
    assert "width=device-width" in viewport.attrs["content"]


def test_page_not_found_offers_a_way_back(visitor, db):
    response = visitor.get(reverse("projects:partner-detail", args=["no-such-partner"]))
    assert response.status_code == 404
    links = parse(response).find("main").links()
    assert links["Go to the home page"] == reverse("portal:home")
    assert links["browse research projects"] == reverse("projects:project-list")
