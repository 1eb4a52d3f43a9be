"""The guidebook's facet counts, how many interventions each option of a filter would give
with the other filters applied, and the filter panel's groups that show them.

Every count comes from two queries, however many interventions and filters there are:
one scan of the published interventions matching the text search and the outcome filter,
counting each option of every other filter with the rest of the filters kept (and the
result itself) as conditional aggregates; and one grouped join counting each outcome
with the other filters kept. Each is kept in the cache until the content changes, under
the filters' values as the rules read them (sorted, so that a query written in another
order shares the entry)."""

import operator
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, reduce

from django.db.models import Case, Count, IntegerField, Q, Value, When

from core.cache import cached_until_changed, lists_tag
from core.filtering import Control, FilterGroup, filter_group
from core.search import search_words
from ratings.crosswalk import Clearinghouse
from ratings.scales import CostRating, EvidenceRating

from .filters import EVIDENCE_ORDER, LIST_FILTERS, YES, GuidebookFilter, Mixed
from .models import (
    any_outcome_test,
    characteristic_test,
    cost_at_most_test,
    cost_test,
    ethnicity_reported_test,
    evidence_at_least_test,
    evidence_test,
    in_guidebook_test,
    independent_study_test,
    long_term_finding_test,
    mixed_findings_test,
    rated_by_test,
    uk_available_test,
    uk_tested_test,
)

# What `yes` keeps, for each yes-or-nothing filter.
YES_TESTS = {
    "independent": independent_study_test,
    "long_term": long_term_finding_test,
    "ethnicity_reported": ethnicity_reported_test,
    "uk_tested": uk_tested_test,
    "uk_available": uk_available_test,
}
SINGLE_CHOICE = ("min_evidence", "mixed", "max_cost")


@dataclass(frozen=True)
class Section:
    """A titled part of the filter panel."""

    title: str
    names: tuple[str, ...]


# The panel's parts and the counted filters in each, in the order the panel shows them.
SECTIONS = (
    Section("Ratings", ("evidence", "min_evidence", "mixed", "cost", "max_cost")),
    Section("Child outcomes", ("outcome",)),
    Section("Who it is for", ("age", "need")),
    Section("How it is delivered", ("model", "setting")),
    Section("Evidence", ("design", "independent", "long_term", "ethnicity_reported", "uk_tested")),
    Section("Availability", ("uk_available",)),
    Section("Other clearinghouses", ("rated_by",)),
)
COUNTED = tuple(name for section in SECTIONS for name in section.names)
# Counted in the scan; the outcomes have the join of their own.
SCANNED = tuple(name for name in COUNTED if name != "outcome")


def condition(name: str, value) -> Q:
    """The rows a valid filter value keeps, by the QuerySet's own rules."""
    if name == "evidence":
        return evidence_test(value)
    if name == "min_evidence":
        return evidence_at_least_test(value)
    if name == "mixed":
        return mixed_findings_test(value == Mixed.ONLY)
    if name == "cost":
        return cost_test(value)
    if name == "max_cost":
        return cost_at_most_test(value)
    if name == "outcome":
        return any_outcome_test(value)
    if name in LIST_FILTERS:
        return characteristic_test(LIST_FILTERS[name][0], value)
    if name == "rated_by":
        return rated_by_test(value)
    return YES_TESTS[name]()


def option_conditions() -> dict[str, list[tuple[str, Q | None]]]:
    """Each scanned filter's options, as (code, the rows that option alone keeps, or None
    for all of them)."""
    options = {
        "evidence": [(rating.code, evidence_test([rating])) for rating in EVIDENCE_ORDER],
        "min_evidence": [
            (level.code, evidence_at_least_test(level)) for level in EvidenceRating.levels()
        ],
        "mixed": [
            (Mixed.INCLUDE, None),
            (Mixed.EXCLUDE, mixed_findings_test(False)),
            (Mixed.ONLY, mixed_findings_test(True)),
        ],
        "cost": [(rating.code, cost_test([rating])) for rating in CostRating],
        "max_cost": [(level.code, cost_at_most_test(level)) for level in CostRating.levels()],
        **{
            name: [(code, characteristic_test(field, [code])) for code in choices.values]
            for name, (field, choices) in LIST_FILTERS.items()
        },
        **{name: [(YES, test())] for name, test in YES_TESTS.items()},
        "rated_by": [(house.value, rated_by_test([house])) for house in Clearinghouse],
    }
    return {name: options[name] for name in SCANNED}


# More rows than any table holds.
def as_number(test: Q) -> Case:
    """1 for a row that meets the test, else 0."""
    return Case(When(test, then=Value(1)), default=Value(0), output_field=IntegerField())


def every(conditions: list[Q]) -> Q:
    return reduce(operator.and_, conditions, Q())


