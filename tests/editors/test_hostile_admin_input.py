"""The admin's forms, given generated malformed values, answer with form errors (or save
a valid record), never a server error."""

import pytest
from django.urls import reverse
from hypothesis import given, settings, strategies

from tests.core.test_hostile_input import FUZZ, VALUES
from tests.support.admin_pages import error_messages

PROJECT_FIELDS = [
    "title", "slug", "summary", "body", "study_type", "status", "start_date",
    "estimated_completion", "due_date", "completed_on", "published", "topics", "interventions",
]  # fmt: skip
INTERVENTION_FIELDS = [
    "name", "slug", "summary", "description", "provider", "website", "published",
    "edited_version", "evidence_rating", "mixed_findings", "cost_rating", "last_reviewed",
    "age_groups", "level_of_need", "delivery_model", "setting", "workforce", "country",
    "uk_available", "uk_tested",
]  # fmt: skip
# Fewer examples than for public pages: each one saves, or shows, a whole admin form.
ADMIN_FUZZ = settings(FUZZ, max_examples=100)
PROJECT_INLINES = ["partnerships", "research_questions", "documents", "tagged_topics"]
INTERVENTION_INLINES = ["outcome_links"]


def management_forms(prefixes: list[str], rows: int) -> dict[str, str]:
    data = {}
    for prefix in prefixes:
        data |= {f"{prefix}-TOTAL_FORMS": str(rows), f"{prefix}-INITIAL_FORMS": "0"}
    return data


def form_values(fields: list[str], prefixes: list[str]):
    """Generated values for the form's fields and its inlines' first row."""
    inline_fields = [f"{prefix}-0-{name}" for prefix in prefixes for name in ("text", "tag", "role", "organisation", "impact", "position", "title", "kind")]  # fmt: skip
    return strategies.dictionaries(
        strategies.sampled_from(fields + inline_fields), VALUES, max_size=len(fields)
    )


def assert_answered_with_a_form(response) -> None:
    assert response.status_code in (200, 302), response.content[:500]
    if response.status_code == 200:
        assert b"errornote" in response.content or b"errorlist" in response.content


@pytest.fixture
def add_project(editor):
    return lambda data: editor.post(reverse("admin:projects_project_add"), data)


@pytest.fixture
def add_intervention(editor):
    return lambda data: editor.post(reverse("admin:catalogue_intervention_add"), data)


@ADMIN_FUZZ
@given(values=form_values(PROJECT_FIELDS, PROJECT_INLINES), rows=strategies.integers(0, 1))
def test_malformed_project_forms_get_form_errors(add_project, values, rows):
    data = {**management_forms(PROJECT_INLINES, rows), **values, "_save": "Save"}
    assert_answered_with_a_form(add_project(data))


@ADMIN_FUZZ
@given(
    values=form_values(INTERVENTION_FIELDS, INTERVENTION_INLINES),
    rows=strategies.integers(0, 1),
)
def test_malformed_intervention_forms_get_form_errors(add_intervention, values, rows):
    data = {**management_forms(INTERVENTION_INLINES, rows), **values, "_save": "Save"}
    assert_answered_with_a_form(add_intervention(data))


def test_a_form_without_its_inline_management_data_is_refused_with_a_message(add_project):
    response = add_project({"title": "No management form", "_save": "Save"})
    assert_answered_with_a_form(response)


@pytest.mark.parametrize("value", ["<b>not-an-id</b>", "99999999999999999999999999", "-1"])
@pytest.mark.parametrize(
    "field",
    ["interventions", "related_projects", "partnerships-0-organisation", "tagged_topics-0-tag"],
)
def test_a_value_that_is_not_an_id_in_an_autocomplete_field_is_a_form_error(
    add_project, field, value
):
    rows = 1 if "-0-" in field else 0
    data = {**management_forms(PROJECT_INLINES, rows), "title": "Typed", field: value}
    response = add_project({**data, "_save": "Save"})
    assert response.status_code == 200
    assert any("valid" in message for message in error_messages(response))
