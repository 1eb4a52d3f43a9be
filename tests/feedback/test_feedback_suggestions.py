"""Suggest a programme (/interventions/suggest/, only the name needed) and send new
evidence for a listed one (from its page), with the same protections as a report of a
problem: a message for each mistake, the bot trap and the limit per address."""

import pytest
from django.urls import reverse

from catalogue.models import Intervention
from feedback.models import Kind, ReaderReport
from tests.support.admin_pages import open_form
from tests.support.pages import main, parse

SUGGEST = "/interventions/suggest/"


def errors_in_summary(response) -> dict[str, str]:
    summary = parse(response).find("div", class_="error-summary")
    return {a.text: a.attrs["href"] for a in summary.find_all("a")}


def suggest(visitor, **fields):
    data = {"programme": "", "provider": "", "programme_website": "", "why": "", "website": ""}
    return visitor.post(SUGGEST, {**data, "evaluations": "", "email": "", **fields})


def test_the_guidebook_offers_to_suggest_a_programme(visitor, db):
    links = main(visitor.get(reverse("catalogue:guidebook"))).links()
    assert links["Suggest a programme for us to review"] == SUGGEST


def test_a_suggestion_needs_only_the_programmes_name(visitor, db):
    response = suggest(visitor, programme="Roots of Empathy")
    assert response.status_code == 302
    sent = visitor.get(response["Location"])
    assert main(sent).find("h1").text == "Thank you: your suggestion has been sent"
    stored = ReaderReport.objects.get()
    assert (stored.kind, stored.programme, stored.page) == (Kind.SUGGESTION, "Roots of Empathy", "")


def test_a_full_suggestion_is_kept_as_written(visitor, db):
    response = suggest(
        visitor,
        programme="Roots of Empathy",
        provider="Roots of Empathy UK",
        programme_website="rootsofempathy.org",
        why="Used in many schools in Scotland.",
        evaluations="https://example.org/evaluation-2019.pdf",
        email="teacher@example.org",
    )
    assert response.status_code == 302
    stored = ReaderReport.objects.get()
    assert stored.provider == "Roots of Empathy UK"
    # A website given without its scheme is taken as https.
    assert stored.programme_website == "https://rootsofempathy.org"
    assert stored.why == "Used in many schools in Scotland."
    assert stored.evaluations == "https://example.org/evaluation-2019.pdf"
    assert stored.email == "teacher@example.org"


@pytest.mark.parametrize(
    ("fields", "message", "field"),
    [
        ({}, "Give the programme's name.", "programme"),
        ({"programme": "   "}, "Give the programme's name.", "programme"),
        (
            {"programme": "x" * 201},
            "Give the programme's name in 200 characters or fewer.",
            "programme",
        ),
        (
            {"programme": "Roots", "programme_website": "not a website"},
            "Enter the website's address, such as https://www.example.org.",
            "programme_website",
        ),
        ({"programme": "Roots", "why": "x" * 1251}, "Say why in 1250 characters or fewer.", "why"),
    ],
)
def test_each_mistake_in_a_suggestion_is_said_and_nothing_is_stored(
    visitor, db, fields, message, field
):
    response = suggest(visitor, **fields)
    assert response.status_code == 400
    assert errors_in_summary(response) == {message: f"#id_{field}"}
    assert parse(response).find("title").text.startswith("Error: Suggest a programme")
    assert not ReaderReport.objects.exists()


def test_a_suggestion_with_the_bot_trap_filled_in_is_refused(visitor, db):
    response = suggest(visitor, programme="Cheap pills", website="http://spam.example")
    assert response.status_code == 400
    assert not ReaderReport.objects.exists()


def test_the_limit_per_address_counts_every_kind_of_message(visitor, db, settings):
    settings.FEEDBACK_PER_HOUR = 1
    assert suggest(visitor, programme="Roots of Empathy").status_code == 302
    problem = visitor.post("/feedback/", {"page": "/", "wrong": "A typo.", "website": ""})
    assert problem.status_code == 429
    assert ReaderReport.objects.count() == 1


