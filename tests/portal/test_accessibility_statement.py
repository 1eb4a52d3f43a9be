"""The accessibility statement: linked from every page's footer and following the model
statement for UK public-sector websites (what is accessible and what is not, how to ask
for another format and report a problem, the enforcement procedure, the compliance
status, how the site is tested, and when the statement was prepared and reviewed)."""

import pytest
from django.urls import reverse

from tests.support.pages import main, parse


def test_the_statement_follows_the_model_statement(visitor, db):
    response = visitor.get(reverse("portal:accessibility"))
    assert response.status_code == 200
    page = main(response)
    assert page.find("h1").text == "Accessibility statement"
    assert page.headings() == [
        "How accessible this website is",
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Technical information about this website's accessibility",
        "How we tested this website",
        "Preparation of this accessibility statement",
    ]
    assert page.headings("h3") == ["Compliance status", "Non-accessible content"]
    assert "partially compliant with the Web Content Accessibility Guidelines version 2.2 AA" in (
        page.text
    )
    assert "Equality Advisory and Support Service" in page.text
    assert "zoom in to 200%" in page.text
    assert "prepared on 3 December 2026. It was last reviewed on 3 December 2026." in page.text


def test_the_statement_leads_to_the_report_form_about_itself(visitor, db):
    page = main(visitor.get(reverse("portal:accessibility")))
    assert page.links()["tell us"] == "/feedback/?page=/accessibility/"


def test_the_statement_gives_the_address_to_report_a_problem_to(settings, visitor, db):
    settings.CONTACT_EMAIL = "access@example.org"
    page = main(visitor.get(reverse("portal:accessibility")))
    assert page.links()["access@example.org"] == "mailto:access@example.org"


def test_without_an_address_the_statement_still_reads_as_a_sentence(settings, visitor, db):
    settings.CONTACT_EMAIL = ""
    page = main(visitor.get(reverse("portal:accessibility")))
    assert "mailto:" not in str(page.links().values())
    assert "tell us. We will consider your request" in page.text


@pytest.mark.parametrize(
    "url",
    [
        reverse("portal:home"),
        reverse("catalogue:guidebook"),
        reverse("portal:search"),
        "/no-such-page/",
    ],
)
def test_every_page_links_to_the_statement_and_the_sites_own_pages_from_its_footer(
    url, visitor, db
):
    footer = parse(visitor.get(url)).find("footer", class_="site-footer").links()
    assert footer["Accessibility statement"] == reverse("portal:accessibility")
    assert footer["Help"] == "/help/"
    assert footer["Contact us"] == "/contact/"
    assert footer["Privacy"] == "/privacy/"
    assert footer["Cookies"] == "/cookies/"
