"""The change log folded into a record's page query (editors.changes.with_change_log): the
same changes and corrections, newest first, as reading the record's history gives, on
either database, and no more history rows than the log ever reads."""

import datetime

import pytest

from catalogue.models import Intervention
from core.folding import folded
from editors.changes import HISTORY_LIMIT
from feedback.models import ReaderReport, State
from projects.models import Project, Status


def corrected(day: datetime.date, state: str = State.DONE, **record) -> ReaderReport:
    return ReaderReport.objects.create(
        wrong="A rating is wrong.", page="/", state=state, corrected_on=day, **record
    )


def logged(changes) -> list[tuple]:
    return [(change.date, change.sentence) for change in changes]


@pytest.mark.django_db
def test_an_interventions_folded_change_log_is_the_one_its_history_gives(
    intervention_factory, django_assert_num_queries
):
    intervention = intervention_factory(name="Family Check-Up", evidence_rating=20, cost_rating=3)
    for evidence, cost in ((30, 3), (30, 2), (45, 2)):
        intervention.evidence_rating, intervention.cost_rating = evidence, cost
        intervention.save()
    intervention.summary = "Not a rating: not in the log."
    intervention.save()
    # Two reports corrected on one day are one line; one not yet done is none.
    corrected(datetime.date(2026, 11, 2), corrected_intervention=intervention)
    corrected(datetime.date(2026, 11, 2), corrected_intervention=intervention)
    corrected(datetime.date(2026, 10, 5), corrected_intervention=intervention)
    corrected(datetime.date(2026, 9, 1), State.IN_PROGRESS, corrected_intervention=intervention)
    expected = Intervention.objects.get(pk=intervention.pk).change_log()

    page = Intervention.objects.page(intervention.slug, drafts=False)
    with django_assert_num_queries(0):
        folded = page.change_log()

    assert logged(folded) == logged(expected)
    assert [change.sentence for change in folded] == [
        "Evidence rating changed from 3 to 4+",
        "Cost rating changed from 3 to 2",
        "Evidence rating changed from 2 to 3",
        "Corrected after a reader's report",
        "Corrected after a reader's report",
    ]
    assert [change.date for change in folded][-2:] == [
        datetime.date(2026, 11, 2),
        datetime.date(2026, 10, 5),
    ]


@pytest.mark.django_db
def test_a_projects_folded_change_log_is_the_one_its_history_gives(
    project_factory, django_assert_num_queries
):
    project = project_factory(status=Status.IN_PROGRESS, estimated_completion=None)
    project.status = Status.PAUSED
    project.save()
    project.estimated_completion = datetime.date(2027, 4, 1)
    project.save()
    corrected(datetime.date(2026, 11, 20), corrected_project=project)
    expected = Project.objects.get(pk=project.pk).schedule_changes()

    page = Project.objects.page(project.slug, drafts=False)
    with django_assert_num_queries(0):
        folded = page.schedule_changes()

    assert logged(folded) == logged(expected)
    assert [change.sentence for change in folded] == [
        "Estimated completion set to April 2027",
        "Status changed from In progress to Paused",
        "Corrected after a reader's report",
    ]


@pytest.mark.django_db
def test_the_folded_history_stops_at_the_rows_the_log_reads(intervention_factory):
    intervention = intervention_factory(evidence_rating=20)
    history = Intervention.history.model
    first = intervention.history.get()
    # Older rows than the latest HISTORY_LIMIT, one of them a change the log never reads.
    older = []
    for days in range(HISTORY_LIMIT + 5, 0, -1):
        row = history.objects.get(pk=first.pk)
        row.pk, row.history_date = None, first.history_date - datetime.timedelta(days=days)
        row.evidence_rating = 30 if days == HISTORY_LIMIT + 5 else 20
        older.append(row)
    history.objects.bulk_create(older)
    intervention.evidence_rating = 40
    intervention.save()

    page = Intervention.objects.page(intervention.slug, drafts=False)
    assert len(folded(page.folded_history)) == HISTORY_LIMIT
    expected = Intervention.objects.get(pk=intervention.pk).change_log()
    assert logged(page.change_log()) == logged(expected)
    assert [change.sentence for change in page.change_log()] == [
        "Evidence rating changed from 2 to 4"
    ]
