"""seed_demo: generated demo records at scale, by bulk writes, never touching the seed."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.models import Intervention, OutcomeEvidence
from projects.models import Organisation, Partnership, Project, ResearchQuestion, TaggedProject


def seed_demo(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_seed_demo_adds_the_records_asked_for_with_everything_a_page_shows(seed):
    output = seed_demo("--projects", "30", "--interventions", "120")
    demo_projects = Project.objects.filter(slug__startswith="demo-")
    demo_interventions = Intervention.objects.filter(slug__startswith="demo-")
    assert demo_projects.count() == 30
    assert demo_interventions.count() == 120
    assert (
        OutcomeEvidence.objects.filter(content_object__in=demo_interventions)
        .exclude(impact="")
        .count()
        >= 120
    )
    assert Partnership.objects.filter(project__in=demo_projects).count() >= 30
    assert ResearchQuestion.objects.filter(project__in=demo_projects).count() >= 60
    assert TaggedProject.objects.filter(content_object__in=demo_projects).count() >= 30
    assert demo_projects.exclude(body_html="").count() == 30
    assert "Added 120 interventions and 30 projects" in output
    assert "Interventions  [" in output and "30/30" in output


def test_seed_demo_never_touches_the_seed_content(seed):
    before = {project.slug: (project.title, project.version) for project in Project.objects.all()}
    seed_demo("--projects", "10", "--interventions", "10")
    seed_demo("--clear", "--projects", "5", "--interventions", "5")
    after = {
        project.slug: (project.title, project.version)
        for project in Project.objects.exclude(slug__startswith="demo-")
    }
    assert after == before
    assert Project.objects.filter(slug__startswith="demo-").count() == 5
    assert Organisation.objects.filter(slug="university-of-greenwich").exists()


def test_runs_add_to_each_other_without_clashing(seed):
    seed_demo("--projects", "5", "--interventions", "5")
    seed_demo("--projects", "5", "--interventions", "5")
    assert Intervention.objects.filter(slug__startswith="demo-").count() == 10
    assert Project.objects.filter(slug__startswith="demo-").count() == 10


@pytest.mark.parametrize("size", [100, 1000])
def test_seed_demo_writes_in_bulk(seed, size):
    """The number of statements grows with the batches, not with the rows."""
    with CaptureQueriesContext(connection) as queries:
        seed_demo("--projects", str(size // 10), "--interventions", str(size))
    assert len(queries.captured_queries) < 60


def test_without_the_seed_it_says_to_load_it_first(db):
    with pytest.raises(CommandError, match="load_seed"):
        seed_demo("--interventions", "5")
    assert not Intervention.objects.exists()


def test_negative_numbers_are_refused(seed):
    with pytest.raises(CommandError, match="cannot be negative"):
        seed_demo("--projects", "-1")
