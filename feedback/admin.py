from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from editors.filters import ChoicesOnlyFilter, SafeChangeListMixin

from .models import Kind, ReaderReport
from .services import add_to_review_pipeline

# What the editors keep: where the report stands, and the correction it led to.
EDITORS_FIELDS = [
    "state",
    "note",
    ("corrected_intervention", "corrected_project"),
    "corrected_on",
]
# What the reader wrote, for each kind of report: shown to editors, never changed.
READERS_FIELDS = {
    Kind.PROBLEM: ["doing", "wrong"],
    Kind.SUGGESTION: ["programme", "provider", "programme_website", "why", "evaluations"],
    Kind.EVIDENCE: ["intervention", "citation", "link", "why"],
}


@admin.register(ReaderReport)
class ReaderReportAdmin(SafeChangeListMixin, admin.ModelAdmin):
    """The editors' inbox: what readers sent, newest first. Editors keep its state and a
    note; what the reader wrote is theirs and is not changed."""

    list_display = ["created", "kind", "summary", "page_link", "state"]
    list_filter = [("kind", ChoicesOnlyFilter), ("state", ChoicesOnlyFilter)]
    search_fields = ["doing", "wrong", "page", "programme", "provider", "citation"]
    actions = ["add_to_pipeline"]
    autocomplete_fields = ["corrected_intervention", "corrected_project"]

    def get_fields(self, request, obj=None):
        return [*self.get_readonly_fields(request, obj), *EDITORS_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        """What the reader sent, and what the site did with it: never changed."""
        return [
            "kind",
            "created",
            "page_link",
            *READERS_FIELDS[obj.kind],
            "email",
            "mail_sent",
            *(["review_item_link"] if obj.kind == Kind.SUGGESTION else []),
        ]

    def has_add_permission(self, request):
        return False

    @admin.display(description="what they said")
    def summary(self, report: ReaderReport) -> str:
        text = report.summary
        return text if len(text) <= 80 else text[:79] + "…"

    @admin.display(description="page it is about", ordering="page")
    def page_link(self, report: ReaderReport) -> str:
        if not report.page:
            return "-"
        return format_html('<a href="{}">{}</a>', report.page, report.page)

    @admin.display(description="mail")
    def mail_sent(self, report: ReaderReport) -> str:
        said = ["editors told" if report.editors_mailed_at else "editors not told yet"]
        if report.email:
            said.append("reader acknowledged" if report.reader_mailed_at else "reader not yet")
        if report.mail_attempts:
            plural = "s" if report.mail_attempts > 1 else ""
            said.append(f"{report.mail_attempts} failed attempt{plural}")
        return "; ".join(said)

    @admin.display(description="in the review pipeline")
    def review_item_link(self, report: ReaderReport) -> str:
        if report.review_item is None:
            return "not yet: use “Add to the review pipeline” on the list"
        url = reverse("admin:catalogue_reviewitem_change", args=[report.review_item.pk])
        return format_html('<a href="{}">{}</a>', url, report.review_item.name)

    @admin.action(description="Add the selected suggestions to the review pipeline")
    def add_to_pipeline(self, request, queryset):
        if not request.user.has_perm("catalogue.add_reviewitem"):
            self.message_user(request, "You may not add to the review pipeline.", messages.ERROR)
            return
        added = add_to_review_pipeline(queryset)
        left = queryset.count() - len(added)
        if added:
            names = ", ".join(item.name for item in added)
            self.message_user(
                request,
                f"Added to the review pipeline, at the suggested stage and not yet public: {names}.",
                messages.SUCCESS,
            )
        if left:
            self.message_user(
                request,
                f"{left} selected message{'s were' if left > 1 else ' was'} left alone: only "
                "suggestions not already in the pipeline are added.",
                messages.WARNING,
            )
