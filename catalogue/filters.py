"""The guidebook's filters, as DESIGN.md's query contract defines them, and their facet
counts: how many interventions each option would give with the other filters applied."""

from collections import Counter

import django_filters
from django.db.models import Count

from ratings.scales import CostRating, EvidenceRating

from .models import ChildOutcome, Intervention, OutcomeEvidence

SEARCH_MAX_LENGTH = 200

EVIDENCE_ORDER = [
    *EvidenceRating.levels(),
    EvidenceRating.BELOW_LEVEL_2,
    EvidenceRating.NOT_EFFECTIVE,
]


class Mixed:
    INCLUDE, EXCLUDE, ONLY = "include", "exclude", "only"
    CHOICES = [
        (INCLUDE, "Include ratings with mixed findings"),
        (EXCLUDE, "Leave out ratings with mixed findings"),
        (ONLY, "Only ratings with mixed findings"),
    ]


SORTS = {
    "name": ("Name (A to Z)", lambda queryset: queryset.order_by("name", "pk")),
    "-evidence": ("Strongest evidence first", lambda queryset: queryset.strongest_first()),
    "cost": ("Lowest cost first", lambda queryset: queryset.cheapest_first()),
}

FORMATS = [("html", "Web page"), ("csv", "CSV spreadsheet")]


def normalise_evidence_code(code: str) -> str:
    """Turn a hand-typed "3 " (a "+" that arrived as a space) or "NL2" into its code."""
    try:
        return EvidenceRating.from_code(code).code
    except ValueError:
        return code


def invalid(kind: str) -> dict:
    return {"invalid_choice": f"“%(value)s” is not {kind}."}


class GuidebookFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search interventions",
        method="filter_text",
        max_length=SEARCH_MAX_LENGTH,
        error_messages={
            "max_length": f"Search text can be at most {SEARCH_MAX_LENGTH} characters long; "
            "shorten it and search again."
        },
    )
    evidence = django_filters.TypedMultipleChoiceFilter(
        label="Evidence rating",
        choices=[(rating.code, rating.description) for rating in EVIDENCE_ORDER],
        coerce=EvidenceRating.from_code,
        method="filter_evidence",
        error_messages=invalid("an evidence rating; choose from 2, 2+, 3, 3+, 4, 4+, NL2 or NE"),
    )
    min_evidence = django_filters.TypedChoiceFilter(
        label="Evidence rating at least",
        choices=[(rating.code, rating.label) for rating in EvidenceRating.levels()],
        coerce=EvidenceRating.from_code,
        method="filter_min_evidence",
        error_messages=invalid("an evidence level; choose from 2, 2+, 3, 3+, 4 or 4+"),
    )
    mixed = django_filters.ChoiceFilter(
        label="Mixed findings",
        choices=Mixed.CHOICES,
        method="filter_mixed",
        empty_label=None,
        error_messages=invalid("a choice here; use include, exclude or only"),
    )
    cost = django_filters.TypedMultipleChoiceFilter(
        label="Cost rating",
        choices=[(rating.code, rating.description) for rating in CostRating],
        coerce=CostRating.from_code,
        method="filter_cost",
        error_messages=invalid("a cost rating; choose from 1 to 5 or na"),
    )
    max_cost = django_filters.TypedChoiceFilter(
        label="Cost rating at most",
        choices=[(rating.code, rating.description) for rating in CostRating.levels()],
        coerce=CostRating.from_code,
        method="filter_max_cost",
        error_messages=invalid("a cost level; choose from 1 to 5"),
    )
    outcome = django_filters.ModelMultipleChoiceFilter(
        label="Child outcome",
        queryset=ChildOutcome.objects.all(),
        to_field_name="slug",
        method="filter_outcome",
        error_messages={"invalid_choice": "There is no child outcome “%(value)s”."},
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by",
        choices=[(code, label) for code, (label, _) in SORTS.items()],
        method="sort_by",
        empty_label=None,
        error_messages=invalid("a sort order; use name, -evidence or cost"),
    )
    format = django_filters.ChoiceFilter(
        label="Format",
        choices=FORMATS,
        method="keep",
        empty_label=None,
        error_messages=invalid("a format we offer; use html or csv"),
    )

    class Meta:
        model = Intervention
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            for name in ("evidence", "min_evidence"):
                data.setlist(name, [normalise_evidence_code(code) for code in data.getlist(name)])
            for name in ("cost", "max_cost"):
                data.setlist(name, [code.strip().lower() for code in data.getlist(name)])
        super().__init__(data, *args, **kwargs)

    def filter_queryset(self, queryset, without: str | None = None):
        """Apply every valid filter but the one named without, which a facet varies."""
        values = {name: value for name, value in self.form.cleaned_data.items() if name != without}
        if without != "evidence" and not values.get("evidence"):
            queryset = queryset.in_guidebook()
        for name, value in values.items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_text(self, queryset, name, value):
        return queryset.search(value)

    def filter_evidence(self, queryset, name, value):
        return queryset.evidence_in(value)

    def filter_min_evidence(self, queryset, name, value):
        return queryset.evidence_at_least(value)

    def filter_mixed(self, queryset, name, value):
        if value == Mixed.EXCLUDE:
            return queryset.filter(mixed_findings=False)
        if value == Mixed.ONLY:
            return queryset.filter(mixed_findings=True)
        return queryset

    def filter_cost(self, queryset, name, value):
        return queryset.cost_in(value)

    def filter_max_cost(self, queryset, name, value):
        return queryset.cost_at_most(value)

    def filter_outcome(self, queryset, name, value):
        # An empty choice arrives as an empty queryset, which django-filter does not skip.
        return queryset.with_any_outcome(value) if value else queryset

    def sort_by(self, queryset, name, value):
        return SORTS[value][1](queryset)

    def keep(self, queryset, name, value):
        return queryset

    @property
    def wants_csv(self) -> bool:
        return self.data.get("format") == "csv"

    def facet_counts(self) -> dict[str, Counter]:
        """For each filter with options, how many interventions each option alone would
        give with the other filters kept: one grouped query per filter."""
        self.errors  # noqa: B018 - cleaned_data exists only once the form is validated

        def grouped(without: str, field: str) -> Counter:
            rows = (
                self.filter_queryset(self.queryset, without=without)
                .order_by()
                .values(field)
                .annotate(count=Count("pk"))
            )
            return Counter({row[field]: row["count"] for row in rows})

        by_evidence = grouped("evidence", "evidence_rating")
        by_min_evidence = grouped("min_evidence", "evidence_rating")
        by_cost = grouped("cost", "cost_rating")
        by_max_cost = grouped("max_cost", "cost_rating")
        by_mixed = grouped("mixed", "mixed_findings")
        by_outcome = Counter(
            {
                row["tag__slug"]: row["count"]
                for row in OutcomeEvidence.objects.filter(
                    content_object__in=self.filter_queryset(self.queryset, without="outcome")
                    .order_by()
                    .values("pk")
                )
                .values("tag__slug")
                .annotate(count=Count("pk"))
            }
        )
        return {
            "evidence": Counter({rating.code: by_evidence[rating] for rating in EvidenceRating}),
            "min_evidence": Counter(
                {
                    level.code: sum(
                        n for value, n in by_min_evidence.items() if value and value >= level
                    )
                    for level in EvidenceRating.levels()
                }
            ),
            "cost": Counter({rating.code: by_cost[rating] for rating in CostRating}),
            "max_cost": Counter(
                {
                    level.code: sum(
                        n for value, n in by_max_cost.items() if value and value <= level
                    )
                    for level in CostRating.levels()
                }
            ),
            "mixed": Counter(
                {
                    Mixed.INCLUDE: by_mixed[True] + by_mixed[False],
                    Mixed.EXCLUDE: by_mixed[False],
                    Mixed.ONLY: by_mixed[True],
                }
            ),
            "outcome": by_outcome,
        }
