"""History: each change recorded with who, when and the old and new values, shown in the
admin with a revert, and publicly as a change log that never names the editor."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from catalogue.models import Intervention
from catalogue.spreadsheet import COLUMNS
from editors.changes import public_changes
from projects.models import Project, Status
from ratings.scales import CostRating, EvidenceRating
from tests.support.admin_pages import error_messages, messages, open_form
from tests.support.pages import form_data, main, parse


def today() -> str:
    return date_format(timezone.localdate(), "j F Y")


@pytest.fixture
def project(project_factory) -> Project:
    return project_factory(
        title="Restart",
        status=Status.IN_PROGRESS,
        estimated_completion=datetime.date(2023, 4, 1),
    )


def edit_project(client, project: Project, **changes: str):
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = open_form(client, url, "project_form")
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, error_messages(response)
    return response


def test_admin_change_records_who_when_and_each_old_and_new_value(
    project, editor_account, group_editor
):
    before = timezone.now()
    edit_project(group_editor, project, status=Status.PAUSED, estimated_completion="2023-06")

    latest, earlier = project.history.all()[:2]
    assert latest.history_user == editor_account
    assert latest.history_type == "~"
    assert before <= latest.history_date <= timezone.now()
    changes = {(c.field, c.old, c.new) for c in latest.diff_against(earlier).changes}
    assert changes >= {
        ("status", Status.IN_PROGRESS, Status.PAUSED),
        ("estimated_completion", datetime.date(2023, 4, 1), datetime.date(2023, 6, 1)),
    }
    assert project.history.count() == 2


def history_rows(client, project: Project) -> list:
    page = parse(client.get(reverse("admin:projects_project_history", args=[project.pk])))
    return page.find("table", id="change-history").find("tbody").find_all("tr")


def test_admin_history_page_lists_the_change_with_old_and_new_values(project, group_editor):
    edit_project(group_editor, project, status=Status.PAUSED)
    newest, created = history_rows(group_editor, project)
    cells = [cell.text for cell in newest.find_all("td")]
    assert cells[2] == "Changed"
    assert cells[3] == "sam.editor@example.org"
    assert newest.find("ul").items() == ["Status: in-progress → paused"]
    assert [cell.text for cell in created.find_all("td")][2] == "Created"


def test_revert_through_the_history_form_restores_the_earlier_values(
    project, group_editor, visitor
):
    edit_project(group_editor, project, status=Status.PAUSED, estimated_completion="2023-06")
    created = history_rows(group_editor, project)[-1]
    revert_url = created.find("a").attrs["href"]
    original = project.history.earliest()
    assert revert_url == reverse(
        "admin:projects_project_simple_history", args=[project.pk, original.history_id]
    )

    data = open_form(group_editor, revert_url, "historicalproject_form")
    response = group_editor.post(revert_url, {**data, "_save": "Revert"})
    assert response.status_code == 302, error_messages(response)

    project.refresh_from_db()
    assert project.status == Status.IN_PROGRESS
    assert project.estimated_completion == datetime.date(2023, 4, 1)
    assert project.history.count() == 3
    log = main(visitor.get(project.get_absolute_url())).find("section", class_="changes").items()
    assert f"Estimated completion moved from June 2023 to April 2023, updated {today()}" in log


def test_revert_is_refused_when_someone_saved_after_it_was_opened(
    project, group_editor, editor_account_factory
):
    edit_project(group_editor, project, status=Status.PAUSED)
    revert_url = reverse(
        "admin:projects_project_simple_history", args=[project.pk, project.history.earliest().pk]
    )
    data = open_form(group_editor, revert_url, "historicalproject_form")
    other = Client()
    other.force_login(editor_account_factory("alex.editor@example.org"))
    edit_project(other, project, status=Status.DISCONTINUED)

    response = group_editor.post(revert_url, {**data, "_save": "Revert"})
    assert response.status_code == 200
    assert any(
        "They changed status" in message and "to “Discontinued”" in message
        for message in error_messages(response)
    )
    project.refresh_from_db()
    assert project.status == Status.DISCONTINUED


def test_public_project_page_never_names_the_editor(project, editor_account, group_editor, visitor):
    editor_account.first_name, editor_account.last_name = "Samira", "Okonkwo"
    editor_account.save()
    edit_project(group_editor, project, status=Status.PAUSED, due_date="31/03/2025")
    content = visitor.get(project.get_absolute_url()).content.decode()
    assert "Status changed from In progress to Paused" in content
    for name in ["sam.editor", "example.org", "Samira", "Okonkwo"]:
        assert name not in content


def test_public_change_log_lists_status_and_date_changes_newest_first(project, group_editor):
    edit_project(group_editor, project, status=Status.PAUSED)
    edit_project(group_editor, project, estimated_completion="2023-09")
    items = (
        main(group_editor.get(project.get_absolute_url())).find("section", class_="changes").items()
    )
    assert items == [
        f"Estimated completion moved from April 2023 to September 2023, updated {today()}",
        f"Status changed from In progress to Paused, updated {today()}",
    ]


def test_edits_to_other_fields_leave_the_public_change_log_empty(project, group_editor, visitor):
    edit_project(group_editor, project, summary="A new summary.")
    section = main(visitor.get(project.get_absolute_url())).find("section", class_="changes")
    assert section.find("p").text == "No change to its status or dates has been recorded."


def test_change_log_dates_a_change_on_the_day_it_was_made_in_london(project):
    # 23:30 in UTC on 3 May is 00:30 on 4 May in London, where editors work.
    late_evening = datetime.datetime(2023, 5, 3, 23, 30, tzinfo=datetime.UTC)
    project.history.update(history_date=late_evening - datetime.timedelta(days=1))
    project.status = Status.PAUSED
    project.save()
    project.history.filter(history_type="~").update(history_date=late_evening)
    (change,) = public_changes(project, ["status"])
    assert change.date == datetime.date(2023, 5, 4)


@pytest.fixture
def intervention(intervention_factory) -> Intervention:
    return intervention_factory(
        name="Family Check-Up",
        evidence_rating=EvidenceRating.LEVEL_2,
        cost_rating=CostRating.MEDIUM_LOW,
        provider="Family Support Trust",
        age_groups=["3-5"],
    )


def test_intervention_page_shows_rating_changes_with_their_dates(
    intervention, group_editor, visitor
):
    url = reverse("admin:catalogue_intervention_change", args=[intervention.pk])
    data = open_form(group_editor, url, "intervention_form")
    data.update(evidence_rating=str(EvidenceRating.LEVEL_3_PLUS), mixed_findings="on")
    response = group_editor.post(url, data)
    assert response.status_code == 302, error_messages(response)

    response = visitor.get(intervention.get_absolute_url())
    section = main(response).find("section", class_="changes")
    assert section.find("h2").text == "Change log"
    assert sorted(section.items()) == [
        f"Evidence rating changed from 2 to 3+, {today()}",
        f"Mixed findings changed from no to yes, {today()}",
    ]
    assert "sam.editor" not in response.content.decode()


def test_intervention_page_without_rating_changes_has_no_change_list(intervention, visitor):
    page = main(visitor.get(intervention.get_absolute_url()))
    assert page.find_all("section", class_="changes") == []


def csv_of(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({column: "" for column in COLUMNS} | row)
    return out.getvalue().encode()


def rerated(intervention: Intervention, evidence_rating: str) -> dict:
    """The intervention as a CSV row, with a new evidence rating."""
    return {
        "name": intervention.name,
        "slug": intervention.slug,
        "summary": intervention.summary,
        "evidence_rating": evidence_rating,
        "mixed_findings": "false",
        "cost_rating": "2",
        "provider": intervention.provider,
        "age_groups": "3-5",
    }


def test_csv_import_through_the_admin_records_rating_changes_in_the_history(
    intervention, editor_account, group_editor, visitor
):
    url = reverse("admin:catalogue_intervention_import")
    upload = SimpleUploadedFile("interventions.csv", csv_of([rerated(intervention, "3")]))
    preview = group_editor.post(url, {"file": upload})
    assert "update 1" in parse(preview).find("div", id="content").text
    confirm = next(
        form for form in parse(preview).find_all("form") if form.find_all("input", name="token")
    )
    response = group_editor.post(url, {**form_data(confirm), "confirm": "Confirm import"})
    assert response.status_code == 302
    assert messages(group_editor.get(response["Location"])) == [
        "Imported: 0 created, 1 updated, 0 unchanged."
    ]

    latest = intervention.history.first()
    assert latest.history_change_reason == "CSV import"
    assert latest.history_user == editor_account
    assert latest.evidence_rating == EvidenceRating.LEVEL_3
    assert intervention.history.count() == 2
    items = main(visitor.get(intervention.get_absolute_url())).find("section", class_="changes")
    assert items.items() == [f"Evidence rating changed from 2 to 3, {today()}"]


def test_csv_import_command_records_rating_changes_in_the_history(intervention, tmp_path, visitor):
    path = tmp_path / "interventions.csv"
    path.write_bytes(csv_of([rerated(intervention, "4+")]))
    call_command("import_interventions", str(path), stdout=io.StringIO())

    latest = intervention.history.first()
    assert latest.history_change_reason == "CSV import"
    assert latest.evidence_rating == EvidenceRating.LEVEL_4_PLUS
    items = main(visitor.get(intervention.get_absolute_url())).find("section", class_="changes")
    assert items.items() == [f"Evidence rating changed from 2 to 4+, {today()}"]


def test_csv_import_of_unchanged_ratings_adds_no_history(intervention, tmp_path):
    path = tmp_path / "interventions.csv"
    path.write_bytes(csv_of([rerated(intervention, "2")]))
    call_command("import_interventions", str(path), stdout=io.StringIO())
    assert intervention.history.count() == 1
