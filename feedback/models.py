import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.models import TimeStampedModel

# What a reader may write in each box: enough for a clear account, not for a document.
TEXT_MAX_LENGTH = 1250
# How many times the acknowledgement to a reader is tried before it is given up.
READER_MAIL_ATTEMPTS = 5


class Kind(models.TextChoices):
    PROBLEM = "problem", "Problem with a page"
    SUGGESTION = "suggestion", "Suggested programme"
    EVIDENCE = "evidence", "New evidence"


class State(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in-progress", "In progress"
    DONE = "done", "Done"
    NO_ACTION = "no-action", "No action"


class ReaderReportQuerySet(models.QuerySet):
    def new(self):
        return self.filter(state=State.NEW)

    def mail_due(self, *, editors: bool):
        """Reports whose mail has not gone yet: to the editors (when they have an
        address), or the acknowledgement to a reader's address, tried a few times only,
        as an address that does not exist is refused for ever."""
        due = ~Q(email="") & Q(
            reader_mailed_at__isnull=True, mail_attempts__lt=READER_MAIL_ATTEMPTS
        )
        if editors:
            due |= Q(editors_mailed_at__isnull=True)
        return self.filter(due).order_by("created", "pk")

    def corrections(self):
        """Reports, now done, that led to a correction of the record they are linked to."""
        return self.filter(state=State.DONE, corrected_on__isnull=False)

    def correction_days(self):
        """The days on which reports led to a correction: for the change log of the
        record they are linked to."""
        days = self.corrections().order_by("-corrected_on").values_list("corrected_on", flat=True)
        return days.distinct()

    def with_address_kept_past(self, days: int):
        """Reports older than days that still hold the reader's e-mail address."""
        cutoff = timezone.now() - datetime.timedelta(days=days)
        return self.filter(created__lt=cutoff).exclude(email="")


class ReaderReport(TimeStampedModel):
    """What a reader sent the editors: a problem with a page, a programme to consider, or
    evidence for a listed one. Stored before any mail is sent, so none is lost."""

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PROBLEM)
    page = models.CharField(
        "page it is about",
        max_length=500,
        blank=True,
        help_text="A page of this site, as its path.",
    )
    # A problem with a page.
    doing = models.TextField("what they were doing", max_length=TEXT_MAX_LENGTH, blank=True)
    wrong = models.TextField("what went wrong", max_length=TEXT_MAX_LENGTH, blank=True)
    # A programme suggested for the guidebook.
    programme = models.CharField("programme's name", max_length=200, blank=True)
    provider = models.CharField(max_length=200, blank=True)
    programme_website = models.URLField("programme's website", max_length=500, blank=True)
    evaluations = models.TextField("links to evaluations", max_length=TEXT_MAX_LENGTH, blank=True)
    # New evidence for a listed intervention.
    intervention = models.ForeignKey(
        "catalogue.Intervention",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reader_reports",
    )
    citation = models.TextField(max_length=TEXT_MAX_LENGTH, blank=True)
    link = models.URLField("DOI or link", max_length=500, blank=True)
    review_item = models.OneToOneField(
        "catalogue.ReviewItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="suggestion",
        help_text="The review pipeline's entry made from this suggestion.",
    )
    # Why the programme should be reviewed, or what the evidence adds.
    why = models.TextField("why, in their words", max_length=TEXT_MAX_LENGTH, blank=True)
    email = models.EmailField(
        "reader's e-mail address",
        blank=True,
        help_text="For a reply; removed after the retention period the privacy notice gives.",
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.NEW)
    # What the report led to: once it is done, that record's public change log says it
    # was corrected after a reader's report (never who sent it).
    corrected_intervention = models.ForeignKey(
        "catalogue.Intervention",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name="intervention it led to correcting",
    )
    corrected_project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name="project it led to correcting",
    )
    corrected_on = models.DateField(
        "date of the correction",
        null=True,
        blank=True,
        help_text="Shown in that record's change log; today, if left empty.",
    )
    note = models.TextField(blank=True, help_text="The editors' own; never shown publicly.")
    editors_mailed_at = models.DateTimeField("editors told", null=True, blank=True, editable=False)
    reader_mailed_at = models.DateTimeField(
        "reader acknowledged", null=True, blank=True, editable=False
    )
    mail_attempts = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = ReaderReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = "reader's report"
        verbose_name_plural = "readers' reports"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="report_kind_known"),
            models.CheckConstraint(condition=Q(state__in=State.values), name="report_state_known"),
            models.CheckConstraint(
                condition=~Q(kind=Kind.PROBLEM) | ~Q(doing="") | ~Q(wrong=""),
                name="problem_report_says_something",
                violation_error_message="Say what you were doing or what went wrong.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=Kind.SUGGESTION) | ~Q(programme=""),
                name="suggestion_names_a_programme",
                violation_error_message="Give the programme's name.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=Kind.EVIDENCE) | ~Q(citation="") | ~Q(link=""),
                name="evidence_says_where_it_is",
                violation_error_message="Give the evidence's citation, or a DOI or link.",
            ),
            models.CheckConstraint(
                condition=Q(corrected_intervention__isnull=True)
                | Q(corrected_project__isnull=True),
                name="report_corrects_one_record",
                violation_error_message="Link the report to one record it led to correcting.",
            ),
        ]
        indexes = [
            # The inbox: newest first, by state.
            models.Index(fields=["state", "-created"], name="report_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary[:60]}"

    def clean(self):
        corrects = self.corrected_intervention_id or self.corrected_project_id
        if corrects and self.state != State.DONE:
            raise ValidationError(
                {"state": "Mark the report done when you link it to the correction it led to."}
            )
        if corrects and self.corrected_on is None:
            self.corrected_on = timezone.localdate()

    @property
    def summary(self) -> str:
        """What the report is, in a line for the inbox."""
        if self.kind == Kind.SUGGESTION:
            return self.programme + (f" ({self.provider})" if self.provider else "")
        if self.kind == Kind.EVIDENCE:
            return self.citation or self.link
        return self.wrong or self.doing
