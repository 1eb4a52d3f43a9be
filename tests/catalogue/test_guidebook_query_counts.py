"""The guidebook's pages make the same number of queries for 5 interventions as for 200, with
filters on: no query per row."""

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import ExternalRating, Intervention, OutcomeEvidence
from core.cache import bump_content_version
from projects.models import Project
from ratings.crosswalk import Clearinghouse
from tests.support.factories import ExternalRatingFactory, InterventionFactory, ProjectFactory
from tests.support.guidebook import guidebook_url

FEW, MANY = 5, 200


def count_queries(client, url: str) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        content = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, url
    return len(context.captured_queries), content


def assert_same_queries_for_few_and_many(
    client,
    add: Callable[[int], None],
    url: Callable[[], str],
    *,
    marker: bytes,
    queries: int,
    shown: int = 20,
    total: int = MANY,
) -> None:
    """Add 5 rows and count the page's queries, add more up to total (200 unless told)
    and count again: the same number, which is `queries`."""
    add(FEW)
    few, content = count_queries(client, url())
    assert content.count(marker) >= FEW
    add(total - FEW)
    many, content = count_queries(client, url())
    assert content.count(marker) >= min(shown, total)
    assert many == few, f"{few} queries for {FEW} rows but {many} for {total}"
    assert few == queries, f"COUNT={few}"


def bulk_interventions(
    count: int, outcomes: list, evidence_rating: int | None = None
) -> list[Intervention]:
    """Make count interventions, each with every outcome given, in a few queries."""
    start = Intervention.objects.count()
    interventions = Intervention.objects.bulk_create(
        [
            InterventionFactory.build(
                name=f"Programme {start + number:04d}",
                slug=f"programme-{start + number:04d}",
                evidence_rating=evidence_rating or (30, 40)[number % 2],
                cost_rating=(1, 2)[number % 2],
                # The star goes only with a level: 2 to 4+.
                mixed_findings=evidence_rating is None and number % 3 == 0,
            )
            for number in range(count)
        ]
    )
    OutcomeEvidence.objects.bulk_create(
        [
            OutcomeEvidence(content_object=intervention, tag=outcome, impact="Improved.")
            for intervention in interventions
            for outcome in outcomes
        ]
    )
    # Two other clearinghouses' ratings each, in two tiers: every card notes the difference.
    ExternalRating.objects.bulk_create(
        [
            ExternalRatingFactory.build(
                intervention=intervention, clearinghouse=house, rating=rating
            )
            for intervention in interventions
            for house, rating in [
                (Clearinghouse.CEBC, "Well-Supported by Research Evidence"),
                (Clearinghouse.WWC, "No discernible effects"),
            ]
        ]
    )
    # Bulk writes send no signals: say the content changed, as the product's bulk writes do.
    bump_content_version()
    return interventions


@pytest.fixture
def outcomes(child_outcome_factory) -> list:
    return [child_outcome_factory(name=name) for name in ["School", "Crime", "Wellbeing"]]


GUIDEBOOK_FILTERS = (
    "evidence=3&evidence=4&min_evidence=3&mixed=include&cost=1&cost=2&max_cost=4"
    "&outcome=school&outcome=crime&q=programme&sort=-evidence&rated_by=cebc&rated_by=eef"
)


@pytest.mark.parametrize("query", ["", GUIDEBOOK_FILTERS, GUIDEBOOK_FILTERS + "&page=1"])
def test_guidebook(outcomes, visitor, query):
    # The page's cards in one query, their outcomes and other clearinghouses' ratings (for
    # the "Rated differently" note) folded in (InterventionQuerySet.cards); the outcomes a
    # filter may name from the data cache (ChildOutcomeQuerySet.listed).
    assert_same_queries_for_few_and_many(
        visitor,
        lambda count: bulk_interventions(count, outcomes),
        lambda: guidebook_url(query),
        queries=6,
        marker=b"Rated differently by another clearinghouse",
    )


# Every filter of docs/guidebook-query.md at once, the new ones on characteristics and studies too.
EVERY_FILTER = (
    GUIDEBOOK_FILTERS + "&age=3-5&age=6-11&need=targeted-selected&model=group&setting=home"
    "&setting=school&design=rct&independent=yes&long_term=yes&ethnicity_reported=yes"
    "&uk_tested=yes&uk_available=yes"
)


