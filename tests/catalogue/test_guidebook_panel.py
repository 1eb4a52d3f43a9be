"""The guidebook's filter panel as rendered: its titled parts in plain words, and, for
phones, a "Filter" toggle with the result count that folds the panel away without a
script, and a link that skips past the panel to the results."""

from tests.support.guidebook import count_text, expected, guidebook_url
from tests.support.pages import main


def panel_parts(page) -> dict[str, list[str]]:
    """Each titled part of the panel and the labels of the filters in it, in order."""
    form = page.find("form", class_="filters")
    return {
        part.find("h2").text: [
            (group.find_all("legend") or group.find_all("label"))[0].text
            for group in part.find_all("fieldset", class_="filters__group")
        ]
        for part in form.find_all("div", class_="filters__section")
    }


def test_the_panel_groups_the_filters_in_plain_words(shared_guidebook, visitor):
    assert panel_parts(main(visitor.get(guidebook_url()))) == {
        "Ratings": [
            "Evidence rating",
            "Evidence rating at least",
            "Mixed findings",
            "Cost rating",
            "Cost rating at most",
        ],
        "Child outcomes": ["Child outcome"],
        "Who it is for": ["Age group", "Level of need"],
        "How it is delivered": ["Delivery model", "Setting"],
        "Evidence": [
            "Study design",
            "Studied independently of the provider",
            "Favourable finding a year or more after it ended",
            "A study reports the ethnicity of its sample",
            "Tested in the UK",
        ],
        "Availability": ["Available in the UK"],
        "Other clearinghouses": ["Also rated by"],
    }


def test_a_yes_filter_is_one_check_box_checked_when_in_force(shared_guidebook, visitor):
    form = main(visitor.get(guidebook_url("uk_tested=yes"))).find("form", class_="filters")
    boxes = {
        box.attrs["name"]: box for box in form.find_all("input") if box.attrs["value"] == "yes"
    }
    assert sorted(boxes) == sorted(
        ["independent", "long_term", "ethnicity_reported", "uk_tested", "uk_available"]
    )
    assert all(box.attrs["type"] == "checkbox" for box in boxes.values())
    assert [name for name, box in boxes.items() if "checked" in box.attrs] == ["uk_tested"]


def test_on_a_phone_the_panel_folds_behind_a_filter_toggle_with_the_count(
    shared_guidebook, visitor
):
    query = "age=3-5&setting=home"
    page = main(visitor.get(guidebook_url(query)))
    panel = page.find("div", class_="filters-panel")
    toggle = panel.find("details", class_="filters-toggle")
    # Folded until opened; the CSS shows the form beside it only while it is open.
    assert "open" not in toggle.attrs
    want = len(expected(shared_guidebook, query))
    assert toggle.find("summary").text == f"Filter ({count_text(want)}, 2 filters in force)"
    assert toggle.find("summary").attrs["aria-controls"] == "filters"
    assert [child.tag for child in panel.children if not isinstance(child, str)] == [
        "details",
        "form",
    ]
    assert panel.find("form").attrs["id"] == "filters"


def test_the_toggle_says_just_the_count_without_filters(shared_guidebook, visitor):
    summary = main(visitor.get(guidebook_url())).find("details", class_="filters-toggle")
    want = len(expected(shared_guidebook, ""))
    assert summary.find("summary").text == f"Filter ({count_text(want)})"


def test_a_skip_link_leads_past_the_panel_to_the_results(shared_guidebook, visitor):
    page = main(visitor.get(guidebook_url("need=universal")))
    assert page.links()["Skip to results"] == "#results-heading"
    heading = page.find("h2", id="results-heading")
    assert heading.attrs["tabindex"] == "-1"
    text = page.text
    assert text.index("Skip to results") < text.index("Filter (") < text.index("Apply filters")
