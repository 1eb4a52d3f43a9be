"""Report a problem with this page: linked from every public page, working without
JavaScript, an account or a cookie; a clear message for each mistake; a bot trap, a limit
per address and a cross-site check that turn floods away; and a `page` that can only ever
be a page of this site."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from feedback.models import Kind, ReaderReport, State
from tests.support.pages import main, parse

FORM = "/feedback/"


def report(visitor, page: str = "/projects/", **fields):
    data = {"page": page, "doing": "", "wrong": "", "email": "", "website": "", **fields}
    return visitor.post(FORM, data)


def form_page_value(response) -> str:
    return parse(response).find("input", name="page").attrs["value"]


@pytest.mark.parametrize(
    ("address", "page"),
    [
        ("/", "/"),
        ("/projects/", "/projects/"),
        ("/accessibility/", "/accessibility/"),
        # The filters the guidebook reads, in its order; a parameter made up is left out.
        ("/interventions/?age=3-5&made_up=1&cost=2", "/interventions/?cost=2&age=3-5"),
    ],
)
def test_every_page_links_to_the_form_naming_itself(visitor, address, page):
    link = parse(visitor.get(address)).find("p", class_="report-problem").find("a")
    assert link.text == "Report a problem with this page"
    href = urlsplit(link.attrs["href"])
    assert href.path == FORM
    assert parse_qs(href.query) == {"page": [page]}
    # The form names the page and links back to it.
    form = visitor.get(link.attrs["href"])
    assert form.status_code == 200
    assert form_page_value(form) == page
    assert main(form).links()[page] == page


@pytest.mark.parametrize(
    "page",
    [
        "https://elsewhere.example/phish",
        "//elsewhere.example/phish",
        "/\\elsewhere.example",
        "javascript:alert(1)",
        "/admin/",
        "/no-such-page-on-this-site/",
        "/projects/\x00",
        "projects/",
    ],
)
def test_a_page_that_is_not_one_of_this_sites_is_neither_linked_nor_stored(visitor, page):
    form = visitor.get(FORM, {"page": page})
    assert form.status_code == 200
    assert form_page_value(form) == ""
    assert "elsewhere" not in main(form).text
    response = report(visitor, page=page, wrong="The date is wrong.")
    assert response.status_code == 302
    assert ReaderReport.objects.get().page == ""
    # The confirmation leads home, not to what was sent.
    sent = visitor.get(response["Location"])
    assert main(sent).links()["Go to the home page"] == "/"


def test_a_report_is_stored_and_confirmed_and_leads_back_to_its_page(visitor, db):
    response = report(
        visitor,
        page="/projects/?status=in-progress",
        doing="Looking for trials in progress.",
        wrong="One is shown as completed in 2019.",
        email="parent@example.org",
    )
    assert response.status_code == 302
    stored = ReaderReport.objects.get()
    assert (stored.kind, stored.state, stored.page) == (
        Kind.PROBLEM,
        State.NEW,
        "/projects/?status=in-progress",
    )
    assert stored.doing == "Looking for trials in progress."
    assert stored.wrong == "One is shown as completed in 2019."
    assert stored.email == "parent@example.org"
    sent = visitor.get(response["Location"])
    assert sent.status_code == 200
    assert main(sent).find("h1").text == "Thank you: your report has been sent"
    back = main(sent).find("a", href="/projects/?status=in-progress")
    assert back.text == "Go back to the page you were on"


def test_one_of_the_two_boxes_is_enough(visitor, db):
    assert report(visitor, doing="Trying to print the page.").status_code == 302
    assert report(visitor, wrong="The link to the report is broken.").status_code == 302
    assert ReaderReport.objects.count() == 2


def test_the_public_get_no_cookie_from_the_form(visitor, db):
    assert not visitor.get(FORM, {"page": "/"}).cookies
    assert not report(visitor, wrong="A typo in the summary.").cookies
    assert ReaderReport.objects.count() == 1


def errors_shown(response) -> tuple[list[str], dict[str, str]]:
    """The error summary's links (text to field) and the errors beside the fields."""
    page = parse(response)
    summary = page.find("div", class_="error-summary")
    assert summary.find("h2").text == "There is a problem"
    links = {a.text: a.attrs["href"] for a in summary.find_all("a")}
    beside = [node.text for node in page.find_all("p", class_="field-error")]
    return beside, links


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({}, "wrong", "Say what went wrong, or what you were doing."),
        ({"doing": " \n "}, "wrong", "Say what went wrong, or what you were doing."),
        (
            {"wrong": "x" * 1251},
            "wrong",
            "Say what went wrong in 1250 characters or fewer.",
        ),
        (
            {"doing": "x" * 1251, "wrong": "Broken."},
            "doing",
            "Say what you were doing in 1250 characters or fewer.",
        ),
        (
            {"wrong": "Broken.", "email": "not an address"},
            "email",
            "Enter an e-mail address like name@example.org, or leave it empty.",
        ),
    ],
)
def test_each_mistake_is_said_at_the_top_and_beside_its_box_and_nothing_is_stored(
    visitor, db, fields, field, message
):
    response = report(visitor, **fields)
    assert response.status_code == 400
    beside, links = errors_shown(response)
    assert links == {message: f"#id_{field}"}
    assert beside == [f"Error: {message}"]
    assert parse(response).find("title").text.startswith("Error: ")
    box = parse(response).find("input" if field == "email" else "textarea", id=f"id_{field}")
    assert box.attrs["aria-invalid"] == "true"
    assert f"id_{field}_error" in box.attrs["aria-describedby"]
    # What they wrote is kept in the form, and the page it is about too.
    assert form_page_value(response) == "/projects/"
    assert not ReaderReport.objects.exists()


def test_a_filled_in_bot_trap_is_refused_saying_why(visitor, db):
    response = report(visitor, wrong="Buy cheap watches", website="http://spam.example")
    assert response.status_code == 400
    assert "A box that people cannot see was filled in" in main(response).text
    assert not ReaderReport.objects.exists()


def test_the_bot_trap_is_hidden_from_people_and_the_keyboard(visitor, db):
    trap = parse(visitor.get(FORM)).find("div", class_="bot-trap")
    assert trap.attrs["aria-hidden"] == "true"
    assert trap.find("input", name="website").attrs["tabindex"] == "-1"


def test_a_form_sent_from_another_site_is_refused(visitor, db):
    response = visitor.post(
        FORM,
        {"page": "/", "wrong": "Forged.", "website": ""},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 400
    assert "sent from another website" in main(response).text
    assert not ReaderReport.objects.exists()


def test_an_address_that_sends_too_many_is_asked_to_wait_and_nothing_more_is_stored(
    visitor, db, settings
):
    settings.FEEDBACK_PER_HOUR = 2
    assert report(visitor, wrong="First.").status_code == 302
    assert report(visitor, wrong="Second.").status_code == 302
    refused = report(visitor, wrong="Third.")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "at most 2 an hour" in main(refused).text
    assert "what you wrote was not sent" in main(refused).text
    # Mistakes are not counted: a person correcting a form is not turned away early.
    assert list(ReaderReport.objects.order_by("pk").values_list("wrong", flat=True)) == [
        "First.",
        "Second.",
    ]


def test_the_forms_own_pages_do_not_offer_to_report_themselves(visitor, db):
    for response in (visitor.get(FORM), visitor.get(reverse("feedback:sent"))):
        assert response.status_code == 200
        assert not parse(response).find_all("p", class_="report-problem")
