"""Every form with errors says so at the top of its page, as public services do: "There is a
problem", each error linking to where it is explained beside its field, and "Error:" at
the start of the page's title."""

import pytest
from django.urls import reverse

from tests.support.pages import main, parse


@pytest.mark.parametrize(
    ("address", "errors"),
    [
        (reverse("catalogue:guidebook") + "?max_cost=abc&age=old", 2),
        (reverse("projects:project-list") + "?status=bogus", 1),
        (reverse("portal:search") + "?q=" + "x" * 300, 1),
    ],
)
def test_a_page_whose_form_has_errors_summarises_them_at_the_top(visitor, db, address, errors):
    response = visitor.get(address)
    page = parse(response)
    assert page.find("title").text.startswith("Error: ")
    summary = main(response).find("div", class_="error-summary")
    assert summary.find("h2").text == "There is a problem"
    links = summary.find_all("a")
    assert len(links) == errors
    for link in links:
        # Each leads to the message beside its field, which says the same.
        target = link.attrs["href"].removeprefix("#")
        (beside,) = [
            node
            for node in page.find_all("p", class_="field-error")
            if node.attrs.get("id") == target
        ]
        assert link.text in beside.text


@pytest.mark.parametrize(
    "address",
    [reverse("catalogue:guidebook"), reverse("projects:project-list"), reverse("portal:search")],
)
def test_a_page_without_errors_has_no_summary(visitor, db, address):
    response = visitor.get(address)
    assert not main(response).find_all("div", class_="error-summary")
    assert not parse(response).find("title").text.startswith("Error")
