"""The Host header is the visitor's to choose: a host the site does not answer to gets the
400 page, and the full addresses in pages, feeds, sitemaps and robots.txt (kept in the
cache for every later visitor) come from the configured site address, never from it."""

import json

import pytest
from django.test import Client

from tests.support.pages import parse

SITE = "https://evidence.example.org"


@pytest.fixture
def production_hosts(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["evidence.example.org", "www.evidence.example.org"]
    settings.SITE_URL = SITE


@pytest.mark.parametrize("path", ["/", "/projects/", "/no-such-page/", "/admin/login/"])
def test_a_host_the_site_does_not_answer_to_gets_the_400_page(path, production_hosts, db):
    client = Client(raise_request_exception=False)
    response = client.get(path, HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert parse(response).find("h1").text == "We could not understand that request"


def test_full_addresses_come_from_the_site_address_whatever_the_host(
    production_hosts, project_factory, db
):
    project = project_factory()
    visitor = Client(headers={"host": "www.evidence.example.org"})
    page = parse(visitor.get(project.get_absolute_url()))
    (canonical,) = [link for link in page.find_all("link") if link.attrs.get("rel") == "canonical"]
    assert canonical.attrs["href"] == SITE + project.get_absolute_url()
    record, trail = (
        json.loads(script.text) for script in page.find_all("script", type="application/ld+json")
    )
    assert record["url"] == SITE + project.get_absolute_url()
    assert trail["itemListElement"][0]["item"] == SITE + "/"

    robots = visitor.get("/robots.txt").text
    assert f"Sitemap: {SITE}/sitemap.xml" in robots
    assert f"<loc>{SITE}/sitemap-projects.xml</loc>" in visitor.get("/sitemap.xml").text
    sitemap = visitor.get("/sitemap-projects.xml").text
    assert f"<loc>{SITE}{project.get_absolute_url()}</loc>" in sitemap
    assert "www.evidence.example.org" not in sitemap
    for feed in ("/projects/feed/", "/interventions/feed/"):
        text = visitor.get(feed).text
        assert f'href="{SITE}' in text
        assert "www.evidence.example.org" not in text


def test_the_cached_page_another_host_made_names_the_site_address(
    production_hosts, project_factory, db
):
    project = project_factory()
    Client(headers={"host": "www.evidence.example.org"}).get(project.get_absolute_url())
    again = Client(headers={"host": "evidence.example.org"}).get(project.get_absolute_url())
    assert "www.evidence.example.org" not in again.text
