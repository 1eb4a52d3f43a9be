"""The guidebook's facet counts, how many interventions each option of a filter would give
with the other filters applied, and the filter panel's groups that show them."""

from collections import Counter

from django.db.models import Count

from core.cache import cached_until_changed
from core.filtering import Control, FilterGroup, filter_group
from ratings.scales import CostRating, EvidenceRating

from .filters import GuidebookFilter, Mixed

# The filters whose options are counted, in the order the panel shows them.
COUNTED = ("evidence", "min_evidence", "mixed", "cost", "max_cost", "outcome")


class GuidebookFacets:
    """The counts of one request's filters, from two grouped queries made at most once."""

    def __init__(self, filterset: GuidebookFilter):
        self.filterset = filterset
        self.cubes = {}

    @property
    def cleaned(self) -> dict:
        self.filterset.errors  # noqa: B018 - cleaned_data exists only once the form is validated
        return self.filterset.form.cleaned_data

    def rating_filters(self, without: str | None = None) -> list:
        """The rating filters in force, but the one named without, as tests of a
        (evidence, cost, mixed) triple; the same rules as the QuerySet methods they mirror."""
        values = {name: value for name, value in self.cleaned.items() if value}
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
        cleaned = self.cleaned
        text = cleaned.get("q") or ""
        outcomes = sorted(outcome.slug for outcome in cleaned.get("outcome") or [])
        parts = ("guidebook-cube", text, with_outcome, *([] if with_outcome else outcomes))

        def count():
            queryset = self.filterset.filters["q"].filter(self.filterset.queryset, text)
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
        """Count the interventions the filters give from the cached cube."""
        tests = self.rating_filters()
        return sum(n for e, c, m, n in self.rating_cube(False) if all(t(e, c, m) for t in tests))

    def counts(self) -> dict[str, Counter]:
        """For each counted filter, how many interventions each option alone would give
        with the other filters kept; computed from the two cached grouped queries."""
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
        slugs = {outcome.pk: outcome.slug for outcome in self.filterset.outcomes}
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

    def groups(self) -> list[FilterGroup]:
        """The counted filters' groups, each option with its count, and the sort order."""
        counts = self.counts()
        form = self.filterset.form
        groups = []
        for name in COUNTED:
            field = form[name]
            choices = (
                self.filterset.outcome_names.items()
                if name == "outcome"
                else [(code, label) for code, label in field.field.choices if code != ""]
            )
            multiple = name in ("evidence", "cost", "outcome")
            groups.append(
                filter_group(
                    field,
                    choices,
                    Control.CHECKBOXES if multiple else Control.RADIOS,
                    # Mixed findings are included unless a visitor says otherwise.
                    any_label=None if multiple or name == "mixed" else "Any",
                    counts=counts[name],
                    default=Mixed.INCLUDE if name == "mixed" else "",
                )
            )
        groups.append(filter_group(form["sort"], form.fields["sort"].choices, Control.SELECT))
        return groups
