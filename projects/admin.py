from django.contrib import admin
from django.db import models

from core.fields import MonthField, MonthInput
from editors.admin import EditorialAdmin
from editors.autocomplete import SafeAutocompleteMixin
from editors.filters import ChoicesOnlyFilter, SafeChangeListMixin

from .models import (
    Document,
    Organisation,
    Partnership,
    Project,
    ResearchQuestion,
    TaggedProject,
    Topic,
)


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue"), ("no", "Not overdue")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        if self.value() == "no":
            return queryset.exclude(pk__in=queryset.overdue().values("pk"))
        return queryset


class ResearchQuestionInline(admin.TabularInline):
    model = ResearchQuestion
    fields = ["position", "text"]
    extra = 1


class PartnershipInline(SafeAutocompleteMixin, admin.TabularInline):
    model = Partnership
    autocomplete_fields = ["organisation"]
    extra = 1


class DocumentInline(admin.TabularInline):
    model = Document
    fields = ["title", "kind", "file"]
    extra = 1


class TopicInline(SafeAutocompleteMixin, admin.TabularInline):
    model = TaggedProject
    autocomplete_fields = ["tag"]
    extra = 1


@admin.register(Project)
class ProjectAdmin(SafeChangeListMixin, EditorialAdmin):
    list_display = [
        "title",
        "study_type",
        "status",
        "estimated_completion",
        "due_date",
        "completed_on",
        "overdue",
        "published",
    ]
    list_editable = ["status", "estimated_completion", "due_date", "completed_on"]
    list_filter = [
        ("status", ChoicesOnlyFilter),
        ("study_type", ChoicesOnlyFilter),
        OverdueFilter,
        "published",
        ("partnerships__organisation", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["title", "partnerships__organisation__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["related_projects", "interventions"]
    date_hierarchy = "created"
    inlines = [PartnershipInline, ResearchQuestionInline, DocumentInline, TopicInline]
    formfield_overrides = {MonthField: {"widget": MonthInput}}
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body", "published", "edited_version"]}),
        (
            "Study, status and dates",
            {
                "fields": [
                    "study_type",
                    "status",
                    "completed_on",
                    "start_date",
                    "estimated_completion",
                    "due_date",
                ],
                "description": "A completed project needs the month it was completed.",
            },
        ),
        ("Interventions and related projects", {"fields": ["interventions", "related_projects"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_overdue()

    @admin.display(boolean=True, ordering="is_overdue")
    def overdue(self, project: Project) -> bool:
        return project.is_overdue


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "website"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    # An address typed without a scheme is taken as https, as Django 6 will do by default.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
