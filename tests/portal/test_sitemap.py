"""sitemap.xml is an index of files that together list every public page and record and no
draft, none longer than its limit; robots.txt points to it."""

import xml.etree.ElementTree as ElementTree

import pytest
from django.conf import settings
from django.urls import reverse

from core.addresses import SiteSitemap
from projects.models import Project

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# Full addresses are built from the configured site address, whatever the Host.
SITE = settings.SITE_URL


def sitemap_files(client) -> list[str]:
    """The addresses of the sitemap's files, from its index."""
    response = client.get(reverse("portal:sitemap"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    return [entry.findtext(f"{SITEMAP}loc") for entry in root.iter(f"{SITEMAP}sitemap")]


def sitemap_file_urls(client, address: str) -> dict[str, str | None]:
    assert address.startswith(SITE)
    response = client.get(address.removeprefix(SITE))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    return {
        entry.findtext(f"{SITEMAP}loc"): entry.findtext(f"{SITEMAP}lastmod")
        for entry in root.iter(f"{SITEMAP}url")
    }


def sitemap_urls(client) -> dict[str, str | None]:
    """Map each address in every file of the sitemap to its last-modified date, if any."""
    urls = {}
    for address in sitemap_files(client):
        urls.update(sitemap_file_urls(client, address))
    return urls


@pytest.fixture
def records(project_factory, intervention_factory, organisation_factory, child_outcome_factory):
    partner = organisation_factory(name="Family Lives")
    hidden_partner = organisation_factory(name="Only in drafts")
    outcome = child_outcome_factory(name="School readiness")
    return {
        "project": project_factory(title="Published study", delivery_partners=[partner]),
        "draft_project": project_factory(
            title="Draft study", published=False, evaluation_partners=[hidden_partner]
        ),
        "intervention": intervention_factory(name="Published programme", outcomes=[outcome]),
        "draft_intervention": intervention_factory(name="Draft programme", published=False),
        "partner": partner,
        "hidden_partner": hidden_partner,
        "outcome": outcome,
    }


def test_sitemap_lists_published_records_of_every_kind(records, visitor):
    urls = sitemap_urls(visitor)
    for name in ("project", "intervention", "partner", "outcome"):
        assert SITE + records[name].get_absolute_url() in urls, name


def test_sitemap_leaves_out_drafts_and_partners_of_drafts_only(records, visitor):
    urls = sitemap_urls(visitor)
    for name in ("draft_project", "draft_intervention", "hidden_partner"):
        assert SITE + records[name].get_absolute_url() not in urls, name


def test_sitemap_lists_the_sites_own_pages(visitor, db):
    urls = sitemap_urls(visitor)
    for name in (
        "portal:home",
        "projects:project-list",
        "catalogue:guidebook",
        "ratings:explained",
        "catalogue:other-programmes",
        "portal:accessibility",
    ):
        assert SITE + reverse(name) in urls, name
    assert SITE + reverse("portal:search") not in urls


def test_sitemap_gives_the_date_a_record_last_changed(records, visitor):
    urls = sitemap_urls(visitor)
    project = records["project"]
    assert urls[SITE + project.get_absolute_url()] == project.updated.date().isoformat()


def test_every_seed_project_is_in_the_sitemap(seed, visitor):
    urls = sitemap_urls(visitor)
    for project in Project.objects.published():
        assert SITE + project.get_absolute_url() in urls


def test_robots_txt_names_the_sitemap(visitor, db):
    response = visitor.get(reverse("portal:robots"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert f"Sitemap: {SITE}{reverse('portal:sitemap')}" in lines
    assert "User-agent: *" in lines
    # Search result pages are endless variations of the same records.
    assert f"Disallow: {reverse('portal:search')}" in lines


def test_the_sitemap_is_kept_for_an_hour_whatever_changes(
    project_factory, visitor, django_assert_num_queries
):
    """At tens of thousands of records the sitemap takes a second or more to make: an
    editor's every save must not make every crawler's next request pay for it."""
    kept = project_factory(title="Listed before")
    first = visitor.get("/sitemap-projects.xml").text
    assert kept.get_absolute_url() in first
    visitor.get("/sitemap.xml")
    added = project_factory(title="Added since")
    with django_assert_num_queries(0):
        again = visitor.get("/sitemap-projects.xml?p=01")
        index = visitor.get("/sitemap.xml?junk=1")
    assert again.text == first
    assert added.get_absolute_url() not in again.text
    assert index.status_code == 200


def test_no_file_of_the_sitemap_passes_its_limit_and_together_they_list_everything(
    project_factory, intervention_factory, visitor, monkeypatch
):
    monkeypatch.setattr(SiteSitemap, "limit", 2)
    projects = [project_factory() for _ in range(5)]
    interventions = [intervention_factory() for _ in range(3)]

    files = sitemap_files(visitor)

    assert f"{SITE}/sitemap-projects.xml?p=3" in files
    assert f"{SITE}/sitemap-interventions.xml?p=2" in files
    listed = {}
    for address in files:
        urls = sitemap_file_urls(visitor, address)
        assert len(urls) <= 2, address
        listed.update(urls)
    for record in [*projects, *interventions]:
        assert SITE + record.get_absolute_url() in listed


@pytest.mark.parametrize("page", ["x", "0", "-1", "99", "1.5", "9" * 30])
def test_a_page_of_the_sitemap_that_does_not_exist_is_404(page, project_factory, visitor):
    project_factory()
    assert visitor.get("/sitemap-projects.xml", {"p": page}).status_code == 404


def test_a_section_of_the_sitemap_that_does_not_exist_is_404(visitor, db):
    assert visitor.get("/sitemap-nothing.xml").status_code == 404
