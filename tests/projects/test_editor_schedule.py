"""Status and dates as an editor keeps them: from the list and the form, shown publicly
with a change log, refused with a sentence when they cannot be true, overdue flagged."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from projects.models import Project, Status
from tests.support.admin_pages import error_messages, form_on, open_form, row_prefix
from tests.support.pages import main, parse

CHANGELIST = reverse("admin:projects_project_changelist")
NEEDS_MONTH = "A completed project needs the month it was completed."
FUTURE_MONTH = (
    "The completion month is in the future: a project is marked completed only once it has "
    "finished."
)
FINISHES_BEFORE_START = (
    "The estimated completion cannot be before the start date: a project cannot finish before "
    "it begins."
)


def month(offset: int) -> datetime.date:
    """The first day of the month offset months from this one."""
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 + offset
    return datetime.date(index // 12, index % 12 + 1, 1)


def today() -> str:
    return date_format(timezone.localdate(), "j F Y")


def list_edit(client, project, **changes: str):
    """Change one row of the project changelist as the page submits it, and save."""
    data = open_form(client, CHANGELIST, "changelist-form")
    row = row_prefix(data, project.pk)
    data.update({f"{row}-{name}": value for name, value in changes.items()})
    data["_save"] = "Save"
    return client.post(CHANGELIST, data)


def form_edit(client, project, **changes: str):
    """Change a project through its change form, and save."""
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = open_form(client, url, "project_form")
    data.update(changes)
    return client.post(url, data)


def change_log(page) -> list[str]:
    return page.find("section", class_="changes").items()


@pytest.fixture
def project(project_factory):
    return project_factory(
        title="Restart",
        study_type="feasibility",
        status=Status.IN_PROGRESS,
        start_date=datetime.date(2022, 6, 1),
        estimated_completion=datetime.date(2023, 4, 1),
    )


def test_editor_changes_status_and_estimated_completion_from_the_list(
    project, group_editor, visitor
):
    response = list_edit(
        group_editor, project, status=Status.PAUSED, estimated_completion="2023-06"
    )
    assert response.status_code == 302, error_messages(response)

    page = main(visitor.get(project.get_absolute_url()))
    facts = page.find("dl", class_="facts").definitions()
    assert facts["Status"] == "Feasibility study / Paused"
    assert facts["Estimated completion"] == "June 2023"
    assert sorted(change_log(page)) == [
        f"Estimated completion moved from April 2023 to June 2023, updated {today()}",
        f"Status changed from In progress to Paused, updated {today()}",
    ]
    assert page.find("section", class_="changes").find("h2").text == f"Last updated {today()}"


def test_list_edit_posts_the_version_and_what_the_editor_saw(project, group_editor):
    data = open_form(group_editor, CHANGELIST, "changelist-form")
    row = row_prefix(data, project.pk)
    assert data[f"{row}-edited_version"] == str(project.version)
    assert data[f"initial-{row}-status"] == Status.IN_PROGRESS
    assert data[f"initial-{row}-estimated_completion"] == "2023-04-01"


def test_editor_changes_the_due_date_from_the_form(project, group_editor, visitor):
    response = form_edit(group_editor, project, due_date="31/03/2025")
    assert response.status_code == 302, error_messages(response)
    page = main(visitor.get(project.get_absolute_url()))
    assert page.section("Due date").find("p").text == (
        "This project is due to be completed by March 2025."
    )
    assert change_log(page) == [f"Due date set to 31 March 2025, updated {today()}"]


def test_new_project_page_says_no_change_is_recorded(project, visitor):
    page = main(visitor.get(project.get_absolute_url()))
    assert page.find("section", class_="changes").find("p").text == (
        "No change to its status or dates has been recorded."
    )


def test_completed_project_shows_the_month_it_completed(project, group_editor, visitor):
    response = form_edit(group_editor, project, status=Status.COMPLETED, completed_on="2024-06")
    assert response.status_code == 302, error_messages(response)
    page = main(visitor.get(project.get_absolute_url()))
    facts = page.find("dl", class_="facts").definitions()
    assert facts["Completed"] == "Completed in June 2024"
    assert "Estimated completion" not in facts
    assert f"Status changed from In progress to Completed, updated {today()}" in change_log(page)


def test_completing_from_the_list_with_a_month_is_saved(project, group_editor):
    response = list_edit(group_editor, project, status=Status.COMPLETED, completed_on="2024-06")
    assert response.status_code == 302, error_messages(response)
    project.refresh_from_db()
    assert (project.status, project.completed_on) == (Status.COMPLETED, datetime.date(2024, 6, 1))


@pytest.mark.parametrize("edit", [form_edit, list_edit])
def test_marking_completed_without_a_month_is_refused_with_a_sentence(edit, project, group_editor):
    response = edit(group_editor, project, status=Status.COMPLETED, completed_on="")
    assert response.status_code == 200
    assert NEEDS_MONTH in error_messages(response)
    project.refresh_from_db()
    assert project.status == Status.IN_PROGRESS


@pytest.mark.parametrize("edit", [form_edit, list_edit])
def test_a_completion_month_in_the_future_is_refused(edit, project, group_editor):
    response = edit(
        group_editor, project, status=Status.COMPLETED, completed_on=month(1).strftime("%Y-%m")
    )
    assert response.status_code == 200
    assert FUTURE_MONTH in error_messages(response)
    project.refresh_from_db()
    assert (project.status, project.completed_on) == (Status.IN_PROGRESS, None)


def test_this_month_is_accepted_as_the_completion_month(project, group_editor):
    this_month = month(0)
    response = form_edit(
        group_editor, project, status=Status.COMPLETED, completed_on=this_month.strftime("%Y-%m")
    )
    assert response.status_code == 302, error_messages(response)
    project.refresh_from_db()
    assert project.completed_on == this_month


def test_a_start_date_after_the_estimated_completion_is_refused(project, group_editor):
    response = form_edit(group_editor, project, start_date="01/05/2023")
    assert response.status_code == 200
    assert FINISHES_BEFORE_START in error_messages(response)
    project.refresh_from_db()
    assert project.start_date == datetime.date(2022, 6, 1)


def test_an_estimated_completion_before_the_start_is_refused_on_the_list(project, group_editor):
    response = list_edit(group_editor, project, estimated_completion="2022-01")
    assert response.status_code == 200
    assert FINISHES_BEFORE_START in error_messages(response)
    project.refresh_from_db()
    assert project.estimated_completion == datetime.date(2023, 4, 1)


def test_reopening_a_completed_project_clears_its_completion_month(
    project_factory, group_editor, visitor
):
    project = project_factory(status=Status.COMPLETED, completed_on=datetime.date(2024, 6, 1))
    response = form_edit(group_editor, project, status=Status.IN_PROGRESS)
    assert response.status_code == 302, error_messages(response)
    project.refresh_from_db()
    assert project.completed_on is None
    facts = main(visitor.get(project.get_absolute_url())).find("dl", class_="facts").definitions()
    assert "Completed" not in facts


@pytest.fixture
def schedule(project_factory):
    project_factory(title="Late", status=Status.IN_PROGRESS, estimated_completion=month(-2))
    project_factory(
        title="Late draft",
        status=Status.IN_PROGRESS,
        estimated_completion=month(-1),
        published=False,
    )
    project_factory(title="On time", status=Status.IN_PROGRESS, estimated_completion=month(0))
    project_factory(title="Paused", status=Status.PAUSED, estimated_completion=month(-3))


def test_admin_index_counts_overdue_projects_and_links_to_them(schedule, group_editor):
    notice = parse(group_editor.get(reverse("admin:index"))).find("div", class_="overdue-notice")
    assert notice.text == (
        "2 projects are overdue: still in progress after their estimated completion. "
        "Show the overdue projects and update their status or dates."
    )
    assert notice.find("a").attrs["href"] == f"{CHANGELIST}?overdue=yes"


def test_admin_index_shows_no_notice_when_nothing_is_overdue(project_factory, group_editor):
    project_factory(status=Status.IN_PROGRESS, estimated_completion=month(1))
    page = parse(group_editor.get(reverse("admin:index")))
    assert page.find_all("div", class_="overdue-notice") == []


def test_overdue_notice_reads_in_the_singular_for_one_project(project_factory, group_editor):
    project_factory(status=Status.IN_PROGRESS, estimated_completion=month(-1))
    notice = parse(group_editor.get(reverse("admin:index"))).find("div", class_="overdue-notice")
    assert notice.text.startswith("1 project is overdue: still in progress after its estimated")


def test_overdue_link_lists_only_overdue_projects(schedule, group_editor):
    response = group_editor.get(CHANGELIST, {"overdue": "yes"})
    table = parse(response).find("table", id="result_list")
    assert sorted(cell.text for cell in table.find_all("th", class_="field-title")) == [
        "Late",
        "Late draft",
    ]


def test_updating_an_overdue_project_takes_it_off_the_count(schedule, group_editor):
    late = Project.objects.get(title="Late")
    response = list_edit(group_editor, late, estimated_completion=month(2).strftime("%Y-%m"))
    assert response.status_code == 302, error_messages(response)
    notice = parse(group_editor.get(reverse("admin:index"))).find("div", class_="overdue-notice")
    assert notice.text.startswith("1 project is overdue")


def test_list_refusal_keeps_the_editors_values_in_the_row(project, group_editor):
    response = list_edit(group_editor, project, status=Status.COMPLETED, completed_on="")
    data = form_on(response, "changelist-form")
    row = row_prefix(data, project.pk)
    assert data[f"{row}-status"] == Status.COMPLETED
