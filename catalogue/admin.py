import datetime
import uuid
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.text import capfirst

from core.cache import CacheUnavailable
from editors.admin import EditorialAdmin
from ratings.scales import EvidenceRating

from .models import ChildOutcome, Intervention, OutcomeEvidence
from .services import import_interventions, import_studies
from .spreadsheet import count_rows
from .study_spreadsheet import decode

IMPORT_FOLDER = "imports"
IMPORT_MAX_BYTES = 20 * 1024 * 1024
# Confirming a file whose every row changes an intervention took 6 to 13 s a thousand rows
# here (SQLite and PostgreSQL, 10,000 interventions stored; new rows about 1 s), and a
# request has gunicorn's 30 s: 500 rows leaves a margin of four times or more.
IMPORT_MAX_ROWS = 500
# A staged file left unconfirmed for longer is removed when the next one is staged.
IMPORT_KEPT_FOR = datetime.timedelta(hours=1)


class OutcomeEvidenceInline(admin.TabularInline):
    model = OutcomeEvidence
    fields = ["tag", "impact"]
    extra = 1


class InterventionImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            f"UTF-8, with a header row, in the guidebook's export format; at most "
            f"{IMPORT_MAX_ROWS:,} rows."
        ),
    )
    publish = forms.BooleanField(required=False, label="Publish new interventions at once")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                "The file is larger than 20 MB; split it and import each part."
            )
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("Choose a .csv file.")
        rows = count_rows(upload.read())
        upload.seek(0)
        if rows > IMPORT_MAX_ROWS:
            raise forms.ValidationError(
                f"The file has {rows:,} rows; the admin imports at most {IMPORT_MAX_ROWS:,} at "
                f"a time. Split it into files of at most {IMPORT_MAX_ROWS:,} rows and import "
                "each, or ask for it to be imported with the import_interventions command."
            )
        return upload


def stage_import(data: bytes) -> str:
    """Keep an uploaded file until the editor confirms it, removing files left unconfirmed
    for over IMPORT_KEPT_FOR, and return its token."""
    cutoff = timezone.now() - IMPORT_KEPT_FOR
    try:
        _, names = default_storage.listdir(IMPORT_FOLDER)
    except FileNotFoundError:
        names = []
    for name in names:
        try:
            if default_storage.get_modified_time(f"{IMPORT_FOLDER}/{name}") < cutoff:
                default_storage.delete(f"{IMPORT_FOLDER}/{name}")
        except FileNotFoundError:
            pass  # Confirmed or removed by another request meanwhile.
    token = uuid.uuid4().hex
    default_storage.save(f"{IMPORT_FOLDER}/{token}.csv", ContentFile(data))
    return token


class EvidenceLevelFilter(admin.SimpleListFilter):
    title = "evidence rating"
    parameter_name = "evidence"

    def lookups(self, request, model_admin):
        return [(str(rating.value), rating.description) for rating in EvidenceRating] + [
            ("none", "Not yet rated")
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value not in {code for code, _ in self.lookup_choices}:
            # Only a value the filter offers reaches the query; the admin answers anything
            # else with the whole list and a message, as it does a bad lookup.
            raise IncorrectLookupParameters(f"“{value}” is not an evidence rating.")
        if value == "none":
            return queryset.filter(evidence_rating__isnull=True)
        return queryset.filter(evidence_rating=value)


class OutcomeFilter(admin.RelatedOnlyFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The link's own field is called "tag"; editors know it as the child outcome.
        self.title = "child outcome"


@admin.register(Intervention)
class InterventionAdmin(EditorialAdmin):
    list_display = ["name", "evidence", "cost_rating", "provider", "published", "last_reviewed"]
    list_filter = [
        EvidenceLevelFilter,
        "mixed_findings",
        "cost_rating",
        ("outcome_links__tag", OutcomeFilter),
        "published",
    ]
    search_fields = ["name", "slug", "provider"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OutcomeEvidenceInline]
    change_list_template = "admin/catalogue/intervention/change_list.html"
    # An address typed without a scheme is taken as https, as Django 6 will do by default.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "summary",
                    "description",
                    "provider",
                    "website",
                    "published",
                    "edited_version",
                ]
            },
        ),
        (
            "Ratings",
            {"fields": ["evidence_rating", "mixed_findings", "cost_rating", "last_reviewed"]},
        ),
        (
            "Who it is for and how it is delivered",
            {
                "fields": [
                    "age_groups",
                    "level_of_need",
                    "delivery_model",
                    "setting",
                    "workforce",
                    "country",
                    "uk_available",
                    "uk_tested",
                ]
            },
        ),
    ]

    @admin.display(description="Evidence", ordering="evidence_rating")
    def evidence(self, intervention: Intervention) -> str:
        return intervention.rating_display

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="catalogue_intervention_import",
            ),
            study_import_path(self),
        ] + super().get_urls()

    def import_view(self, request):
        """Upload a CSV, see what it would change, then confirm: all rows or none."""
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            return redirect("admin:index")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import interventions",
        }
        if request.method == "POST" and "confirm" in request.POST:
            return self.confirm_import(request, context)
        form = InterventionImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data["file"].read()
            preview = import_interventions(data=data, dry_run=True, user=request.user)
            if preview.ok:
                context["token"] = stage_import(data)
                context["publish"] = form.cleaned_data["publish"]
            context["preview"] = preview
        context["form"] = form
        return TemplateResponse(request, "admin/catalogue/intervention/import.html", context)

    def confirm_import(self, request, context):
        token = request.POST.get("token", "")
        name = f"{IMPORT_FOLDER}/{token}.csv"
        if len(token) != 32 or not token.isalnum() or not default_storage.exists(name):
            messages.error(
                request, "That import has expired or was already done; upload the file again."
            )
            return redirect("admin:catalogue_intervention_import")
        with default_storage.open(name, "rb") as handle:
            data = handle.read()
        publish = request.POST.get("publish") == "on" and self.can_publish(request)
        staged = False
        try:
            result = import_interventions(data=data, publish=publish, user=request.user)
        except CacheUnavailable as error:
            # Nothing was written; the file stays staged, to be confirmed again.
            staged = True
            context.update(
                preview=import_interventions(data=data, dry_run=True, user=request.user),
                token=token,
                publish=publish,
                refused=error.message,
                form=InterventionImportForm(),
            )
            return TemplateResponse(request, "admin/catalogue/intervention/import.html", context)
        finally:
            if not staged:
                # Done or failed, the file is not confirmed again.
                default_storage.delete(name)
        if not result.ok:
            context["preview"] = result
            context["form"] = InterventionImportForm()
            return TemplateResponse(request, "admin/catalogue/intervention/import.html", context)
        messages.success(
            request,
            f"Imported: {len(result.created)} created, {len(result.updated)} updated, "
            f"{result.unchanged} unchanged.",
        )
        return redirect(reverse("admin:catalogue_intervention_changelist"))


