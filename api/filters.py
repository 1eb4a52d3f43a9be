"""The API's filters: the guidebook's and the project list's own FilterSets, and a few
for the records that have no list page of their own."""

import django_filters
from django import forms

from catalogue.filters import GuidebookFilter, choose_from
from catalogue.models import Finding, ReviewItem, ReviewStage, Study
from projects import filters as project_filters
from projects.models import Status, StudyType


class InterventionFilter(GuidebookFilter):
    """The guidebook's filters and sorts with their meaning; the API always answers JSON,
    so the guidebook's `format` is not one of its parameters."""

    format = None


class ProjectFilter(project_filters.ProjectFilter):
    """The project list's filters with their meaning. The list's page says beside each
    filter what it offers; here a value that is not valid is refused with what the
    filter takes, as the API's other filters are."""

    MESSAGES = {
        "status": choose_from("a project status", Status),
        "study_type": choose_from("a study type", StudyType),
        "topic": {
            "invalid_choice": "No published project has this topic; give a topic's slug, "
            "as a project's `topics` give it."
        },
        "partner": {
            "invalid_choice": "No published project has this partner; give an "
            "organisation's slug, as /api/v1/organisations/ lists them."
        },
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, messages in self.MESSAGES.items():
            self.filters[name].extra["error_messages"] = messages


class IdFilter(django_filters.NumberFilter):
    """A record's id: a whole number within the database's range."""

    field_class = forms.IntegerField


def id_filter(field_name: str, label: str) -> IdFilter:
    return IdFilter(
        field_name=field_name,
        label=label,
        min_value=1,
        max_value=2**63 - 1,
        error_messages={
            "invalid": "Give a record's id, a whole number.",
            "min_value": "Give a record's id, a whole number from 1.",
            "max_value": "There is no record with so large an id.",
        },
    )


class StudyFilter(django_filters.FilterSet):
    intervention = id_filter("intervention", "The intervention's id")

    class Meta:
        model = Study
        fields = ["intervention"]


class FindingFilter(django_filters.FilterSet):
    study = id_filter("study", "The study's id")
    intervention = id_filter("study__intervention", "The intervention's id")

    class Meta:
        model = Finding
        fields = ["study", "intervention"]


class ReviewItemFilter(django_filters.FilterSet):
    stage = django_filters.MultipleChoiceFilter(
        label="Stage",
        choices=ReviewStage.choices,
        distinct=False,
        error_messages=choose_from("a review stage", ReviewStage),
    )

    class Meta:
        model = ReviewItem
        fields = ["stage"]
