"""The accessibility statement: linked from every page's footer, saying what the site
aims for, how it is tested and how to report a problem."""

import pytest
from django.urls import reverse

from tests.support.pages import main, parse


def test_the_statement_says_what_the_site_aims_for_and_how_it_is_tested(visitor, db):
    response = visitor.get(reverse("portal:accessibility"))
    assert response.status_code == 200
    page = main(response)
    assert page.find("h1").text == "Accessibility statement"
    assert page.headings() == [
        "How accessible this site is",
        "How we test it",
        "Reporting a problem",
        "Enforcement",
    ]
    assert "WCAG) version 2.2 at level AA" in page.text
    assert "zoom in to 200%" in page.text


def test_the_statement_gives_the_address_to_report_a_problem_to(settings, visitor, db):
    settings.CONTACT_EMAIL = "access@example.org"
    page = main(visitor.get(reverse("portal:accessibility")))
    assert page.links()["access@example.org"] == "mailto:access@example.org"


def test_without_an_address_the_statement_still_reads_as_a_sentence(settings, visitor, db):
    settings.CONTACT_EMAIL = ""
    page = main(visitor.get(reverse("portal:accessibility")))
    assert "mailto:" not in str(page.links().values())
    assert "tell us, saying which page and what went wrong" in page.text


@pytest.mark.parametrize(
    "url",
    [
        reverse("portal:home"),
        reverse("catalogue:guidebook"),
        reverse("portal:search"),
        "/no-such-page/",
    ],
)
def test_every_page_links_to_the_statement_from_its_footer(url, visitor, db):
    footer = parse(visitor.get(url)).find("footer", class_="site-footer")
    assert footer.links()["Accessibility statement"] == reverse("portal:accessibility")