@admin.register(ChildOutcome)
class ChildOutcomeAdmin(admin.ModelAdmin):
    """Editors reword the descriptions; the seven outcomes, their names, addresses and
    order are a fixed vocabulary that the seed loads."""

    list_display = ["name", "position", "slug"]
    search_fields = ["name"]
    fields = ["name", "slug", "position", "description"]
    readonly_fields = ["name", "slug", "position"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Importing studies and findings: the page InterventionAdmin.get_urls adds with
# study_import_path(), kept out of the class. It stages and confirms a file as the
# interventions import does, within the same limits.

STUDY_IMPORT_TEMPLATE = "admin/catalogue/intervention/import_studies.html"
# Studies and findings are edited within their intervention, whose version an import raises.
STUDY_IMPORT_PERMISSIONS = [
    "catalogue.change_intervention",
    "catalogue.add_study",
    "catalogue.change_study",
    "catalogue.add_finding",
    "catalogue.change_finding",
    "catalogue.delete_finding",
]


class StudyImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, with a header row, one row per finding, in the format the "
        "export_studies command writes.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {IMPORT_MAX_BYTES // 2**20} MB; split it and "
                "import each part."
            )
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("Choose a .csv file.")
        data = upload.read()
        upload.seek(0)
        _, error = decode(data)
        if error:
            raise forms.ValidationError(f"{capfirst(str(error))}.")
        rows = count_rows(data)
        if rows > IMPORT_MAX_ROWS:
            raise forms.ValidationError(
                f"The file has {rows:,} rows; the admin imports at most {IMPORT_MAX_ROWS:,} at "
                f"a time. Split it into files of at most {IMPORT_MAX_ROWS:,} rows, keeping "
                "each study's rows together, and import each, or ask for it to be imported "
                "with the import_studies command."
            )
        return upload


def study_import_path(model_admin: admin.ModelAdmin) -> URLPattern:
    """The address of the studies import, under the interventions' admin."""
    view = model_admin.admin_site.admin_view(partial(import_studies_view, model_admin))
    return path("import-studies/", view, name="catalogue_intervention_import_studies")


def import_studies_view(model_admin: admin.ModelAdmin, request) -> HttpResponse:
    """Upload a studies CSV, see what it would change, then confirm: all rows or none."""
    if not request.user.has_perms(STUDY_IMPORT_PERMISSIONS):
        return redirect("admin:index")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Import studies",
    }
    if request.method == "POST" and "confirm" in request.POST:
        return confirm_study_import(request, context)
    form = StudyImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        preview = import_studies(data=data, dry_run=True, user=request.user)
        if preview.ok:
            context["token"] = stage_import(data)
        context["preview"] = preview
    context["form"] = form
    return TemplateResponse(request, STUDY_IMPORT_TEMPLATE, context)


def confirm_study_import(request, context: dict) -> HttpResponse:
    token = request.POST.get("token", "")
    name = f"{IMPORT_FOLDER}/{token}.csv"
    if len(token) != 32 or not token.isalnum() or not default_storage.exists(name):
        messages.error(
            request, "That import has expired or was already done; upload the file again."
        )
        return redirect("admin:catalogue_intervention_import_studies")
    with default_storage.open(name, "rb") as handle:
        data = handle.read()
    staged = False
    try:
        result = import_studies(data=data, user=request.user)
    except CacheUnavailable as error:
        # Nothing was written; the file stays staged, to be confirmed again.
        staged = True
        context.update(
            preview=import_studies(data=data, dry_run=True, user=request.user),
            token=token,
            refused=error.message,
            form=StudyImportForm(),
        )
        return TemplateResponse(request, STUDY_IMPORT_TEMPLATE, context)
    finally:
        if not staged:
            # Done or failed, the file is not confirmed again.
            default_storage.delete(name)
    if not result.ok:
        # The stored studies changed since the preview in a way the file now breaks.
        context.update(preview=result, form=StudyImportForm())
        return TemplateResponse(request, STUDY_IMPORT_TEMPLATE, context)
    messages.success(
        request,
        f"Imported studies: {len(result.created)} created, {len(result.updated)} updated, "
        f"{result.unchanged} unchanged.",
    )
    return redirect(reverse("admin:catalogue_intervention_changelist"))
