"""The 400, 403, 404 and 500 pages: in the site's style, each with a search form and a way
home; the 500 page without touching the database."""

import pytest
from django.core.exceptions import BadRequest, PermissionDenied
from django.db import OperationalError
from django.template.loader import render_to_string
from django.test import Client
from django.urls import include, path, reverse

from tests.support.pages import Node, main, parse


def broken_database(request):
    raise OperationalError("could not connect to server: Connection refused")


def forbidden(request):
    raise PermissionDenied("Editors only.")


def bad_request(request):
    raise BadRequest("Nonsense.")


# The site's own addresses, and three that fail, to see the site's error handlers at work.
urlpatterns = [
    path("broken/", broken_database),
    path("forbidden/", forbidden),
    path("bad/", bad_request),
    path("", include("config.urls")),
]


def assert_offers_search_and_a_way_home(page: Node) -> None:
    form = page.find("main").find("form", role="search")
    assert form.attrs["action"] == reverse("portal:search")
    assert form.attrs["method"] == "get"
    box = form.find("input", type="search")
    assert box.attrs["name"] == "q"
    assert form.find("label", **{"for": box.attrs["id"]}).text == "Search the portal"
    assert page.find("main").links()["Go to the home page"] == reverse("portal:home")


def assert_in_the_sites_style(page: Node) -> None:
    assert len(page.find_all("h1")) == 1
    assert page.find("html").attrs["lang"] == "en-GB"
    assert page.find("header", class_="site-header")
    assert page.find("a", class_="skip-link").attrs["href"] == "#main"
    assert page.find("link", rel="stylesheet").attrs["href"].endswith("css/site.css")


@pytest.mark.parametrize(
    "url",
    [
        "/no-such-page/",
        "/projects/no-such-project/",
        "/interventions/no-such-intervention/",
        "/outcomes/no-such-outcome/",
        "/partners/no-such-partner/",
    ],
)
def test_an_unknown_address_gets_the_sites_404_page(url, visitor):
    response = visitor.get(url)
    assert response.status_code == 404
    page = parse(response)
    assert_in_the_sites_style(page)
    assert page.find("h1").text == "Page not found"
    assert_offers_search_and_a_way_home(page)


def test_the_404_page_searches_for_what_was_sought(project_factory, visitor):
    project_factory(title="Kinship care study")
    form = main(visitor.get("/kinship/")).find("form", role="search")
    response = visitor.get(form.attrs["action"], {"q": "kinship"})
    assert "Kinship care study" in main(response).links()


def test_the_500_page_renders_without_a_request_or_the_database(django_db_blocker):
    with django_db_blocker.block():
        html = render_to_string("500.html")
    page = parse(html)
    assert_in_the_sites_style(page)
    assert page.find("h1").text == "Sorry, something went wrong"
    assert_offers_search_and_a_way_home(page)


@pytest.mark.urls(__name__)
def test_a_fault_shows_the_500_page_even_with_the_database_down(settings):
    """No `db` fixture: any query made while showing the page would fail the test."""
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == 500
    page = parse(response)
    assert page.find("h1").text == "Sorry, something went wrong"
    assert "could not connect" not in response.content.decode()
    assert_offers_search_and_a_way_home(page)


@pytest.mark.urls(__name__)
def test_a_permission_denied_shows_the_sites_403_page(visitor):
    response = visitor.get("/forbidden/")
    assert response.status_code == 403
    page = parse(response)
    assert_in_the_sites_style(page)
    assert page.find("h1").text == "You cannot see this page"
    assert_offers_search_and_a_way_home(page)


@pytest.mark.urls(__name__)
def test_a_bad_request_shows_the_sites_400_page(visitor):
    response = visitor.get("/bad/")
    assert response.status_code == 400
    page = parse(response)
    assert_in_the_sites_style(page)
    assert page.find("h1").text == "We could not understand that request"
    assert_offers_search_and_a_way_home(page)


def test_an_invalid_feed_filter_shows_the_sites_400_page(visitor):
    response = visitor.get(reverse("catalogue:guidebook-feed"), {"min_evidence": "7"})
    assert response.status_code == 400
    page = parse(response)
    assert_in_the_sites_style(page)
    assert_offers_search_and_a_way_home(page)


def test_a_form_sent_without_its_security_token_shows_the_sites_403_page(db):
    """A login form left open past its session is the 403 an editor is most likely to meet."""
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("admin:login"), {"username": "editor", "password": "secret"})
    assert response.status_code == 403
    page = parse(response)
    assert_in_the_sites_style(page)
    assert "reload the page" in page.find("main").text
    assert_offers_search_and_a_way_home(page)
