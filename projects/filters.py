import django_filters
from django import forms
from django.urls import reverse

from core.filtering import Control, FilterGroup, Link, filter_group
from core.search import SearchFilter

from .models import Organisation, Project, Status, StudyType, Topic

# The project list's Partner select offers this many partners, those with the most
# published projects: there are hundreds in all, and the partner list has every one.
PARTNER_OPTIONS = 20


class ProjectFilter(django_filters.FilterSet):
    """The public project list's filters; an invalid value is reported beside its filter."""

    q = SearchFilter(label="Search projects", method="filter_text")
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices,
        widget=forms.CheckboxSelectMultiple,
        # One row per project: no join, so no DISTINCT, which costs a sort of every match.
        distinct=False,
        error_messages={"invalid_choice": "“%(value)s” is not a project status."},
    )
    study_type = django_filters.MultipleChoiceFilter(
        label="Study type",
        choices=StudyType.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
        error_messages={"invalid_choice": "“%(value)s” is not a study type."},
    )
    topic = django_filters.ModelChoiceFilter(
        label="Topic",
        queryset=Topic.objects.none(),
        to_field_name="slug",
        method="filter_topic",
        empty_label="Any topic",
        error_messages={"invalid_choice": "There is no topic with that name."},
    )
    partner = django_filters.ModelChoiceFilter(
        label="Partner",
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        method="filter_partner",
        empty_label="Any partner",
        error_messages={"invalid_choice": "There is no partner with that name."},
    )

    class Meta:
        model = Project
        fields = ["q", "status", "study_type", "topic", "partner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["topic"].queryset = Topic.objects.in_use()
        self.filters["partner"].queryset = Organisation.objects.with_published_projects()

    def group(self, name: str, control: Control) -> FilterGroup:
        """A filter's group for the panel. Topics are read as (slug, name) pairs in one
        query: the list of them grows with the projects."""
        field = self.form.fields[name]
        if isinstance(field, forms.ModelChoiceField):
            choices = field.queryset.values_list(field.to_field_name, "name")
            return filter_group(self.form[name], choices, control, any_label=field.empty_label)
        return filter_group(self.form[name], field.choices, control)

    def partner_group(self, control: Control) -> FilterGroup:
        """The Partner filter's group: the PARTNER_OPTIONS partners with the most published
        projects and the chosen one, A to Z, and when that leaves some out, a link to the
        partner list. Any partner's slug is still a valid choice."""
        bound = self.form["partner"]
        shown = Organisation.objects.cached_most_active(PARTNER_OPTIONS)
        total = shown[0].partner_total if shown else 0
        chosen = bound.value()
        if chosen and not bound.errors and chosen not in {partner.slug for partner in shown}:
            # Validating the slug fetched the chosen partner already: no further query.
            shown.append(self.form.cleaned_data["partner"])
        shown.sort(key=lambda partner: partner.name.casefold())
        link = None
        if total > PARTNER_OPTIONS:
            link = Link(reverse("projects:partner-list"), f"Choose from all {total} partners")
        return filter_group(
            bound,
            [(partner.slug, partner.name) for partner in shown],
            control,
            any_label=self.form.fields["partner"].empty_label,
            link=link,
        )

    def filter_text(self, queryset, name, value):
        return queryset.search(value)

    def filter_topic(self, queryset, name, value):
        return queryset.with_topic(value)

    def filter_partner(self, queryset, name, value):
        return queryset.with_partner(value)


class PartnerFilter(django_filters.FilterSet):
    """The partner list's search by name; text beyond the search's bounds is reported."""

    q = SearchFilter(label="Search partners by name", method="filter_name")

    class Meta:
        model = Organisation
        fields = ["q"]

    def filter_name(self, queryset, name, value):
        return queryset.named(value)