def characterised_interventions(count: int, outcomes: list) -> None:
    """Interventions as bulk_interventions makes them, that every filter of EVERY_FILTER keeps."""
    interventions = bulk_interventions(count, outcomes)
    Intervention.objects.filter(pk__in=[intervention.pk for intervention in interventions]).update(
        age_groups=["3-5"],
        level_of_need=["targeted-selected"],
        delivery_model=["group", "online"],
        setting=["home"],
        counting_designs=["rct"],
        counting_study_count=1,
        independent_study_count=1,
        long_term_finding=True,
        ethnicity_reported=True,
        uk_tested=True,
        uk_available=True,
    )
    bump_content_version()


def test_guidebook_with_every_filter_from_5_to_500_interventions(outcomes, visitor):
    """Two queries count every option of every filter, however many rows and filters."""
    assert_same_queries_for_few_and_many(
        visitor,
        lambda count: characterised_interventions(count, outcomes),
        lambda: guidebook_url(EVERY_FILTER),
        queries=6,
        marker=b"Rated differently by another clearinghouse",
        total=500,
    )


def test_guidebook_csv_export(outcomes, visitor):
    assert_same_queries_for_few_and_many(
        visitor,
        lambda count: bulk_interventions(count, outcomes),
        lambda: guidebook_url(GUIDEBOOK_FILTERS + "&format=csv"),
        queries=3,
        marker=b"school;crime;wellbeing",
        shown=MANY,
    )


def test_intervention_page(child_outcome_factory, intervention_factory, visitor):
    intervention = intervention_factory(name="Subject")

    def add(count: int) -> None:
        for _ in range(count):
            OutcomeEvidence.objects.create(
                content_object=intervention, tag=child_outcome_factory(), impact="Improved."
            )
        projects = Project.objects.bulk_create(ProjectFactory.build_batch(count))
        intervention.projects.add(*projects)
        start = intervention.external_ratings.count()
        ExternalRating.objects.bulk_create(
            [
                ExternalRatingFactory.build(intervention=intervention, area=f"Area {start + n}")
                for n in range(count)
            ]
        )

    # The intervention with its studies, findings, outcomes, projects, reviews, other
    # clearinghouses' ratings and its change log's history and corrections
    # (InterventionQuerySet.page); the ratings' definitions and the demo banner's check,
    # each kept in the data cache after the first page.
    assert_same_queries_for_few_and_many(
        visitor, add, intervention.get_absolute_url, queries=3, marker=b"<dt><a", shown=MANY
    )


def test_intervention_page_as_staff_previewing_a_draft(
    child_outcome_factory, intervention_factory, editor
):
    draft = intervention_factory(published=False)

    def add(count: int) -> None:
        OutcomeEvidence.objects.bulk_create(
            [
                OutcomeEvidence(content_object=draft, tag=child_outcome_factory())
                for _ in range(count)
            ]
        )

    assert_same_queries_for_few_and_many(
        editor, add, draft.get_absolute_url, queries=6, marker=b"<dt><a", shown=MANY
    )


# The outcome page and other programmes' page list cards too: each one more query than
# before the crosswalk, for the cards' other clearinghouses' ratings.
def test_outcome_page(outcomes, visitor):
    assert_same_queries_for_few_and_many(
        visitor,
        lambda count: bulk_interventions(count, outcomes),
        outcomes[0].get_absolute_url,
        queries=6,
        marker=b'class="card"',
    )


def test_other_programmes_page(outcomes, visitor):
    assert_same_queries_for_few_and_many(
        visitor,
        lambda count: bulk_interventions(count, outcomes, evidence_rating=10),
        lambda: reverse("catalogue:other-programmes"),
        queries=5,
        marker=b'class="card"',
    )


def test_ratings_page(seed, outcomes, visitor):
    assert_same_queries_for_few_and_many(
        visitor,
        lambda count: bulk_interventions(count, outcomes),
        lambda: reverse("ratings:explained"),
        queries=2,
        marker=b"<dt>",
        shown=16,
    )


def test_project_page_listing_the_interventions_it_studies(outcomes, project_factory, visitor):
    project = project_factory()
    assert_same_queries_for_few_and_many(
        visitor,
        lambda count: project.interventions.add(*bulk_interventions(count, outcomes)),
        project.get_absolute_url,
        queries=3,
        marker=f'<li><a href="{reverse("catalogue:guidebook")}'.encode(),
        shown=MANY,
    )
