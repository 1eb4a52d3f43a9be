"""Overdue: still in progress after the month its completion was estimated for."""

import datetime

import pytest
from django.utils import timezone

from projects.models import Project, Status


def month(offset: int) -> datetime.date:
    """The first day of the month offset months from this one."""
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 + offset
    return datetime.date(index // 12, index % 12 + 1, 1)


@pytest.fixture
def projects(project_factory):
    make = project_factory
    return {
        "last month": make(
            title="Last month", status=Status.IN_PROGRESS, estimated_completion=month(-1)
        ),
        "last year": make(
            title="Last year", status=Status.IN_PROGRESS, estimated_completion=month(-13)
        ),
        "draft last month": make(
            title="Draft",
            status=Status.IN_PROGRESS,
            estimated_completion=month(-1),
            published=False,
        ),
        "this month": make(
            title="This month", status=Status.IN_PROGRESS, estimated_completion=month(0)
        ),
        "next month": make(
            title="Next month", status=Status.IN_PROGRESS, estimated_completion=month(1)
        ),
        "completed": make(
            title="Completed", status=Status.COMPLETED, estimated_completion=month(-2)
        ),
        "paused": make(title="Paused", status=Status.PAUSED, estimated_completion=month(-2)),
        "planned": make(title="Planned", status=Status.PLANNED, estimated_completion=month(-2)),
        "no estimate": make(
            title="No estimate",
            status=Status.IN_PROGRESS,
            start_date=None,
            estimated_completion=None,
        ),
    }


def test_overdue_holds_in_progress_projects_whose_completion_month_has_passed(projects):
    assert sorted(Project.objects.overdue().values_list("title", flat=True)) == [
        "Draft",
        "Last month",
        "Last year",
    ]


@pytest.mark.parametrize(
    "name", ["this month", "next month", "completed", "paused", "planned", "no estimate"]
)
def test_overdue_leaves_out_projects_not_yet_late_or_no_longer_running(projects, name):
    assert not Project.objects.overdue().filter(pk=projects[name].pk).exists()


def test_with_overdue_marks_each_project(projects):
    marked = dict(Project.objects.with_overdue().values_list("title", "is_overdue"))
    assert marked["Last month"] is True
    assert marked["This month"] is False
    assert marked["Completed"] is False
    # Not unknown: the admin shows a plain "no" for a project without an estimate.
    assert marked["No estimate"] is False


def test_finishing_an_overdue_project_takes_it_off_the_list(projects):
    late = projects["last month"]
    late.status = Status.COMPLETED
    late.completed_on = datetime.date.today().replace(day=1)
    late.save()
    assert not Project.objects.overdue().filter(pk=late.pk).exists()