class GuidebookFacets:
    """The counts of one request's filters, from two queries made at most once."""

    def __init__(self, filterset: GuidebookFilter):
        self.filterset = filterset

    @cached_property
    def values(self) -> dict:
        """The valid filters that change the list, by name; outcomes read once, as a list."""
        self.filterset.errors  # noqa: B018 - cleaned_data exists only once the form is validated
        cleaned = self.filterset.form.cleaned_data
        values = {}
        for name in ("q", *COUNTED):
            value = cleaned.get(name)
            if name == "outcome" and value is not None:
                value = list(value)
            if value in (None, "", []) or (name == "mixed" and value == Mixed.INCLUDE):
                continue
            values[name] = value
        return values

    def key(self, names) -> tuple:
        """The values of these filters as the cache's key: codes, each filter's sorted."""
        parts = []
        for name in names:
            if name not in self.values:
                continue
            value = self.values[name]
            if name == "q":
                codes = sorted(search_words(value))
            elif isinstance(value, list):
                codes = sorted(str(getattr(item, "slug", item)) for item in value)
            else:
                codes = [str(value)]
            parts.append((name, *codes))
        return tuple(parts)

    def in_force(self, names) -> dict[str, Q]:
        """The conditions of these filters in force; without `evidence`, NL2 and NE left out."""
        conditions = {
            name: condition(name, self.values[name]) for name in names if name in self.values
        }
        if "evidence" in names and "evidence" not in self.values:
            conditions["evidence"] = in_guidebook_test()
        return conditions

    def searched(self):
        """The published interventions matching the text search."""
        queryset = self.filterset.queryset.order_by()
        return queryset.search(self.values["q"]) if "q" in self.values else queryset

    @cached_property
    def scanned(self) -> dict:
        """For each scanned filter, how many interventions each option alone would give,
        and the total: one query over the interventions that match the search and the
        outcome filter, which every count here keeps.

        Each row's tests are made once, in a subquery: whether it passes each filter in
        force, and which options it has; each count then adds up the rows that have its
        option and pass every other filter."""

        def count() -> dict:
            rows = self.searched()
            if "outcome" in self.values:
                rows = rows.filter(condition("outcome", self.values["outcome"]))
            in_force = self.in_force(SCANNED)
            tests = {f"passes_{name}": test for name, test in in_force.items()}
            options = {}
            for name, choices in option_conditions().items():
                for code, test in choices:
                    options[f"option_{len(options)}"] = (name, code, test)
            tests.update({alias: test for alias, (_, _, test) in options.items() if test})
            rows = rows.annotate(**{alias: as_number(test) for alias, test in tests.items()})
            needed = {"total": [f"passes_{name}" for name in in_force]}
            for alias, (name, _, test) in options.items():
                # The rows every other filter keeps, and this option too.
                kept = [f"passes_{other}" for other in in_force if other != name]
                needed[f"count_{alias}"] = kept + ([alias] if test else [])
            found = rows.count_passing(needed)
            counts = {name: {} for name in SCANNED}
            for alias, (name, code, _) in options.items():
                counts[name][code] = found[f"count_{alias}"]
            return {"total": found["total"], "counts": counts}

        parts = ("guidebook-facets", *self.key(("q", *COUNTED)))
        return cached_until_changed(parts, count, tags=self.tags())

    def tags(self) -> list[str] | None:
        """What the counts depend on: the lists of interventions, or, with a text search,
        any change (to any text)."""
        return None if self.filterset.data.get("q") else [lists_tag(self.filterset.queryset.model)]

    @cached_property
    def outcome_counts(self) -> Counter:
        """How many interventions each outcome alone would give with the other filters
        kept: one grouped join, each intervention counted once under each of its outcomes."""

        def count() -> dict[int, int]:
            in_force = self.in_force(SCANNED)
            rows = self.searched().filter(every(list(in_force.values())))
            return dict(
                rows.filter(outcome_links__isnull=False)
                .values_list("outcome_links__tag")
                .annotate(Count("pk"))
            )

        parts = ("guidebook-outcomes", *self.key(("q", *SCANNED)))
        by_pk = cached_until_changed(parts, count, tags=self.tags())
        return Counter(
            {outcome.slug: by_pk.get(outcome.pk, 0) for outcome in self.filterset.outcomes}
        )

    def result_count(self) -> int:
        """How many interventions the filters give, from the cached counts."""
        return self.scanned["total"]

    def counts(self) -> dict[str, Counter]:
        """For each counted filter, how many interventions each option alone would give
        with the other filters kept."""
        return {
            **{name: Counter(counts) for name, counts in self.scanned["counts"].items()},
            "outcome": self.outcome_counts,
        }

    @cached_property
    def groups_by_name(self) -> dict[str, FilterGroup]:
        counts = self.counts()
        form = self.filterset.form
        groups = {}
        for name in COUNTED:
            field = form[name]
            choices = (
                self.filterset.outcome_names.items()
                if name == "outcome"
                else [(code, label) for code, label in field.field.choices if code != ""]
            )
            radios = name in SINGLE_CHOICE
            groups[name] = filter_group(
                field,
                choices,
                Control.RADIOS if radios else Control.CHECKBOXES,
                # Mixed findings are included unless a visitor says otherwise.
                any_label="Any" if radios and name != "mixed" else None,
                counts=counts[name],
                default=Mixed.INCLUDE if name == "mixed" else "",
            )
        groups["sort"] = filter_group(form["sort"], form.fields["sort"].choices, Control.SELECT)
        return groups

    def groups(self) -> list[FilterGroup]:
        """The counted filters' groups, each option with its count, and the sort order."""
        return list(self.groups_by_name.values())

    def sections(self) -> list[tuple[str, list[FilterGroup]]]:
        """The counted filters' groups in the panel's titled parts."""
        groups = self.groups_by_name
        return [(section.title, [groups[name] for name in section.names]) for section in SECTIONS]
