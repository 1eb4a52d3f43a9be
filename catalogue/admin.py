import datetime
import uuid
from functools import partial

import nested_admin
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.admin.widgets import AdminTextareaWidget
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.text import capfirst, get_text_list

from core.cache import CacheUnavailable
from editors.admin import EditorialAdmin
from editors.filters import ChoicesOnlyFilter, SafeChangeListMixin
from editors.services import publishes
from ratings.scales import EvidenceRating

from .models import (
    EVIDENCE_FIELDS,
    ChildOutcome,
    ExternalRating,
    Finding,
    Intervention,
    OutcomeEvidence,
    ReviewItem,
    ReviewStageEntry,
    Study,
)
from .services import import_interventions, import_studies
from .spreadsheet import count_rows, decode

IMPORT_FOLDER = "imports"
IMPORT_MAX_BYTES = 20 * 1024 * 1024
# Confirming a file whose every row changes an intervention took 6 to 13 s a thousand rows
# here (SQLite and PostgreSQL, 10,000 interventions stored; new rows about 1 s), and a
# request has gunicorn's 30 s: 500 rows leaves a margin of four times or more.
IMPORT_MAX_ROWS = 500
# A staged file left unconfirmed for longer is removed when the next one is staged.
IMPORT_KEPT_FOR = datetime.timedelta(hours=1)


class OutcomeEvidenceInline(nested_admin.NestedTabularInline):
    model = OutcomeEvidence
    fields = ["tag", "impact"]
    extra = 1


# A study on the intervention's change form, in groups.
STUDY_FIELDSETS = [
    (None, {"fields": ["number", "citation", "year", "doi", "registry_ids"]}),
    (
        "Design and rating",
        {
            "fields": [
                "design",
                "level",
                "counts_towards_rating",
                "rating_note",
                "independent",
            ]
        },
    ),
    (
        "Sample and population",
        {
            "fields": [
                "country",
                ("sample_intervention", "sample_comparison"),
                "population_ages",
                "population_need",
                "ethnicity",
            ]
        },
    ),
    ("Measures and limitations", {"fields": ["measures", "limitations"]}),
]

SAMPLE_NOT_NEGATIVE = {"min_value": "A sample size cannot be negative."}