@pytest.fixture
def listed(intervention_factory) -> Intervention:
    return intervention_factory(name="Family Nurse Partnership", slug="fnp")


def evidence_url(intervention: Intervention) -> str:
    return reverse("feedback:send-evidence", args=[intervention.slug])


def send_evidence(visitor, intervention, **fields):
    data = {"citation": "", "link": "", "why": "", "email": "", "website": "", **fields}
    return visitor.post(evidence_url(intervention), data)


def test_an_intervention_page_offers_to_send_new_evidence(visitor, listed):
    links = main(visitor.get(listed.get_absolute_url())).links()
    assert (
        links["Send new evidence about Family Nurse Partnership"] == "/interventions/fnp/evidence/"
    )
    form = visitor.get("/interventions/fnp/evidence/")
    assert form.status_code == 200
    assert main(form).links()["Family Nurse Partnership"] == "/interventions/fnp/"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("10.1016/S0140-6736(15)00392-X", "https://doi.org/10.1016/S0140-6736(15)00392-X"),
        ("doi:10.1000/xyz123", "https://doi.org/10.1000/xyz123"),
        ("www.example.org/report.pdf", "https://www.example.org/report.pdf"),
        ("https://doi.org/10.1000/xyz123", "https://doi.org/10.1000/xyz123"),
    ],
)
def test_evidence_is_stored_against_its_intervention_with_its_link_made_an_address(
    visitor, listed, given, stored
):
    response = send_evidence(visitor, listed, link=given, why="A UK replication.")
    assert response.status_code == 302
    sent = visitor.get(response["Location"])
    assert main(sent).find("h1").text == "Thank you: your evidence has been sent"
    assert main(sent).links()["Go back to the page you were on"] == "/interventions/fnp/"
    report = ReaderReport.objects.get()
    assert (report.kind, report.intervention, report.page) == (
        Kind.EVIDENCE,
        listed,
        "/interventions/fnp/",
    )
    assert (report.link, report.why) == (stored, "A UK replication.")


def test_evidence_may_be_a_citation_alone(visitor, listed):
    citation = "Robling, M. et al. (2016). The Lancet, 387, 146–155."
    assert send_evidence(visitor, listed, citation=citation).status_code == 302
    assert ReaderReport.objects.get().citation == citation


@pytest.mark.parametrize(
    ("fields", "message", "field"),
    [
        ({}, "Give the evidence's citation, or its DOI or a link.", "citation"),
        (
            {"link": "see the Lancet"},
            "Enter a DOI such as 10.1000/xyz123, or a web address such as "
            "https://www.example.org/report.pdf.",
            "link",
        ),
        (
            {"citation": "x" * 1251},
            "Give the citation in 1250 characters or fewer.",
            "citation",
        ),
    ],
)
def test_each_mistake_in_evidence_is_said_and_nothing_is_stored(
    visitor, listed, fields, message, field
):
    response = send_evidence(visitor, listed, **fields)
    assert response.status_code == 400
    assert errors_in_summary(response) == {message: f"#id_{field}"}
    assert not ReaderReport.objects.exists()


def test_evidence_for_a_draft_or_unknown_intervention_is_not_found(visitor, intervention_factory):
    draft = intervention_factory(slug="draft-programme", published=False)
    for path in (evidence_url(draft), "/interventions/no-such/evidence/"):
        assert visitor.get(path).status_code == 404
        assert visitor.post(path, {"citation": "A study."}).status_code == 404
    assert not ReaderReport.objects.exists()


def test_an_intervention_cannot_take_the_suggestion_pages_address(editor, db):
    url = reverse("admin:catalogue_intervention_add")
    data = open_form(editor, url, "intervention_form")
    data.update(name="Suggest", slug="suggest", summary="A programme.")
    response = editor.post(url, data)
    assert response.status_code == 200
    assert "“suggest” is the address of another page." in response.content.decode()
    assert not Intervention.objects.filter(slug="suggest").exists()
    assert editor.get(SUGGEST).status_code == 200
