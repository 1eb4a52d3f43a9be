"""An editor's save that the database refuses half-way, after the project itself has been
written but while its inlines are being saved, leaves the earlier version whole."""

import pytest
from django.db import connection
from django.urls import reverse

from projects.models import Status
from tests.support.admin_pages import open_form

FAILING_TEXT = "The database fails on this question"


@pytest.fixture
def database_refuses_a_question(db):
    """A real database error, raised by a trigger when that research question is written."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_question() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN IF NEW.text = '{FAILING_TEXT}' THEN RAISE EXCEPTION 'refused'; END IF; "
                "RETURN NEW; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_question BEFORE INSERT ON projects_researchquestion "
                "FOR EACH ROW EXECUTE FUNCTION refuse_question()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER refuse_question BEFORE INSERT ON projects_researchquestion "
                f"WHEN NEW.text = '{FAILING_TEXT}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )


def test_a_save_that_fails_half_way_leaves_the_earlier_version_whole(
    project_factory, research_question_factory, editor, database_refuses_a_question
):
    project = project_factory(title="The earlier title", status=Status.IN_PROGRESS)
    research_question_factory(project=project, text="The earlier question", position=1)
    history_before = project.history.count()
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = open_form(editor, url, "project_form")
    data.update(
        {
            "title": "A title that must not be kept",
            "status": Status.PAUSED,
            "research_questions-TOTAL_FORMS": "2",
            "research_questions-1-text": FAILING_TEXT,
            "research_questions-1-position": "2",
            "_save": "Save",
        }
    )
    editor.raise_request_exception = False
    response = editor.post(url, data)
    assert response.status_code == 500

    project.refresh_from_db()
    assert project.title == "The earlier title"
    assert project.status == Status.IN_PROGRESS
    assert list(project.research_questions.values_list("text", flat=True)) == [
        "The earlier question"
    ]
    assert project.history.count() == history_before
    # The editor can open the project again and find it as it was.
    assert open_form(editor, url, "project_form")["title"] == "The earlier title"
