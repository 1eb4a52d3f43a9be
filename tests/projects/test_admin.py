"""The admin as editors use it: list edits, filters, search, inlines and history."""

import datetime
import json
import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import Document, Project, Role, Status
from tests.support.factories import PDF_BYTES
from tests.support.pages import main, parse

CHANGELIST = "admin:projects_project_changelist"
DUE_BEFORE_START = "The due date cannot be before the start date."


def listed_titles(response) -> list[str]:
    """Titles in the admin's result table, in the order shown."""
    assert response.status_code == 200
    table = parse(response).find("table", id="result_list")
    return [cell.text for cell in table.find_all("th", class_="field-title")]


def list_edit(project, **changes) -> dict[str, str]:
    """The changelist's own form data for one row, as the list page submits it."""
    row = {
        "status": project.status,
        "estimated_completion": project.estimated_completion.strftime("%Y-%m")
        if project.estimated_completion
        else "",
        "due_date": project.due_date.isoformat() if project.due_date else "",
        "completed_on": project.completed_on.strftime("%Y-%m") if project.completed_on else "",
        "edited_version": str(project.version),
        **changes,
    }
    return {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "form-0-id": str(project.pk),
        **{f"form-0-{name}": value for name, value in row.items()},
        "_save": "Save",
    }


@pytest.mark.parametrize("persona", ["visitor", "outsider"])
def test_admin_is_closed_to_the_public(persona, request):
    response = request.getfixturevalue(persona).get(reverse(CHANGELIST))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_editor_changes_status_and_estimated_completion_from_the_list(
    project_factory, editor, visitor
):
    project = project_factory(
        study_type="feasibility",
        status=Status.IN_PROGRESS,
        estimated_completion=datetime.date(2023, 4, 1),
    )
    response = editor.post(
        reverse(CHANGELIST),
        list_edit(project, status=Status.PAUSED, estimated_completion="2024-09"),
    )
    assert response.status_code == 302

    project.refresh_from_db()
    assert project.status == Status.PAUSED
    assert project.estimated_completion == datetime.date(2024, 9, 1)
    facts = main(visitor.get(project.get_absolute_url())).find("dl", class_="facts").definitions()
    assert facts["Status"] == "Feasibility study / Paused"
    assert facts["Estimated completion"] == "September 2024"


def test_editor_changes_the_due_date_from_the_list(project_factory, editor, visitor):
    project = project_factory(start_date=datetime.date(2022, 6, 1), due_date=None)
    response = editor.post(reverse(CHANGELIST), list_edit(project, due_date="2025-03-31"))
    assert response.status_code == 302
    page = main(visitor.get(project.get_absolute_url()))
    assert page.section("Due date").find("p").text == (
        "This project is due to be completed by March 2025."
    )


def test_list_edit_is_recorded_in_the_history_with_the_editor(project_factory, editor):
    project = project_factory()
    editor.post(reverse(CHANGELIST), list_edit(project, status=Status.PAUSED))
    entry = LogEntry.objects.get(object_id=str(project.pk), action_flag=CHANGE)
    assert entry.user.is_staff
    assert "Status" in entry.get_change_message()


def test_list_edit_of_a_due_date_before_the_start_is_refused_with_a_message(
    project_factory, editor
):
    project = project_factory(
        start_date=datetime.date(2023, 5, 1),
        estimated_completion=datetime.date(2024, 1, 1),
        due_date=datetime.date(2024, 2, 29),
    )
    response = editor.post(reverse(CHANGELIST), list_edit(project, due_date="2023-04-30"))
    assert response.status_code == 200
    assert DUE_BEFORE_START in parse(response).find("table", id="result_list").text
    project.refresh_from_db()
    assert project.due_date == datetime.date(2024, 2, 29)


def test_list_edit_of_a_month_that_is_not_one_is_refused_with_a_message(project_factory, editor):
    project = project_factory(estimated_completion=datetime.date(2023, 4, 1))
    response = editor.post(reverse(CHANGELIST), list_edit(project, estimated_completion="soon"))
    assert response.status_code == 200
    assert "Enter a month and year, such as 2023-04 or April 2023." in response.content.decode()
    project.refresh_from_db()
    assert project.estimated_completion == datetime.date(2023, 4, 1)


def test_estimated_completion_accepts_a_month_name(project_factory, editor):
    project = project_factory()
    editor.post(reverse(CHANGELIST), list_edit(project, estimated_completion="April 2026"))
    project.refresh_from_db()
    assert project.estimated_completion == datetime.date(2026, 4, 1)


