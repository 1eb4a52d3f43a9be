"""A filter value that is not valid gives the page with a message beside that filter and the
other filters applied; the CSV export refuses it in words; never a server error."""

import pytest

from tests.support.guidebook import (
    PER_PAGE,
    count_text,
    expected,
    filter_error,
    guidebook_url,
    listed_slugs,
    result_count,
)
from tests.support.pages import main, parse

NOT_APPLIED = "This filter was not applied."
LONG_TEXT = "x" * 1000

INVALID = [
    ("evidence=7", "Evidence rating", "“7” is not an evidence rating", "cost=1&cost=2"),
    ("evidence=3&evidence=7", "Evidence rating", "“7” is not an evidence rating", "mixed=only"),
    ("min_evidence=9", "Evidence rating at least", "“9” is not an evidence level", "cost=na"),
    ("min_evidence=nl2", "Evidence rating at least", "“nl2” is not an evidence level", "cost=1"),
    ("max_cost=abc", "Cost rating at most", "“abc” is not a cost level", "min_evidence=3"),
    ("max_cost=na", "Cost rating at most", "“na” is not a cost level", "evidence=2"),
    ("cost=0", "Cost rating", "“0” is not a cost rating", "min_evidence=3"),
    (
        "outcome=no-such",
        "Child outcome",
        "There is no child outcome “no-such”.",
        "evidence=4&evidence=4%2B",
    ),
    ("mixed=maybe", "Mixed findings", "“maybe” is not a choice here", "max_cost=2"),
    ("sort=price", "Sort by", "“price” is not a sort order", "outcome=preventing-crime"),
    (
        f"q={LONG_TEXT}",
        "Search interventions",
        "Search text can be at most 200 characters long",
        "cost=3",
    ),
]
IDS = [case[0][:20] for case in INVALID]


@pytest.mark.parametrize(("bad", "label", "message", "good"), INVALID, ids=IDS)
def test_invalid_value_is_reported_beside_its_filter_and_the_others_still_apply(
    shared_guidebook, visitor, bad, label, message, good
):
    response = visitor.get(guidebook_url(f"{bad}&{good}"))
    assert response.status_code == 200
    page = main(response)
    error = filter_error(page, label)
    assert error.startswith(message)
    assert error.endswith(NOT_APPLIED)
    assert len(page.find_all("p", class_="field-error")) == 1
    want = expected(shared_guidebook, good)
    assert want != expected(shared_guidebook, "")
    assert result_count(response) == count_text(len(want))
    assert listed_slugs(response) == want[:PER_PAGE]


def test_an_unknown_format_is_reported_and_the_page_shown(shared_guidebook, visitor):
    response = visitor.get(guidebook_url("format=xml&cost=na"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    errors = main(response).find_all("p", class_="field-error")
    assert [error.text for error in errors] == [
        f"“xml” is not a format we offer; use html or csv. {NOT_APPLIED}"
    ]
    assert listed_slugs(response) == expected(shared_guidebook, "cost=na")[:PER_PAGE]


@pytest.mark.parametrize(("bad", "label", "message", "good"), INVALID, ids=IDS)
def test_csv_export_with_an_invalid_filter_is_refused_in_plain_words(
    shared_guidebook, visitor, bad, label, message, good
):
    response = visitor.get(guidebook_url(f"{good}&{bad}&format=csv"))
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("The export was not made because a filter is not valid.")
    name = bad.split("=")[0]
    assert f"{name}: {message}" in text
    assert len(text) < 1000


@pytest.mark.parametrize("query", [f"q={LONG_TEXT}", "evidence=7", "outcome=no-such", "sort=x"])
def test_a_filter_error_is_tied_to_its_control_for_screen_readers(db, visitor, query):
    page = main(visitor.get(guidebook_url(query)))
    described = [
        target
        for tag in ("input", "select", "fieldset")
        for element in page.find_all(tag)
        for target in element.attrs.get("aria-describedby", "").split()
    ]
    assert described, "the control with the bad value names no description"
    for target in described:
        assert page.find_all("p", id=target), f"aria-describedby points at missing #{target}"


@pytest.mark.parametrize("number", ["999", "abc", "0", "-1"])
def test_a_page_that_does_not_exist_is_404(shared_guidebook, visitor, number):
    response = visitor.get(guidebook_url(f"page={number}"))
    assert response.status_code == 404
    assert parse(response).find("h1").text == "Page not found"


def test_the_last_page_exists(shared_guidebook, visitor):
    want = expected(shared_guidebook, "")
    last = (len(want) - 1) // PER_PAGE + 1
    response = visitor.get(guidebook_url(f"page={last}"))
    assert listed_slugs(response) == want[(last - 1) * PER_PAGE :]


ODD_VALUES = ["", " ", "%00", "%FF", "%E2%80%9C", "x" * 300, "-1", "1e999", "3%2B%2B", "%2F..%2F"]
PARAMETERS = ["q", "evidence", "min_evidence", "mixed", "cost", "max_cost", "outcome", "sort"]


@pytest.mark.parametrize("name", PARAMETERS)
def test_odd_values_never_cause_a_server_error(shared_guidebook, visitor, name):
    # The test client raises any exception a view lets escape, so a 500 fails here.
    for value in ODD_VALUES:
        for extra in ("", "&format=csv"):
            response = visitor.get(guidebook_url(f"{name}={value}{extra}"))
            assert response.status_code in {200, 400}, (name, value, extra)


def test_an_outcome_an_editor_adds_is_a_filter_at_once(db, visitor, child_outcome_factory):
    """The outcomes a filter may name come from the data cache, which a new one empties."""
    url = guidebook_url("outcome=sleep")
    assert filter_error(parse(visitor.get(url)), "Child outcome") == (
        f"There is no child outcome “sleep”. {NOT_APPLIED}"
    )
    child_outcome_factory(name="Sleep", slug="sleep")
    page = parse(visitor.get(url))
    assert filter_error(page, "Child outcome") == ""
    assert "Child outcome: Sleep" in page.text
