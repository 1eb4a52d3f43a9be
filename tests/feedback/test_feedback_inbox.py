"""The editors' inbox in the admin: readers' reports newest first, filtered by kind and
state, the page each is about one click away, a count of new ones on the admin index;
editors keep the state and a note but cannot change what a reader wrote; and readers'
addresses are removed after the retention period."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from catalogue.models import ReviewItem, ReviewStage
from feedback.models import Kind, ReaderReport, State
from tests.support.admin_pages import open_form
from tests.support.pages import parse

INBOX = reverse("admin:feedback_readerreport_changelist")


def make_report(age_days: int = 0, **fields) -> ReaderReport:
    report = ReaderReport.objects.create(
        **{"wrong": "A date is wrong.", "page": "/projects/", **fields}
    )
    # `created` is set on saving; move it back as if the report came in days ago.
    created = timezone.now() - datetime.timedelta(days=age_days)
    ReaderReport.objects.filter(pk=report.pk).update(created=created)
    return report


def listed(response) -> list[str]:
    return [row.find("td", class_="field-summary").text for row in rows(response)]


def rows(response):
    """The list's rows; an empty list has no table at all."""
    return [
        row
        for table in parse(response).find_all("table", id="result_list")
        for row in table.find("tbody").find_all("tr")
    ]


def test_the_inbox_lists_reports_newest_first_with_their_page_one_click_away(group_editor):
    make_report(age_days=3, wrong="Oldest.")
    make_report(age_days=1, wrong="Middle.", page="/interventions/?cost=2")
    make_report(age_days=0, wrong="Newest.")
    response = group_editor.get(INBOX)
    assert response.status_code == 200
    assert listed(response) == ["Newest.", "Middle.", "Oldest."]
    link = rows(response)[1].find("td", class_="field-page_link").find("a")
    assert link.attrs["href"] == "/interventions/?cost=2"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state__exact": "new"}, ["Still new."]),
        ({"state__exact": "done"}, ["Dealt with."]),
        ({"kind__exact": "problem"}, ["Still new.", "Dealt with."]),
        ({"kind__exact": "suggestion"}, []),
    ],
)
def test_the_inbox_filters_by_kind_and_state(group_editor, query, expected):
    make_report(age_days=2, wrong="Dealt with.", state=State.DONE)
    make_report(age_days=1, wrong="Still new.")
    response = group_editor.get(INBOX, query)
    assert response.status_code == 200
    assert listed(response) == expected


@pytest.mark.parametrize("query", [{"state__exact": "lost"}, {"kind__exact": "a\x00b"}])
def test_a_filter_value_that_does_not_exist_is_a_message_not_an_error(group_editor, query):
    make_report()
    response = group_editor.get(INBOX, query, follow=True)
    assert response.status_code == 200
    assert "?e=1" in response.redirect_chain[-1][0]


def test_the_admin_index_counts_the_new_reports(group_editor):
    make_report(wrong="One.")
    make_report(wrong="Two.")
    make_report(wrong="Answered.", state=State.DONE)
    notice = parse(group_editor.get(reverse("admin:index"))).find("div", class_="overdue-notice")
    assert notice.find("strong").text == "2 new messages from readers"
    assert notice.find("a").attrs["href"] == f"{INBOX}?state__exact=new"


def test_no_notice_when_nothing_is_new(group_editor):
    make_report(state=State.NO_ACTION)
    page = parse(group_editor.get(reverse("admin:index")))
    assert "from readers" not in page.text


def test_an_editor_keeps_the_state_and_a_note_but_not_the_readers_words(group_editor):
    report = make_report(wrong="The trial's end date is wrong.", email="parent@example.org")
    url = reverse("admin:feedback_readerreport_change", args=[report.pk])
    data = open_form(group_editor, url, "readerreport_form")
    assert set(data) >= {"state", "note"}
    assert "wrong" not in data
    response = group_editor.post(
        url,
        {
            **data,
            "state": State.DONE,
            "note": "Corrected the end date.",
            "wrong": "Rewritten by someone.",
            "kind": Kind.SUGGESTION,
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.state, report.note) == (State.DONE, "Corrected the end date.")
    assert (report.wrong, report.kind) == ("The trial's end date is wrong.", Kind.PROBLEM)


def test_reports_come_from_readers_only(group_editor):
    assert group_editor.get(reverse("admin:feedback_readerreport_add")).status_code == 403


def test_the_public_cannot_reach_the_inbox(visitor, db):
    make_report()
    response = visitor.get(INBOX)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_readers_addresses_are_removed_after_the_retention_period(db, settings):
    settings.READER_ADDRESS_RETENTION_DAYS = 30
    old = make_report(age_days=31, email="old@example.org")
    recent = make_report(age_days=29, email="recent@example.org")
    out = io.StringIO()
    call_command("forget_reader_addresses", stdout=out)
    assert out.getvalue().strip() == "1 address removed from reports older than 30 days."
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.email, old.wrong) == ("", "A date is wrong.")
    assert recent.email == "recent@example.org"