def test_changelist_shows_the_columns_editors_need(project_factory, editor):
    project_factory(title="Restart feasibility")
    table = parse(editor.get(reverse(CHANGELIST))).find("table", id="result_list")
    headers = [header.text for header in table.find("thead").find_all("th")]
    for column in [
        "Title",
        "Study type",
        "Status",
        "Estimated completion",
        "Due date",
        "Overdue",
        "Published",
    ]:
        assert column in headers


def first_of_month(months_ago: int) -> datetime.date:
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - months_ago
    return datetime.date(index // 12, index % 12 + 1, 1)


def test_overdue_filter_shows_only_overdue_projects(project_factory, editor):
    project_factory(title="Late", status=Status.IN_PROGRESS, estimated_completion=first_of_month(2))
    project_factory(
        title="Late draft",
        status=Status.IN_PROGRESS,
        estimated_completion=first_of_month(1),
        published=False,
    )
    project_factory(
        title="On time", status=Status.IN_PROGRESS, estimated_completion=first_of_month(-2)
    )
    project_factory(title="Done", status=Status.COMPLETED, estimated_completion=first_of_month(2))
    overdue = listed_titles(editor.get(reverse(CHANGELIST), {"overdue": "yes"}))
    assert sorted(overdue) == ["Late", "Late draft"]
    not_overdue = listed_titles(editor.get(reverse(CHANGELIST), {"overdue": "no"}))
    assert sorted(not_overdue) == ["Done", "On time"]


def test_search_finds_projects_by_partner_name_once_each(
    project_factory, organisation_factory, editor
):
    project_factory(
        title="Perpetrators re-engaging",
        delivery_partners=[organisation_factory(name="University of Greenwich")],
        evaluation_partners=[organisation_factory(name="Greenwich Council")],
    )
    project_factory(title="Advocacy", delivery_partners=[organisation_factory(name="Refuge")])
    assert listed_titles(editor.get(reverse(CHANGELIST), {"q": "Greenwich"})) == [
        "Perpetrators re-engaging"
    ]
    assert listed_titles(editor.get(reverse(CHANGELIST), {"q": "refuge"})) == ["Advocacy"]


def test_search_finds_projects_by_title(project_factory, editor):
    project_factory(title="Kinship care review")
    project_factory(title="Advocacy")
    assert listed_titles(editor.get(reverse(CHANGELIST), {"q": "kinship"})) == [
        "Kinship care review"
    ]


def test_partner_filter_shows_that_partners_projects(project_factory, organisation_factory, editor):
    refuge = organisation_factory(name="Refuge")
    project_factory(title="Advocacy", evaluation_partners=[refuge])
    # Django hides a filter with a single choice, so a second partner makes it a real choice.
    project_factory(title="Other", delivery_partners=[organisation_factory(name="Barnardo's")])
    response = editor.get(reverse(CHANGELIST), {"partnerships__organisation__id__exact": refuge.pk})
    assert listed_titles(response) == ["Advocacy"]


def test_status_filter_shows_projects_with_that_status(project_factory, editor):
    project_factory(title="Finished", status=Status.COMPLETED)
    project_factory(title="Running", status=Status.IN_PROGRESS)
    assert listed_titles(editor.get(reverse(CHANGELIST), {"status__exact": "completed"})) == [
        "Finished"
    ]


def test_add_form_creates_a_project_with_its_inlines(
    organisation_factory, topic_factory, editor, visitor
):
    greenwich = organisation_factory(name="University of Greenwich")
    topic = topic_factory(name="Domestic abuse")
    data = {
        "title": "Perpetrators re-engaging with families",
        "slug": "perpetrators-re-engaging-with-families",
        "summary": "Which factors matter when perpetrators re-engage with their families.",
        "body": "The study runs focus groups.",
        "published": "on",
        "study_type": "qualitative",
        "status": "in-progress",
        "start_date": "01/03/2023",
        "estimated_completion": "2024-01",
        "due_date": "29/02/2024",
        "partnerships-TOTAL_FORMS": "2",
        "partnerships-INITIAL_FORMS": "0",
        "partnerships-0-organisation": str(greenwich.pk),
        "partnerships-0-role": Role.DELIVERY,
        "partnerships-1-organisation": str(greenwich.pk),
        "partnerships-1-role": Role.EVALUATION,
        "research_questions-TOTAL_FORMS": "2",
        "research_questions-INITIAL_FORMS": "0",
        "research_questions-0-position": "2",
        "research_questions-0-text": "What are the risks?",
        "research_questions-1-position": "1",
        "research_questions-1-text": "Which factors are relevant?",
        "documents-TOTAL_FORMS": "1",
        "documents-INITIAL_FORMS": "0",
        "documents-0-title": "Research protocol",
        "documents-0-kind": "protocol",
        "documents-0-file": SimpleUploadedFile("protocol.pdf", PDF_BYTES, "application/pdf"),
        "tagged_topics-TOTAL_FORMS": "1",
        "tagged_topics-INITIAL_FORMS": "0",
        "tagged_topics-0-tag": str(topic.pk),
        "_save": "Save",
    }
    response = editor.post(reverse("admin:projects_project_add"), data)
    assert response.status_code == 302, parse(response).find("form", id="project_form").text

    project = Project.objects.get(slug="perpetrators-re-engaging-with-families")
    assert project.estimated_completion == datetime.date(2024, 1, 1)
    assert list(project.research_questions.values_list("text", flat=True)) == [
        "Which factors are relevant?",
        "What are the risks?",
    ]
    assert sorted(project.partnerships.values_list("role", flat=True)) == ["delivery", "evaluation"]
    assert list(project.topics.names()) == ["Domestic abuse"]
    document = Document.objects.get(project=project)
    assert document.size == len(PDF_BYTES)
    # The stored name is made safe and unique: the project's folder, the name, a random suffix.
    assert re.fullmatch(
        r"documents/perpetrators-re-engaging-with-families/protocol-[0-9a-f]{8}\.pdf",
        document.file.name,
    )

    page = main(visitor.get(project.get_absolute_url()))
    assert page.section("Evaluation partners").items() == ["University of Greenwich"]
    assert page.section("Research questions").find("ol").items() == [
        "Which factors are relevant?",
        "What are the risks?",
    ]
    assert page.section("Documents").find("a").text == "Research protocol"


def test_add_form_fills_the_slug_from_the_title(editor, db):
    page = parse(editor.get(reverse("admin:projects_project_add")))
    script = page.find("script", id="django-admin-prepopulated-fields-constants")
    prepopulated = json.loads(script.attrs["data-prepopulated-fields"])
    assert {(field["name"], tuple(field["dependency_list"])) for field in prepopulated} == {
        ("slug", ("title",))
    }


def test_partners_and_topics_are_chosen_with_autocomplete(editor, db):
    page = parse(editor.get(reverse("admin:projects_project_add")))
    for name in ["partnerships-0-organisation", "tagged_topics-0-tag", "related_projects"]:
        assert page.find("select", name=name).has_class("admin-autocomplete")


@pytest.mark.parametrize(
    "url_name",
    [CHANGELIST, "admin:projects_organisation_changelist", "admin:projects_topic_changelist"],
)
def test_admin_list_pages_make_no_query_per_row(
    url_name, project_factory, organisation_factory, editor
):
    def make(count: int) -> None:
        for _ in range(count):
            project_factory(
                topics=[f"Topic {Project.objects.count()}"],
                delivery_partners=[organisation_factory()],
                evaluation_partners=[organisation_factory()],
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            response = editor.get(reverse(url_name))
        assert response.status_code == 200
        return len(context.captured_queries)

    make(3)
    few = queries()
    make(57)
    assert Project.objects.count() == 60
    assert queries() == few == (8 if url_name == CHANGELIST else 5)


def test_project_changelist_with_filters_makes_no_query_per_row(
    project_factory, organisation_factory, editor
):
    refuge = organisation_factory(name="Refuge")
    project_factory(title="Other", delivery_partners=[organisation_factory(name="Barnardo's")])
    query = {
        "overdue": "yes",
        "status__exact": "in-progress",
        "q": "Refuge",
        "partnerships__organisation__id__exact": refuge.pk,
    }

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as context:
            response = editor.get(reverse(CHANGELIST), query)
        return len(listed_titles(response)), len(context.captured_queries)

    for _ in range(3):
        project_factory(delivery_partners=[refuge], topics=["Domestic abuse"])
    rows, few = queries()
    assert rows == 3
    for _ in range(57):
        project_factory(delivery_partners=[refuge], topics=["Domestic abuse"])
    rows, many = queries()
    assert rows == 60
    assert many == few == 8
