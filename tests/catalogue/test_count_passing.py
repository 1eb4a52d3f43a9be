"""InterventionQuerySet.count_passing(), the guidebook's facet counts in one written-out
pass: the same counts as Django's aggregate() gives, on either database."""

from django.db.models import Case, Count, IntegerField, Q, Value, When

from catalogue.models import Intervention
from ratings.scales import CostRating, EvidenceRating


def flag(test: Q) -> Case:
    return Case(When(test, then=Value(1)), default=Value(0), output_field=IntegerField())


def test_counts_match_the_orms_aggregate(intervention_factory):
    for evidence in (EvidenceRating.LEVEL_2, EvidenceRating.LEVEL_3, EvidenceRating.LEVEL_4):
        for cost in (CostRating.LOW, CostRating.HIGH):
            intervention_factory(evidence_rating=evidence, cost_rating=cost, uk_available=True)
    intervention_factory(evidence_rating=EvidenceRating.LEVEL_3, published=False)
    rows = Intervention.objects.published().annotate(
        strong=flag(Q(evidence_rating__gte=EvidenceRating.LEVEL_3)),
        cheap=flag(Q(cost_rating=CostRating.LOW)),
        in_uk=flag(Q(uk_available=True)),
    )
    needed = {
        "total": [],
        "strong": ["strong"],
        "strong_cheap": ["strong", "cheap"],
        "uk": ["in_uk"],
    }

    counts = rows.count_passing(needed)

    expected = rows.aggregate(
        every=Count("pk"),
        strong_ones=Count("pk", filter=Q(strong=1)),
        strong_cheap_ones=Count("pk", filter=Q(strong=1, cheap=1)),
        in_the_uk=Count("pk", filter=Q(in_uk=1)),
    )
    assert list(counts.values()) == list(expected.values()) == [6, 4, 2, 6]
