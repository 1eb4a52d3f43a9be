"""InterventionQuerySet.page(): the intervention and everything its page shows in one query,
the same records, values and order as the ORM's prefetches give, on either database."""

from decimal import Decimal

import pytest
from django.db.models import Prefetch

from catalogue.models import (
    Finding,
    Intervention,
    OutcomeEvidence,
    ReviewItem,
    Study,
)
from projects.models import Project
from tests.support import factories
from tests.support.records import values


def as_prefetched(slug: str) -> Intervention:
    """The intervention as the ORM's prefetches load it."""
    return (
        Intervention.objects.published()
        .with_studies()
        .prefetch_related(
            Prefetch("outcome_links", queryset=OutcomeEvidence.objects.select_related("tag")),
            Prefetch("projects", queryset=Project.objects.published()),
            Prefetch("review_items", queryset=ReviewItem.objects.published()),
            "external_ratings",
        )
        .get(slug=slug)
    )


@pytest.fixture
def intervention(intervention_factory, child_outcome_factory, project_factory):
    reading = child_outcome_factory(name="School achievement", slug="school", position=2)
    behaviour = child_outcome_factory(name="Behaviour", slug="behaviour", position=1)
    subject = intervention_factory(
        name="Family Check-Up", outcomes=[reading, (behaviour, "Fewer problems at home.")]
    )
    for number in (2, 1):
        study = factories.StudyFactory(intervention=subject, number=number, independent=number == 2)
        factories.FindingFactory(study=study, outcome=reading, effect_size=Decimal("0.30"))
        factories.FindingFactory(study=study, outcome=behaviour, effect_size=Decimal("-0.05"))
    subject.projects.add(
        project_factory(title="Later"),
        project_factory(title="Earlier"),
        project_factory(title="Hidden", published=False),
    )
    ReviewItem.objects.create(name="Family Check-Up", intervention=subject, published=True)
    ReviewItem.objects.create(name="Not public", intervention=subject, published=False)
    factories.ExternalRatingFactory(intervention=subject, area="Behaviour")
    return subject


def test_the_page_query_gives_what_the_prefetches_give(intervention, django_assert_num_queries):
    expected = as_prefetched(intervention.slug)

    with django_assert_num_queries(1):
        page = Intervention.objects.page(intervention.slug, drafts=False)
        studies = list(page.studies.all())
        findings = [list(study.findings.all()) for study in studies]
        outcomes = [finding.outcome for group in findings for finding in group]
        links = list(page.outcome_links.all())
        tags = [link.tag for link in links]
        projects = list(page.projects.all())
        reviews = list(page.review_items.all())
        ratings = list(page.external_ratings.all())

    assert values(page) == values(expected)
    assert [values(s) for s in studies] == [values(s) for s in expected.studies.all()]
    assert [[values(f) for f in group] for group in findings] == [
        [values(f) for f in study.findings.all()] for study in expected.studies.all()
    ]
    assert [values(o) for o in outcomes] == [
        values(f.outcome) for s in expected.studies.all() for f in s.findings.all()
    ]
    assert [values(link) for link in links] == [values(x) for x in expected.outcome_links.all()]
    assert [values(tag) for tag in tags] == [values(x.tag) for x in expected.outcome_links.all()]
    # Project pages' long texts are left out: the page lists projects by title.
    assert [values(p) for p in projects] == [
        {name: value for name, value in values(p).items() if name not in ("body", "body_html")}
        for p in expected.projects.all()
    ]
    assert {"body", "body_html"} <= projects[0].get_deferred_fields()
    assert [values(r) for r in reviews] == [values(r) for r in expected.review_items.all()]
    assert [values(r) for r in ratings] == [values(r) for r in expected.external_ratings.all()]
    # What the page reads from them, in the order it shows them.
    assert [p.title for p in projects] == ["Earlier", "Later"]
    assert [s.number for s in studies] == [1, 2]
    assert [f.outcome.slug for f in findings[0]] == ["behaviour", "school"]
    assert findings[0][1].effect_size == Decimal("0.30")
    assert page.findings_by_outcome() == expected.findings_by_outcome()


def test_the_page_query_finds_no_draft_unless_asked(intervention_factory):
    draft = intervention_factory(published=False)
    with pytest.raises(Intervention.DoesNotExist):
        Intervention.objects.page(draft.slug, drafts=False)
    assert Intervention.objects.page(draft.slug, drafts=True) == draft


def test_an_intervention_without_related_records_has_empty_lists(intervention_factory):
    bare = intervention_factory()
    page = Intervention.objects.page(bare.slug, drafts=False)
    assert list(page.studies.all()) == list(page.projects.all()) == []
    assert values(page) == values(Intervention.objects.get(pk=bare.pk))


def test_each_slug_gets_its_own_intervention(intervention_factory):
    """The query is compiled once, the slug given each time."""
    first, second = intervention_factory(name="First"), intervention_factory(name="Second")
    assert Intervention.objects.page(first.slug, drafts=False) == first
    assert Intervention.objects.page(second.slug, drafts=False) == second
    assert Study.objects.count() == Finding.objects.count() == 0
