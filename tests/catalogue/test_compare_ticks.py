"""Ticks for the comparison are kept while the reader moves between pages of results,
without JavaScript: the compare form's buttons for the previous and next pages send the
ticks with the filters, the next page shows them ticked (and sends on those not on it),
and the page with a reader's ticks is not kept in the shared cache."""

import pytest

from tests.support.pages import form_data, main, parse

GUIDEBOOK = "/interventions/"


@pytest.fixture
def listed(intervention_factory):
    return [
        intervention_factory(name=f"Programme {number:02}", slug=f"p{number:02}", cost_rating=2)
        for number in range(30)
    ]


def compare_form(response):
    return parse(response).find("form", id="compare-form")


def ticked_boxes(response) -> list[str]:
    return [
        box.attrs["value"]
        for box in parse(response).find_all("input", type="checkbox", name="compare")
        if "checked" in box.attrs
    ]


def test_ticks_go_with_the_filters_to_the_next_page_and_stay_ticked(listed, visitor):
    first = visitor.get(GUIDEBOOK, {"cost": "2"})
    first_page = [
        box.attrs["value"]
        for box in parse(first).find_all("input", type="checkbox", name="compare")
    ]
    # The reader ticks two on the first page and presses "the next page".
    form = compare_form(first)
    button = form.find("button", value="2")
    assert button.text == "the next page"
    assert button.attrs["formaction"] == GUIDEBOOK
    sent = {**form_data(form), "compare": first_page[:2], "page": "2"}
    second = visitor.get(button.attrs["formaction"], sent)
    assert second.status_code == 200
    assert "private" in second["Cache-Control"]
    assert "(2 ticked so far)" in main(second).text
    # The second page's boxes are not the first's; its form carries the first's ticks on.
    assert not set(ticked_boxes(second)) & set(first_page[:2])
    carried = [
        box.attrs["value"]
        for box in compare_form(second).find_all("input", type="hidden", name="compare")
    ]
    assert carried == first_page[:2]
    # Back on the first page, they are ticked.
    back = compare_form(second).find("button", value="1")
    again = visitor.get(GUIDEBOOK, {**form_data(compare_form(second)), "page": "1"})
    assert back.text == "the previous page"
    assert ticked_boxes(again) == first_page[:2]
    # The filters went along.
    assert form_data(compare_form(second))["cost"] == "2"


def test_the_compare_button_sends_every_tick_to_the_comparison(listed, visitor):
    page = visitor.get(GUIDEBOOK, {"compare": ["p00", "p29"], "page": "1"})
    data = form_data(compare_form(page))
    # p29 is on another page: sent on by a hidden box; p00, ticked here, by its own.
    assert data["compare"] == "p29"
    assert "p00" in ticked_boxes(page)


def test_at_most_four_ticks_are_kept_and_nonsense_is_dropped(listed, visitor):
    ticks = ["p10", "p11", "p12", "p13", "p14", "not a slug!"]
    page = visitor.get(GUIDEBOOK, {"compare": ticks})
    assert "(4 ticked so far)" in main(page).text


def test_the_page_without_ticks_is_cached_as_before(listed, visitor):
    response = visitor.get(GUIDEBOOK, {"cost": "2"})
    assert "private" not in response.get("Cache-Control", "")
    assert "ticked so far" not in main(response).text
