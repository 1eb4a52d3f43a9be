"""Filtered list pages: the groups of their filter panels, the view that puts them in the
context, and the one way their links edit a query string."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlencode

from django.forms import BoundField
from django.http import QueryDict
from django.urls import reverse
from django_filters.views import FilterView

from .cache import InvalidFiltersNotCachedMixin


class Control(StrEnum):
    """How a filter group offers its options: templates/includes/filter_group.html."""

    CHECKBOXES = "checkboxes"
    RADIOS = "radios"
    SELECT = "select"


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    chosen: bool
    id: str
    # How many results choosing it would give, where the page counts them.
    count: int | None = None


@dataclass(frozen=True)
class Link:
    """A plain link beside a filter group, to a page offering what the group leaves out."""

    url: str
    text: str


@dataclass(frozen=True)
class FilterGroup:
    """One filter of a panel: its field (for its label, id and errors), its options, and
    perhaps a link to more of them."""

    field: BoundField
    control: Control
    options: list[Option]
    link: Link | None = None

    @property
    def name(self) -> str:
        return self.field.html_name

    @property
    def label(self) -> str:
        return self.field.label

    @property
    def multiple(self) -> bool:
        return self.control == Control.CHECKBOXES


def filter_group(
    field: BoundField,
    choices: Iterable[tuple[str, str]],
    control: Control,
    *,
    any_label: str | None = None,
    counts: Mapping[str, int] | None = None,
    default: str = "",
    link: Link | None = None,
) -> FilterGroup:
    """Make field's group from its choices, marking those its value chooses (default when
    it has none), led by an option that applies no filter if any_label names it."""
    value = field.value()
    if control == Control.CHECKBOXES:
        # A single-valued field offered as one check box ("yes") has a string for a value.
        values = [value] if isinstance(value, str) else value or []
        chosen = {str(each) for each in values}
    else:
        chosen = {str(value or default)}
    options = [
        Option(
            value=code,
            label=label,
            chosen=code in chosen,
            id=f"{field.auto_id}_{index}",
            count=None if counts is None else counts.get(code, 0),
        )
        for index, (code, label) in enumerate(choices)
    ]
    if any_label is not None:
        options.insert(
            0, Option(value="", label=any_label, chosen="" in chosen, id=f"{field.auto_id}_any")
        )
    return FilterGroup(field, control, options, link)


def query_without(query: QueryDict, *names: str, **values: str) -> QueryDict:
    """Copy query without the named parameters, and without the given value of each
    parameter passed by keyword, the rest keeping their order."""
    edited = query.copy()
    for name in names:
        edited.pop(name, None)
    for name, value in values.items():
        edited.setlist(name, [other for other in query.getlist(name) if other != value])
    return edited


class FilteredListView(InvalidFiltersNotCachedMixin, FilterView):
    """A list page narrowed by a FilterSet, its filter panel given to the template as
    filter_groups, and its results' links carrying the list's query (back_suffix) so that
    each record's page can lead back to the same filters and page."""

    # An invalid filter is reported beside it and left out; the others still apply.
    strict = False

    def get_filter_groups(self) -> list[FilterGroup]:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(filter_groups=self.get_filter_groups(), **kwargs)
        # The page number always: an unfiltered first page still leads back.
        query = query_without(self.request.GET, "page", "format")
        query["page"] = str(context["page_obj"].number) if context.get("page_obj") else "1"
        context["back_suffix"] = "?" + urlencode({"back": query.urlencode()})
        return context


class BackToResultsMixin:
    """For a record's page reached from a filtered list: a "Back to results" link to the
    same filters and page, from the `back` parameter the list's links carry. Only the
    list's own parameters are kept, so the link cannot lead anywhere else."""

    results_url_name: str
    results_parameters: tuple[str, ...]
    query_parameters = ("back",)

    def back_to_results(self) -> str:
        if "back" not in self.request.GET:
            return ""
        given = QueryDict(self.request.GET["back"][:2000])
        kept = QueryDict(mutable=True)
        for name in self.results_parameters:
            if values := [value for value in given.getlist(name) if value]:
                kept.setlist(name, values)
        return reverse(self.results_url_name) + (f"?{kept.urlencode()}" if kept else "")

    def get_context_data(self, **kwargs):
        return super().get_context_data(back_to_results=self.back_to_results(), **kwargs)
