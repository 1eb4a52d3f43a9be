"""What search engines and link previews read: a meta description, a canonical address and
Open Graph tags on every page, and schema.org JSON-LD on the record pages."""

import json

import pytest
from django.conf import settings
from django.urls import reverse

from tests.support.pages import Node, parse

# Full addresses are built from the configured site address, whatever the Host.
SITE = settings.SITE_URL


def meta(page: Node, **attrs: str) -> str:
    return page.find("meta", **attrs).attrs["content"]


def canonical(page: Node) -> str:
    return page.find("link", rel="canonical").attrs["href"]


def json_ld(response) -> dict:
    """The page's description of its record; the breadcrumbs' own is left aside."""
    (script,) = [
        script
        for script in parse(response).find_all("script", type="application/ld+json")
        if "BreadcrumbList" not in script.text
    ]
    return json.loads("".join(script.children))


@pytest.fixture
def records(
    seed, project_factory, intervention_factory, organisation_factory, child_outcome_factory
):
    partner = organisation_factory(name="Family Lives")
    outcome = child_outcome_factory(
        name="School readiness",
        description="Children arriving at school ready to learn, and keeping up once there.",
    )
    intervention = intervention_factory(
        name="Incredible Years",
        summary="A group programme for parents of children aged 3 to 8.",
        provider="Incredible Years Ltd",
        evidence_rating=35,
        outcomes=[outcome],
    )
    project = project_factory(
        title="Kinship care study",
        summary="What helps grandparents who bring up grandchildren.",
        topics=["Kinship care"],
        delivery_partners=[partner],
        interventions=[intervention],
    )
    project_factory(title="Another kinship study", topics=["Kinship care"])
    return {
        "project": project,
        "intervention": intervention,
        "outcome": outcome,
        "partner": partner,
    }


@pytest.fixture
def public_pages(records) -> list[str]:
    project = records["project"]
    return [
        reverse("portal:home"),
        reverse("projects:project-list"),
        reverse("catalogue:guidebook"),
        reverse("catalogue:other-programmes"),
        reverse("ratings:explained"),
        reverse("portal:search") + "?q=kinship",
        reverse("portal:accessibility"),
        reverse("catalogue:compare") + f"?compare={records['intervention'].slug}",
        project.get_absolute_url(),
        reverse("projects:related-list", args=[project.slug]),
        records["intervention"].get_absolute_url(),
        records["outcome"].get_absolute_url(),
        records["partner"].get_absolute_url(),
    ]


def test_every_page_has_a_description_canonical_address_and_open_graph_tags(public_pages, visitor):
    for url in public_pages:
        response = visitor.get(url)
        assert response.status_code == 200, url
        page = parse(response)
        assert len(meta(page, name="description")) > 40, url
        assert canonical(page).startswith(SITE + "/"), url
        assert meta(page, property="og:url") == canonical(page), url
        assert meta(page, property="og:title"), url
        assert meta(page, property="og:description"), url
        assert meta(page, property="og:type") in {"website", "article"}, url
        assert meta(page, property="og:locale") == "en_GB", url


def test_a_record_page_describes_the_record(records, visitor):
    project = records["project"]
    page = parse(visitor.get(project.get_absolute_url()))
    assert meta(page, name="description") == project.summary
    assert meta(page, property="og:title") == "Kinship care study"
    assert meta(page, property="og:description") == project.summary
    assert meta(page, property="og:type") == "article"
    assert canonical(page) == SITE + project.get_absolute_url()


def test_an_intervention_preview_gives_its_rating(records, visitor):
    page = parse(visitor.get(records["intervention"].get_absolute_url()))
    assert meta(page, property="og:title") == "Incredible Years: evidence rating 3+"


def test_a_long_summary_is_shortened_in_the_description(project_factory, visitor):
    project = project_factory(summary="Word " * 200)
    description = meta(parse(visitor.get(project.get_absolute_url())), name="description")
    assert len(description) <= 300
    assert description.endswith("…")


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("/projects/?status=planned&page=3", "/projects/?status=planned"),
        ("/interventions/?format=html&q=", "/interventions/"),
        (
            "/interventions/?outcome=school-readiness&outcome=crime&min_evidence=3",
            "/interventions/?min_evidence=3&outcome=crime&outcome=school-readiness",
        ),
        ("/?utm_source=newsletter", "/"),
        ("/projects/?x=1&status=planned", "/projects/?status=planned"),
    ],
)
def test_the_canonical_address_leaves_out_paging_and_empty_values(
    address, expected, records, visitor
):
    page = parse(visitor.get(address))
    assert canonical(page) == SITE + expected


def test_a_project_is_described_as_a_research_project(records, visitor):
    project = records["project"]
    data = json_ld(visitor.get(project.get_absolute_url()))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "ResearchProject"
    assert data["name"] == "Kinship care study"
    assert data["description"] == project.summary
    assert data["url"] == SITE + project.get_absolute_url()
    assert data["keywords"] == ["Kinship care"]
    assert data["member"] == [{"@type": "Organization", "name": "Family Lives"}]
    assert data["foundingDate"] == project.start_date.isoformat()


def test_an_intervention_is_described_as_a_service(records, visitor):
    intervention = records["intervention"]
    data = json_ld(visitor.get(intervention.get_absolute_url()))
    assert data["@type"] == "Service"
    assert data["name"] == "Incredible Years"
    assert data["provider"] == {"@type": "Organization", "name": "Incredible Years Ltd"}
    assert data["url"] == SITE + intervention.get_absolute_url()


def test_an_outcome_is_described_as_a_defined_term(records, visitor):
    outcome = records["outcome"]
    data = json_ld(visitor.get(outcome.get_absolute_url()))
    assert data["@type"] == "DefinedTerm"
    assert data["name"] == "School readiness"
    assert data["description"] == outcome.description
    assert data["url"] == SITE + outcome.get_absolute_url()


def test_empty_values_are_left_out_of_the_description(intervention_factory, visitor):
    data = json_ld(visitor.get(intervention_factory(provider="").get_absolute_url()))
    assert "provider" not in data


HOSTILE = "Evil </script><script>alert('x')</script> <!-- & \u2028 “quotes”"


@pytest.mark.parametrize("field", ["title", "summary"])
def test_an_editors_text_cannot_break_out_of_the_json_ld(field, project_factory, visitor):
    project = project_factory(**{field: HOSTILE}, topics=["</script>"])
    response = visitor.get(project.get_absolute_url())
    html = response.content.decode()
    # The two </script> end the JSON-LD itself and the breadcrumbs', which name it too.
    assert html.count("</script>") == 2
    assert "<script>alert" not in html
    data = json_ld(response)
    assert data["name" if field == "title" else "description"] == HOSTILE
    assert data["keywords"] == ["</script>"]


def test_an_intervention_name_cannot_break_out_of_the_json_ld(intervention_factory, visitor):
    intervention = intervention_factory(name=HOSTILE, provider="</SCRIPT >")
    response = visitor.get(intervention.get_absolute_url())
    assert response.content.decode().lower().count("</script") == 2
    data = json_ld(response)
    assert data["name"] == HOSTILE
    assert data["provider"]["name"] == "</SCRIPT >"
