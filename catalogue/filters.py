"""The guidebook's filters, as docs/guidebook-query.md defines them, and their facet
counts: how many interventions each option would give with the other filters applied."""

from collections import Counter
from functools import cached_property

import django_filters
from django import forms
from django.db.models import Count

from core.cache import cached_until_changed
from core.search import SearchFilter
from ratings.scales import CostRating, EvidenceRating

from .models import ChildOutcome, Intervention

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
    q = SearchFilter(label="Search interventions", method="filter_text")
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
        # The grouped counts, made once a request however many times they are read.
        self.cubes = {}
        if data is not None:
            data = data.copy()
            for name in ("evidence", "min_evidence"):
                data.setlist(name, [normalise_evidence_code(code) for code in data.getlist(name)])
            for name in ("cost", "max_cost"):
                data.setlist(name, [code.strip().lower() for code in data.getlist(name)])
        super().__init__(data, *args, **kwargs)

    def filter_queryset(self, queryset):
        """Apply every valid filter; NL2 and NE programmes only when `evidence` names them."""
        if not self.form.cleaned_data.get("evidence"):
            queryset = queryset.in_guidebook()
        return super().filter_queryset(queryset)

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

    def rating_filters(self, without: str | None = None) -> list:
        """The rating filters in force, but the one named without, as tests of a
        (evidence, cost, mixed) triple; the same rules as the QuerySet methods they mirror."""
        values = {name: value for name, value in self.form.cleaned_data.items() if value}
        tests = []
        if without != "evidence" and not values.get("evidence"):
            # in_guidebook(): NL2 and NE only when asked for.
            tests.append(lambda e, c, m: e is None or e >= EvidenceRating.LEVEL_2)
        if without != "evidence" and values.get("evidence"):
            tests.append(lambda e, c, m: e in values["evidence"])
        if without != "min_evidence" and values.get("min_evidence"):
            tests.append(lambda e, c, m: e is not None and e >= values["min_evidence"])
        if without != "cost" and values.get("cost"):
            tests.append(lambda e, c, m: c in values["cost"])
        if without != "max_cost" and values.get("max_cost"):
            tests.append(lambda e, c, m: c is not None and c <= values["max_cost"])
        mixed = values.get("mixed")
        if without != "mixed" and mixed in (Mixed.EXCLUDE, Mixed.ONLY):
            tests.append(lambda e, c, m: m == (mixed == Mixed.ONLY))
        return tests

    def rating_cube(self, with_outcome: bool) -> list[tuple]:
        """How many interventions have each (evidence, cost, mixed) triple, and each outcome
        too if with_outcome, once text search (and the outcome filter, if not with_outcome)
        is applied: one grouped query, kept in the cache until the content changes."""
        if with_outcome in self.cubes:
            return self.cubes[with_outcome]
        cleaned = self.form.cleaned_data
        text = cleaned.get("q") or ""
        outcomes = sorted(outcome.slug for outcome in cleaned.get("outcome") or [])
        parts = ("guidebook-cube", text, with_outcome, *([] if with_outcome else outcomes))

        def count():
            queryset = self.filters["q"].filter(self.queryset, text)
            fields = ["evidence_rating", "cost_rating", "mixed_findings"]
            if with_outcome:
                # One join: each intervention counted once under each of its outcomes.
                rows = queryset.filter(outcome_links__isnull=False)
                fields.append("outcome_links__tag")
            elif cleaned.get("outcome"):
                rows = queryset.counted_with_any_outcome(cleaned["outcome"])
            else:
                rows = queryset
            return [
                tuple(row) for row in rows.order_by().values_list(*fields).annotate(Count("pk"))
            ]

        self.cubes[with_outcome] = cached_until_changed(parts, count)
        return self.cubes[with_outcome]

    def result_count(self) -> int:
        """How many interventions the filters give, counted from the cached cube."""
        tests = self.rating_filters()
        return sum(n for e, c, m, n in self.rating_cube(False) if all(t(e, c, m) for t in tests))

    def facet_counts(self) -> dict[str, Counter]:
        """For each filter with options, how many interventions each option alone would
        give with the other filters kept; computed from two cached grouped queries."""
        self.errors  # noqa: B018 - cleaned_data exists only once the form is validated
        cube = self.rating_cube(False)

        def tally(without: str, key) -> Counter:
            tests = self.rating_filters(without)
            counts = Counter()
            for e, c, m, n in cube:
                if all(test(e, c, m) for test in tests):
                    counts[key(e, c, m)] += n
            return counts

        by_evidence = tally("evidence", lambda e, c, m: e)
        by_min_evidence = tally("min_evidence", lambda e, c, m: e)
        by_cost = tally("cost", lambda e, c, m: c)
        by_max_cost = tally("max_cost", lambda e, c, m: c)
        by_mixed = tally("mixed", lambda e, c, m: m)
        tests = self.rating_filters()
        slugs = {outcome.pk: outcome.slug for outcome in self.outcomes}
        by_outcome = Counter()
        for e, c, m, outcome, n in self.rating_cube(True):
            if all(test(e, c, m) for test in tests):
                by_outcome[slugs[outcome]] += n
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

    @cached_property
    def outcomes(self) -> list[ChildOutcome]:
        """Every child outcome, in the order they are listed: read once for the options,
        their counts and the filters in force."""
        return list(ChildOutcome.objects.only("slug", "name"))

    @cached_property
    def outcome_names(self) -> dict[str, str]:
        return {outcome.slug: outcome.name for outcome in self.outcomes}

    def active_filters(self) -> list[dict]:
        """The valid filters in force, each in words with the query string that removes it."""
        outcomes = self.outcome_names
        self.errors  # noqa: B018 - cleaned_data exists only once the form is validated
        cleaned = self.form.cleaned_data
        active = []
        for name, field in self.form.fields.items():
            if name in ("sort", "format") or name not in cleaned:
                continue
            # A single-valued filter repeated in the address uses its last value, the only
            # one the form checked; the others are ignored, not described.
            multiple = isinstance(field, forms.MultipleChoiceField)
            values = self.data.getlist(name) if multiple else [self.data.get(name)]
            for value in values:
                if not value or (name == "mixed" and value == Mixed.INCLUDE):
                    continue
                remaining = self.data.copy()
                remaining.setlist(
                    name,
                    [other for other in self.data.getlist(name) if other != value]
                    if multiple
                    else [],
                )
                remaining.pop("page", None)
                active.append(
                    {
                        "label": f"{field.label}: {describe(name, value, outcomes)}",
                        "query": remaining.urlencode(),
                    }
                )
        return active

    def description(self) -> str:
        """The filters in force in words: "Evidence rating at least: 3+; Child outcome: …"."""
        return "; ".join(active["label"] for active in self.active_filters())


def describe(name: str, value: str, outcomes: dict[str, str]) -> str:
    """A filter value in words."""
    if name in ("evidence", "min_evidence"):
        return EvidenceRating.from_code(value).description
    if name in ("cost", "max_cost"):
        return CostRating.from_code(value).description
    if name == "mixed":
        return dict(Mixed.CHOICES)[value]
    if name == "outcome":
        return outcomes.get(value, value)
    return value
