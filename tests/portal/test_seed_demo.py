"""seed_demo: generated demo records at scale, by bulk writes, never touching the seed."""

import io
from urllib.parse import urlencode

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from catalogue.filters import LIST_FILTERS, YES_FILTERS, GuidebookFilter
from catalogue.models import (
    Finding,
    Intervention,
    OutcomeEvidence,
    Study,
    StudyDesign,
    StudyLevel,
)
from projects.models import Organisation, Partnership, Project, ResearchQuestion, TaggedProject
from ratings.scales import EvidenceRating


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
    written = (
        Intervention.objects.count()
        + OutcomeEvidence.objects.count()
        + Study.objects.count()
        + Finding.objects.count()
    )
    # SQLite takes at most 999 values a statement, so a batch of studies is a few.
    assert len(queries.captured_queries) < written / 20


def test_without_the_seed_it_says_to_load_it_first(db):
    with pytest.raises(CommandError, match="load_seed"):
        seed_demo("--interventions", "5")
    assert not Intervention.objects.exists()


def test_negative_numbers_are_refused(seed):
    with pytest.raises(CommandError, match="cannot be negative"):
        seed_demo("--projects", "-1")


def test_demo_studies_bear_out_each_rating_and_give_every_filter_something(seed):
    seed_demo("--projects", "0", "--interventions", "300")
    demo = Intervention.objects.filter(slug__startswith="demo-")
    published = demo.published()
    # The evidence columns seed_demo sets are the ones the studies give.
    assert demo.refresh_evidence() == 0
    for intervention in demo.filter(evidence_rating__gte=EvidenceRating.LEVEL_2):
        assert intervention.publish_problem() is None, intervention.slug
        counting = list(intervention.studies.counting().prefetch_related("findings"))
        long_term_level_4 = [
            study
            for study in counting
            if study.level == StudyLevel.LEVEL_4
            and any(
                finding.long_term and finding.direction == "favourable"
                for finding in study.findings.all()
            )
        ]
        if intervention.evidence_rating >= EvidenceRating.LEVEL_4:
            assert len(long_term_level_4) >= 2, intervention.slug
        if intervention.evidence_rating == EvidenceRating.LEVEL_4_PLUS:
            assert len(counting) >= 3 and any(study.independent for study in counting)
        if intervention.evidence_rating == EvidenceRating.LEVEL_3_PLUS:
            assert sum(study.level >= StudyLevel.LEVEL_2 for study in counting) >= 2
    # An editor opening any published demo record meets no warning and no refusal.
    for intervention in published:
        assert intervention.rating_warnings() == [], intervention.slug
        assert intervention.publish_problem() is None, intervention.slug
    # The 4+, 4, 3+ rules above had records to try.
    assert {
        EvidenceRating.LEVEL_3_PLUS,
        EvidenceRating.LEVEL_4,
        EvidenceRating.LEVEL_4_PLUS,
    } <= set(published.values_list("evidence_rating", flat=True))
    # Each study's findings are on the intervention's own outcomes.
    assert (
        not Finding.objects.filter(study__intervention__in=demo)
        .exclude(outcome__intervention_links__content_object=F("study__intervention"))
        .exists()
    )
    assert published.filter(study_count=10).exists()
    for flag in ("long_term_finding", "ethnicity_reported", "uk_tested", "uk_available"):
        assert published.filter(**{flag: False}).exists(), flag


def guidebook_finds(published, **query) -> int:
    """How many of the published records the guidebook's filters give for the query."""
    return GuidebookFilter(QueryDict(urlencode(query, doseq=True)), queryset=published).qs.count()


# Every rating, NL2 and NE too, which the guidebook lists only when asked.
EVERY_RATING = ["2", "2+", "3", "3+", "4", "4+", "nl2", "ne"]


def test_every_filter_of_the_guidebook_finds_published_demo_records(seed):
    seed_demo("--projects", "0", "--interventions", "300")
    published = Intervention.objects.filter(slug__startswith="demo-").published()
    everything = guidebook_finds(published)
    for name in ("age", "need", "model", "setting"):
        for code in LIST_FILTERS[name][1].values:
            assert 0 < guidebook_finds(published, **{name: code}) < everything, f"{name}={code}"
    for name in YES_FILTERS:
        assert 0 < guidebook_finds(published, **{name: "yes"}) < everything, name
    # Only an NL2 programme rests on a study of another design, which reaches below level 2.
    for code in StudyDesign.values:
        assert guidebook_finds(published, design=code, evidence=EVERY_RATING), f"design={code}"
