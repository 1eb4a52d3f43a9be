"""The guidebook's filters, as docs/guidebook-query.md defines them, and the filters in
force in words. Their facet counts are in facets.py."""

from functools import cached_property

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from core.filtering import query_without
from core.search import SearchFilter
from ratings.crosswalk import Clearinghouse
from ratings.scales import CostRating, EvidenceRating

from .models import (
    AgeGroup,
    ChildOutcome,
    DeliveryModel,
    Intervention,
    LevelOfNeed,
    Setting,
    StudyDesign,
)

EVIDENCE_ORDER = [
    *EvidenceRating.levels(),
    EvidenceRating.BELOW_LEVEL_2,
    EvidenceRating.NOT_EFFECTIVE,
]


class Mixed(models.TextChoices):
    """What the guidebook's `mixed` filter does with ratings that carry the star."""

    INCLUDE = "include", "Include ratings with mixed findings"
    EXCLUDE = "exclude", "Leave out ratings with mixed findings"
    ONLY = "only", "Only ratings with mixed findings"


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


def choose_from(kind: str, choices) -> dict:
    """The message for a code that is not one of choices: "… choose from a, b or c"."""
    codes = [choice.value for choice in choices]
    return invalid(f"{kind}; choose from {', '.join(codes[:-1])} or {codes[-1]}")


# The list filters on an intervention's characteristics and its counting studies' designs:
# query parameter, the list field it tests, and its codes.
LIST_FILTERS = {
    "age": ("age_groups", AgeGroup),
    "need": ("level_of_need", LevelOfNeed),
    "model": ("delivery_model", DeliveryModel),
    "setting": ("setting", Setting),
    "design": ("counting_designs", StudyDesign),
}
# The filters that are either off or `yes`, and what `yes` keeps.
YES_FILTERS = {
    "independent": lambda queryset: queryset.with_independent_study(),
    "long_term": lambda queryset: queryset.with_long_term_finding(),
    "ethnicity_reported": lambda queryset: queryset.with_ethnicity_reported(),
    "uk_tested": lambda queryset: queryset.tested_in_uk(),
    "uk_available": lambda queryset: queryset.available_in_uk(),
}
YES = "yes"


def list_filter(label: str, name: str, kind: str) -> django_filters.MultipleChoiceFilter:
    choices = LIST_FILTERS[name][1]
    return django_filters.MultipleChoiceFilter(
        label=label,
        choices=choices.choices,
        method="filter_list",
        error_messages=choose_from(kind, choices),
    )


def yes_filter(label: str) -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(
        label=label,
        choices=[(YES, "Yes")],
        method="filter_yes",
        error_messages=invalid("a choice here; use yes"),
    )


class ListedOutcomesField(django_filters.fields.ModelMultipleChoiceField):
    """Child outcomes chosen by slug, checked against the outcomes in the data cache
    (ChildOutcomeQuerySet.listed) rather than by a query on every page."""

    def _check_values(self, value) -> list[ChildOutcome]:
        try:
            chosen = frozenset(value)
        except TypeError:
            raise ValidationError(
                self.error_messages["invalid_list"], code="invalid_list"
            ) from None
        listed = {outcome.slug: outcome for outcome in ChildOutcome.objects.listed()}
        for slug in chosen:
            self.validate_no_null_characters(slug)
            if slug not in listed:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": slug},
                )
        return [outcome for slug, outcome in listed.items() if slug in chosen]


class ListedOutcomesFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = ListedOutcomesField


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
        choices=Mixed.choices,
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
    outcome = ListedOutcomesFilter(
        label="Child outcome",
        queryset=ChildOutcome.objects.all(),
        to_field_name="slug",
        method="filter_outcome",
        error_messages={"invalid_choice": "There is no child outcome “%(value)s”."},
    )
    age = list_filter("Age group", "age", "an age group")
    need = list_filter("Level of need", "need", "a level of need")
    model = list_filter("Delivery model", "model", "a delivery model")
    setting = list_filter("Setting", "setting", "a setting")
    design = list_filter("Study design", "design", "a study design")
    independent = yes_filter("Studied independently of the provider")
    long_term = yes_filter("Favourable finding a year or more after it ended")
    ethnicity_reported = yes_filter("A study reports the ethnicity of its sample")
    uk_tested = yes_filter("Tested in the UK")
    uk_available = yes_filter("Available in the UK")
    rated_by = django_filters.MultipleChoiceFilter(
        label="Also rated by",
        choices=Clearinghouse.choices,
        method="filter_rated_by",
        error_messages=choose_from("a clearinghouse", Clearinghouse),
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
            for name in ("cost", "max_cost", *LIST_FILTERS, *YES_FILTERS, "rated_by"):
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
        if value in (Mixed.EXCLUDE, Mixed.ONLY):
            return queryset.with_mixed_findings(value == Mixed.ONLY)
        return queryset

    def filter_cost(self, queryset, name, value):
        return queryset.cost_in(value)

    def filter_max_cost(self, queryset, name, value):
        return queryset.cost_at_most(value)

    def filter_outcome(self, queryset, name, value):
        # An empty choice arrives as an empty queryset, which django-filter does not skip.
        return queryset.with_any_outcome(value) if value else queryset

    def filter_list(self, queryset, name, value):
        return queryset.with_characteristic(LIST_FILTERS[name][0], value)

    def filter_yes(self, queryset, name, value):
        return YES_FILTERS[name](queryset)

    def filter_rated_by(self, queryset, name, value):
        return queryset.rated_by(value)

    def sort_by(self, queryset, name, value):
        return SORTS[value][1](queryset)

    def keep(self, queryset, name, value):
        return queryset

    @property
    def wants_csv(self) -> bool:
        return self.data.get("format") == "csv"

    @cached_property
    def outcomes(self) -> list[ChildOutcome]:
        """Every child outcome, in the order they are listed: read once for the options,
        their counts and the filters in force."""
        return ChildOutcome.objects.listed()

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
                remaining = (
                    query_without(self.data, "page", **{name: value})
                    if multiple
                    else query_without(self.data, "page", name)
                )
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
        return Mixed(value).label
    if name == "outcome":
        return outcomes.get(value, value)
    if name in LIST_FILTERS:
        return LIST_FILTERS[name][1](value).label
    if name in YES_FILTERS:
        return "Yes"
    if name == "rated_by":
        return Clearinghouse(value).label
    return value
