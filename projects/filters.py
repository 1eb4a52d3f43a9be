import django_filters
from django import forms

from core.filtering import Control, FilterGroup, filter_group
from core.search import SearchFilter

from .models import Organisation, Project, Status, StudyType, Topic


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
        """A filter's group for the panel. Topics and partners are read as (slug, name)
        pairs in one query: the list of partners grows with the projects."""
        field = self.form.fields[name]
        if isinstance(field, forms.ModelChoiceField):
            choices = field.queryset.values_list(field.to_field_name, "name")
            return filter_group(self.form[name], choices, control, any_label=field.empty_label)
        return filter_group(self.form[name], field.choices, control)

    def filter_text(self, queryset, name, value):
        return queryset.search(value)

    def filter_topic(self, queryset, name, value):
        return queryset.with_topic(value)

    def filter_partner(self, queryset, name, value):
        return queryset.with_partner(value)
