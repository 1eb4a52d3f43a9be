"""Junk in an admin list's filter parameters (issue 14): every changelist with filters or a
date hierarchy answers a redirect to ?e=1 or the list, never a server error."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.admin.filters import FieldListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.support.pages import parse

JUNK = [
    "junk",
    "",
    "-1",
    "0",
    "1.5",
    "99999999999999999999999999",
    "9" * 400,
    "\x00",
    "1\x00",
    "é✓🙂",
    "<script>alert(1)</script>",
    "true",
    "None",
    "%",
]
# Years Python's dates reach but whose next year or month they do not, and beyond.
JUNK_YEARS = ["9999", "10000", "0", "1", "-2024"]

FILTERED = {
    model._meta.label: model_admin
    for model, model_admin in admin.site._registry.items()
    if model_admin.list_filter or model_admin.date_hierarchy
}


def filter_parameters(model_admin, request) -> list[str]:
    """The query parameters each of the admin's list filters reads, whether or not the list
    shows it (a filter with nothing to choose from is hidden, not disabled)."""
    names = []
    for list_filter in model_admin.get_list_filter(request):
        if isinstance(list_filter, (tuple, list)):
            field_path, filter_class = list_filter
        elif isinstance(list_filter, str):
            field_path, filter_class = list_filter, FieldListFilter.create
        else:
            names += list_filter(request, {}, model_admin.model, model_admin).expected_parameters()
            continue
        field = get_fields_from_path(model_admin.model, field_path)[-1]
        spec = filter_class(
            field, request, {}, model_admin.model, model_admin, field_path=field_path
        )
        names += spec.expected_parameters()
    return names


def date_queries(field: str) -> list[dict[str, str]]:
    year, month, day = (f"{field}__{part}" for part in ("year", "month", "day"))
    return [
        *({year: value} for value in JUNK + JUNK_YEARS),
        *({year: "9999", month: value} for value in ["12", "13", *JUNK]),
        *({year: "2024", month: "2", day: value} for value in ["30", "31", *JUNK]),
        {year: "9999", month: "12", day: "31"},
    ]


@pytest.mark.parametrize("label", sorted(FILTERED))
def test_junk_in_any_filter_parameter_is_never_a_server_error(label, seed, editor):
    model_admin = FILTERED[label]
    opts = model_admin.model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    request = RequestFactory().get(url)
    request.user = get_user_model().objects.get(pk=editor.session["_auth_user_id"])
    queries = [{name: value} for name in filter_parameters(model_admin, request) for value in JUNK]
    if model_admin.date_hierarchy:
        queries += date_queries(model_admin.date_hierarchy)
    assert queries

    failures = []
    for query in queries:
        try:
            response = editor.get(url, query)
        except Exception as error:  # noqa: BLE001 - each failure is listed, not just the first
            failures.append((query, repr(error)[:200]))
            continue
        if response.status_code >= 500:
            failures.append((query, response.status_code))
        elif response.status_code == 302:
            assert response["Location"] == f"{url}?e=1", query
        else:
            assert response.status_code == 200, (query, response.status_code)
    assert not failures, "\n".join(f"{query!r}: {error}" for query, error in failures)


def listed(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    table = parse(response).find("table", id="result_list")
    return [cell.text for cell in table.find("tbody").find_all("th")]


def test_an_unknown_evidence_rating_answers_the_whole_list_not_an_error(
    intervention_factory, editor
):
    intervention_factory(name="Rated", evidence_rating=35)
    url = reverse("admin:catalogue_intervention_changelist")
    response = editor.get(url, {"evidence": "junk"})
    assert (response.status_code, response["Location"]) == (302, f"{url}?e=1")
    assert listed(editor.get(response["Location"])) == ["Rated"]


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ({"status__exact": "completed"}, ["Done"]),
        ({"status__exact": "in-progress", "study_type__exact": "pilot"}, ["Going"]),
        ({"created__year": str(timezone.now().year)}, ["Going", "Done"]),
    ],
)
def test_the_projects_guarded_filters_still_take_their_own_values(
    project_factory, editor, query, titles
):
    project_factory(title="Going", study_type="pilot")
    project_factory(title="Done", status="completed", completed_on=datetime.date(2024, 6, 1))
    response = editor.get(reverse("admin:projects_project_changelist"), query)
    assert sorted(listed(response)) == sorted(titles)


@pytest.mark.parametrize(
    ("query", "usernames"),
    [
        ({"path_info": "/admin/login/"}, ["sam"]),
        ({"attempt_time__year": str(timezone.now().year)}, ["kim", "sam"]),
    ],
)
def test_the_login_records_guarded_filters_still_take_their_own_values(editor, query, usernames):
    for username, path in [("sam", "/admin/login/"), ("kim", "/accounts/login/")]:
        AccessAttempt.objects.create(
            username=username, path_info=path, user_agent="test", failures_since_start=1
        )
    response = editor.get(reverse("admin:axes_accessattempt_changelist"), query)
    assert response.status_code == 200
    cells = parse(response).find("table", id="result_list").find_all("td", "field-username")
    assert sorted(cell.text for cell in cells) == usernames