class StudyForm(forms.ModelForm):
    class Meta:
        model = Study
        fields = flatten_fieldsets(STUDY_FIELDSETS)
        error_messages = {
            "sample_intervention": SAMPLE_NOT_NEGATIVE,
            "sample_comparison": SAMPLE_NOT_NEGATIVE,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        number = self.fields["number"]
        number.required = False
        number.help_text = (
            "Its number on this intervention: the page shows it as “Study 1”, … "
            "Leave it empty to give a new study the next number."
        )


class StudyFormSet(nested_admin.NestedInlineFormSet):
    """An intervention's studies as its change form submits them: new ones numbered,
    each number used once, and publishing refused where no submitted study counts
    towards the rating (or, for a published intervention, the last one removed)."""

    def kept_forms(self) -> list[forms.ModelForm]:
        """The forms of the studies this save leaves in place: stored or newly filled in,
        and not deleted."""
        return [
            form
            for index, form in enumerate(self.forms)
            if not (self.can_delete and self._should_delete_form(form))
            and (index < self.initial_form_count() or form.has_changed())
        ]

    def clean(self):
        super().clean()
        kept = self.kept_forms()
        self.number_new_studies(kept)
        intervention = self.instance
        studies = [form.instance for form in kept]
        # The intervention as submitted: the form has set its rating and published box.
        if publishes(intervention):
            problem = intervention.publish_problem(studies=studies)
            if problem:
                raise ValidationError(problem, code="publish_problem")
        elif (
            intervention.published
            # Stored before this save: records published before studies were recorded
            # stay editable, but one that has its evidence cannot lose all of it.
            and intervention.counting_study_count
            and intervention.publish_problem(studies=studies)
        ):
            raise ValidationError(
                f"{intervention.name} is published and rated {intervention.rating_display}, "
                "and this save would leave it no study that counts towards its rating; keep "
                "one, or unpublish it first.",
                code="publish_problem",
            )

    def number_new_studies(self, kept: list[forms.ModelForm]) -> None:
        """Give each study left without a number the next one after those in use."""
        in_use = {form.cleaned_data.get("number") for form in kept} - {None}
        if self.instance.pk is not None:
            # Stored studies this form does not show (none, unless it is stale) keep theirs.
            shown = [form.instance.pk for form in self.forms if form.instance.pk]
            in_use |= set(
                Study.objects.filter(intervention=self.instance)
                .exclude(pk__in=shown)
                .values_list("number", flat=True)
            )
        number = max(in_use, default=0) + 1
        for form in kept:
            if "number" in form.cleaned_data and form.cleaned_data["number"] is None:
                form.cleaned_data["number"] = form.instance.number = number
                number += 1

    def save(self, commit=True):
        if commit:
            self.move_renumbered_studies_aside()
        return super().save(commit)

    def move_renumbered_studies_aside(self) -> None:
        """Give the stored studies whose number changes a number above all others before
        any is saved, so that two may swap numbers without meeting the unique constraint."""
        moving = [
            form.instance.pk
            for form in self.kept_forms()
            if form.instance.pk is not None and "number" in form.changed_data
        ]
        if not moving:
            return
        top = Study.objects.filter(intervention=self.instance).aggregate(top=Max("number"))["top"]
        for offset, pk in enumerate(moving, start=1):
            Study.objects.filter(pk=pk).update(number=top + offset)

    def process_forms_pre_save(self, forms):
        forms = super().process_forms_pre_save(forms)
        # Studies removed go first, so that their numbers are free for the others.
        return sorted(forms, key=lambda form: not self._should_delete_form(form))

    def get_unique_error_message(self, unique_check):
        if "number" in unique_check:
            return "Two studies have the same number: each study's number is used once."
        return super().get_unique_error_message(unique_check)

    def get_form_error(self):
        return "Another study above has this number: choose another, or leave it empty."


class FindingFormSet(nested_admin.NestedInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.instance.pk is not None:
            # Each finding names its study ("Study 1: Improved reading") without a query.
            form.instance.study = self.instance
        return form

    def _should_delete_form(self, form) -> bool:
        # A study removed takes its findings with it, whether or not each is ticked.
        parent = getattr(self, "parent_form", None)
        if parent is not None and parent.parent_formset._should_delete_form(parent):
            return True
        return super()._should_delete_form(form)


class FindingInline(nested_admin.NestedTabularInline):
    model = Finding
    formset = FindingFormSet
    fields = [
        "outcome",
        "sub_outcome",
        "measure",
        "statement",
        "direction",
        "effect_size",
        "improvement_index",
        "months_after_end",
    ]
    formfield_overrides = {models.TextField: {"widget": AdminTextareaWidget(attrs={"rows": 2})}}
    extra = 1

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "outcome":
            # The outcomes, read once for every finding on the page rather than once each.
            if not hasattr(request, "finding_outcome_choices"):
                request.finding_outcome_choices = list(field.choices)
            field.choices = request.finding_outcome_choices
            getattr(field.widget, "widget", field.widget).choices = field.choices
        return field


class ExternalRatingInline(nested_admin.NestedTabularInline):
    """Other clearinghouses' ratings of the intervention, for the crosswalk."""

    model = ExternalRating
    fields = ["clearinghouse", "rating", "area", "checked_on", "url"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    extra = 0
    verbose_name = "other clearinghouse's rating"
    verbose_name_plural = "other clearinghouses' ratings"


class StudyInline(nested_admin.NestedStackedInline):
    model = Study
    form = StudyForm
    formset = StudyFormSet
    inlines = [FindingInline]
    extra = 1
    formfield_overrides = {models.TextField: {"widget": AdminTextareaWidget(attrs={"rows": 3})}}
    fieldsets = STUDY_FIELDSETS


def study_changes(formsets) -> str:
    """What a save changed in the studies and their findings, for the intervention's
    history: "Study 2 added; study 1 changed; 1 finding removed from study 1"."""
    parts = []
    for formset in formsets:
        if formset.model is Study:
            parts += [f"study {study.number} added" for study in formset.new_objects]
            parts += [f"study {study.number} changed" for study, _ in formset.changed_objects]
            parts += [f"study {form.instance.number} removed" for form in formset.deleted_forms]
    for formset in formsets:
        if formset.model is Finding:
            number = formset.instance.number
            for objects, done in [
                (formset.new_objects, f"added to study {number}"),
                (formset.changed_objects, f"changed in study {number}"),
                (formset.deleted_objects, f"removed from study {number}"),
            ]:
                if objects:
                    count = len(objects)
                    parts.append(f"{count} finding{'' if count == 1 else 's'} {done}")
    for formset in formsets:
        if formset.model is ExternalRating and formset.has_changed():
            parts.append("other clearinghouses' ratings changed")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def uk_tested_sentence(intervention: Intervention) -> str:
    """Why an intervention with studies counts as tested in the UK, or not."""
    numbers = [study.number for study in intervention.studies.counting() if study.in_uk]
    if not numbers:
        return "No: no counting study was done in the UK."
    if len(numbers) == 1:
        return f"Yes: study {numbers[0]} is a counting study in the UK."
    return (
        f"Yes: studies {get_text_list([str(number) for number in numbers], 'and')} are "
        "counting studies in the UK."
    )


class CsvUploadForm(forms.Form):
    """A CSV file for an admin import, within the size and row limits a request can take."""

    # The command that imports a larger file, and how to split one.
    command = ""
    split_advice = ""

    def check_data(self, data: bytes) -> None:
        """Refuse the file's content before its rows are counted, where a form needs to."""

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
        self.check_data(data)
        rows = count_rows(data)
        if rows > IMPORT_MAX_ROWS:
            raise forms.ValidationError(
                f"The file has {rows:,} rows; the admin imports at most {IMPORT_MAX_ROWS:,} at "
                f"a time. Split it into files of at most {IMPORT_MAX_ROWS:,} rows"
                f"{self.split_advice} and import each, or ask for it to be imported with the "
                f"{self.command} command."
            )
        return upload


class InterventionImportForm(CsvUploadForm):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            f"UTF-8, with a header row, in the guidebook's export format; at most "
            f"{IMPORT_MAX_ROWS:,} rows."
        ),
    )
    publish = forms.BooleanField(required=False, label="Publish new interventions at once")
    command = "import_interventions"


def staged_import(request) -> tuple[str, bytes] | None:
    """The staged file the confirming form names (its storage name and content), or None
    when the token is not one stage_import gave or the file is gone."""
    token = request.POST.get("token", "")
    name = f"{IMPORT_FOLDER}/{token}.csv"
    if len(token) != 32 or not token.isalnum() or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return name, handle.read()


EXPIRED_IMPORT = "That import has expired or was already done; upload the file again."


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
class InterventionAdmin(nested_admin.NestedModelAdminMixin, EditorialAdmin):
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
    inlines = [OutcomeEvidenceInline, StudyInline, ExternalRatingInline]
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
        (
            "Implementation and cost",
            {"fields": ["delivery", "training", "fidelity", "cost_description", "unit_cost"]},
        ),
    ]

    @admin.display(description="Evidence", ordering="evidence_rating")
    def evidence(self, intervention: Intervention) -> str:
        return intervention.rating_display

    @admin.display(description="Tested in the UK")
    def uk_tested_from_studies(self, intervention: Intervention) -> str:
        return f"{uk_tested_sentence(intervention)} This follows from its studies."

    def has_studies(self, obj: Intervention | None) -> bool:
        # The count refresh_evidence() keeps, rather than a query each time it is asked.
        return obj is not None and obj.study_count > 0

    def get_fieldsets(self, request, obj=None):
        if not self.has_studies(obj):
            return super().get_fieldsets(request, obj)
        # Once it has studies, whether it was tested in the UK follows from them.
        return [
            (
                name,
                {
                    **options,
                    "fields": [
                        "uk_tested_from_studies" if field == "uk_tested" else field
                        for field in options["fields"]
                    ],
                },
            )
            for name, options in super().get_fieldsets(request, obj)
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return [*readonly, "uk_tested_from_studies"] if self.has_studies(obj) else readonly

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        studies_shown = any(
            isinstance(inline, StudyInline) for inline in self.get_inline_instances(request, obj)
        )
        if studies_shown and not form.reverting:
            # The studies' formset checks publishing, against the studies as submitted.
            return type(form.__name__, (form,), {"checks_publishing": False})
        return form

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            intervention = self.get_object(request, unquote(object_id))
            if intervention is not None:
                self.warn_about_rating(request, intervention)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if getattr(request, "reverting", False):
            # A revert restores the old evidence columns too; its studies are today's.
            self.refresh_evidence(obj, reason="")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.refresh_evidence(form.instance, reason=study_changes(formsets))
        self.warn_about_rating(request, form.instance)

    def refresh_evidence(self, intervention: Intervention, *, reason: str) -> None:
        """Bring the evidence columns up to date with the studies just saved, and the
        history entry of this save with them, saying what changed in the studies."""
        Intervention.objects.filter(pk=intervention.pk).refresh_evidence()
        derived = [*EVIDENCE_FIELDS, "uk_tested"]
        intervention.refresh_from_db(fields=derived)
        entry = intervention.history.order_by("-history_date", "-history_id").first()
        if entry is None:
            return
        values = {name: getattr(intervention, name) for name in derived}
        if reason:
            values["history_change_reason"] = reason
        type(entry).objects.filter(pk=entry.pk).update(**values)

    def warn_about_rating(self, request, intervention: Intervention) -> None:
        """Say where the rating and the studies disagree, once each on the next page."""
        pending = {str(message) for message in messages.get_messages(request)}
        for warning in intervention.rating_warnings():
            if warning not in pending:
                messages.warning(request, warning)

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
        staged_file = staged_import(request)
        if staged_file is None:
            messages.error(request, EXPIRED_IMPORT)
            return redirect("admin:catalogue_intervention_import")
        name, data = staged_file
        token = request.POST["token"]
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
        for problem in result.unpublished:
            messages.warning(request, f"Left unpublished: {problem}")
        return redirect(reverse("admin:catalogue_intervention_changelist"))


class ReviewStageEntryInline(admin.TabularInline):
    model = ReviewStageEntry
    fields = ["stage", "entered_on", "note"]
    extra = 1


@admin.register(ReviewItem)
class ReviewItemAdmin(SafeChangeListMixin, EditorialAdmin):
    """The review pipeline: each programme's stage, the dates it entered each, and when a
    decision is expected."""

    list_display = ["name", "stage", "expected", "intervention", "published"]
    list_filter = [("stage", ChoicesOnlyFilter), "published"]
    search_fields = ["name", "provider"]
    autocomplete_fields = ["intervention"]
    fields = [
        "name",
        "provider",
        "intervention",
        "stage",
        ("expected_year", "expected_quarter"),
        "public_note",
        "published",
        "edited_version",
    ]
    inlines = [ReviewStageEntryInline]

    @admin.display(description="decision expected")
    def expected(self, item: ReviewItem) -> str:
        return item.expected


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


class StudyImportForm(CsvUploadForm):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, with a header row, one row per finding, in the format the "
        "export_studies command writes.",
    )
    command = "import_studies"
    split_advice = ", keeping each study's rows together,"

    def check_data(self, data: bytes) -> None:
        _, error = decode(data)
        if error:
            raise forms.ValidationError(f"{capfirst(str(error))}.")


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
    staged_file = staged_import(request)
    if staged_file is None:
        messages.error(request, EXPIRED_IMPORT)
        return redirect("admin:catalogue_intervention_import_studies")
    name, data = staged_file
    token = request.POST["token"]
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