def test_a_suggestion_shows_what_the_reader_suggested_and_none_of_it_is_editable(group_editor):
    report = make_report(
        kind=Kind.SUGGESTION,
        page="",
        wrong="",
        programme="Roots of Empathy",
        provider="Roots UK",
        programme_website="https://rootsofempathy.org",
    )
    url = reverse("admin:feedback_readerreport_change", args=[report.pk])
    response = group_editor.get(url)
    shown = parse(response).find("form", id="readerreport_form").text
    for text in ("Roots of Empathy", "Roots UK", "https://rootsofempathy.org"):
        assert text in shown
    assert set(open_form(group_editor, url, "readerreport_form")) >= {"state", "note"}
    assert "programme" not in open_form(group_editor, url, "readerreport_form")


def add_to_pipeline(client, *reports):
    data = {"action": "add_to_pipeline", "_selected_action": [str(r.pk) for r in reports]}
    return client.post(INBOX, {**data, "index": "0"}, follow=True)


def test_an_editor_turns_a_suggestion_into_a_review_item_once(group_editor):
    suggestion = make_report(
        age_days=4,
        kind=Kind.SUGGESTION,
        wrong="",
        programme="Roots of Empathy",
        provider="Roots UK",
    )
    problem = make_report(wrong="A typo.")
    response = add_to_pipeline(group_editor, suggestion, problem)
    shown = " ".join(parse(response).find("ul", class_="messagelist").text.split())
    assert (
        "Added to the review pipeline, at the suggested stage and not yet public: Roots of Empathy."
        in shown
    )
    assert "1 selected message was left alone" in shown
    item = ReviewItem.objects.get()
    assert (item.name, item.provider, item.stage, item.published) == (
        "Roots of Empathy",
        "Roots UK",
        ReviewStage.SUGGESTED,
        False,
    )
    suggestion.refresh_from_db()
    assert [(entry.stage, entry.entered_on) for entry in item.stages.all()] == [
        (ReviewStage.SUGGESTED, suggestion.created.date())
    ]
    assert (suggestion.review_item, suggestion.state) == (item, State.IN_PROGRESS)
    # The suggestion's page in the inbox leads to the review item.
    change = group_editor.get(reverse("admin:feedback_readerreport_change", args=[suggestion.pk]))
    link = reverse("admin:catalogue_reviewitem_change", args=[item.pk])
    assert parse(change).find("a", href=link).text == "Roots of Empathy"
    # A second time adds nothing.
    again = add_to_pipeline(group_editor, suggestion)
    assert "1 selected message was left alone" in again.content.decode()
    assert ReviewItem.objects.count() == 1


def mark_corrected(client, report, **fields):
    url = reverse("admin:feedback_readerreport_change", args=[report.pk])
    data = open_form(client, url, "readerreport_form")
    return client.post(url, {**data, **fields, "_save": "Save"})


def test_a_report_marked_done_and_linked_to_a_project_shows_in_its_change_log(
    group_editor, visitor, project_factory
):
    project = project_factory(title="Restart")
    report = make_report(wrong="The end date is wrong.", email="parent@example.org")
    response = mark_corrected(
        group_editor,
        report,
        state=State.DONE,
        corrected_project=str(project.pk),
        corrected_on="2026-11-20",
    )
    assert response.status_code == 302
    log = parse(visitor.get(project.get_absolute_url())).find("section", class_="changes")
    assert "Corrected after a reader's report, updated 20 November 2026" in log.items()
    # Never who wrote in.
    assert "parent@example.org" not in visitor.get(project.get_absolute_url()).content.decode()


def test_an_intervention_corrected_after_a_report_says_so_on_its_page_and_in_the_api(
    group_editor, visitor, intervention_factory
):
    intervention = intervention_factory(name="Family Check-Up")
    report = make_report(wrong="The cost rating is out of date.")
    response = mark_corrected(
        group_editor, report, state=State.DONE, corrected_intervention=str(intervention.pk)
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.corrected_on == timezone.localdate()
    log = parse(visitor.get(intervention.get_absolute_url())).find("section", class_="changes")
    today = timezone.localdate()
    assert log.items() == [f"Corrected after a reader's report, {today:%-d %B %Y}"]
    history = visitor.get(f"/api/v1/interventions/{intervention.pk}/history/").json()
    assert history["changes"] == [
        {
            "field": "",
            "old": "",
            "new": "",
            "date": today.isoformat(),
            "sentence": "Corrected after a reader's report",
        }
    ]


def test_a_report_not_yet_done_is_not_in_any_change_log(group_editor, project_factory):
    project = project_factory()
    report = make_report()
    response = mark_corrected(group_editor, report, corrected_project=str(project.pk))
    assert response.status_code == 200
    assert "Mark the report done when you link it to the correction it led to." in (
        response.content.decode()
    )
    report.refresh_from_db()
    assert report.corrected_project is None
    assert not project.schedule_changes()


def test_a_report_links_to_one_record_at_most(group_editor, project_factory, intervention_factory):
    report = make_report()
    response = mark_corrected(
        group_editor,
        report,
        state=State.DONE,
        corrected_project=str(project_factory().pk),
        corrected_intervention=str(intervention_factory().pk),
    )
    assert response.status_code == 200
    assert "Link the report to one record it led to correcting." in response.content.decode()
    report.refresh_from_db()
    assert report.state == State.NEW
