import datetime
import secrets
from pathlib import PurePosixPath

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Window
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager
from taggit.models import ItemBase, NaturalKeyManager, TagBase

from core.addresses import record_url
from core.cache import cached_until_changed, lists_tag, record_tag
from core.fields import MonthField
from core.folding import folded, folded_page, folded_rows, keep_related, own_fields, unfolded
from core.models import TimeStampedModel
from core.search import ranked, search_words, word_matches
from core.text import render_markdown
from editors.changes import Change, change_log, with_change_log
from editors.models import PublishableQuerySet, VersionedModel

from .validators import DOCUMENT_TYPES, validate_document


class StudyType(models.TextChoices):
    FEASIBILITY = "feasibility", "Feasibility study"
    PILOT = "pilot", "Pilot study"
    EFFICACY = "efficacy", "Efficacy trial"
    EFFECTIVENESS = "effectiveness", "Effectiveness trial"
    QUALITATIVE = "qualitative", "Qualitative study"
    EVIDENCE_REVIEW = "evidence-review", "Evidence review"
    OUTCOME_MEASURE = "outcome-measure", "Outcome measure development"
    OTHER = "other", "Other"


class Status(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in-progress", "In progress"
    COMPLETED = "completed", "Completed"
    PAUSED = "paused", "Paused"
    DISCONTINUED = "discontinued", "Discontinued"


class Role(models.TextChoices):
    DELIVERY = "delivery", "Delivery partner"
    EVALUATION = "evaluation", "Evaluation partner"


class OrganisationQuerySet(models.QuerySet):
    def ranked_search(self, text: str) -> "OrganisationQuerySet":
        """Partners whose name matches text, best first (site search)."""
        return ranked(self, text, {"name": "A"}, excerpt_from=["name"])

    def with_published_projects(self) -> "OrganisationQuerySet":
        return self.filter(
            Exists(Partnership.objects.filter(organisation=OuterRef("pk"), project__published=True))
        )

    def with_project_counts(self) -> "OrganisationQuerySet":
        """Partners of published projects, each with `project_count`, how many it has."""
        # Filtering before annotating counts only the published projects; distinct, as an
        # organisation may both deliver and evaluate one.
        return self.filter(partnerships__project__published=True).annotate(
            project_count=Count("partnerships__project", distinct=True)
        )

    def most_active(self, number: int) -> "OrganisationQuerySet":
        """The `number` partners with the most published projects, each also carrying
        `partner_total`, how many partners there are in all: both in one query."""
        return (
            self.with_project_counts()
            .annotate(partner_total=Window(Count("*")))
            .order_by("-project_count", "name")[:number]
        )

    def cached_most_active(self, number: int) -> list["Organisation"]:
        """most_active(number), from the data cache until lists of projects change (a
        partnership or a publication does): at 20,000 projects it counts every published
        partnership."""
        return cached_until_changed(
            ("most-active-partners", number),
            lambda: list(self.most_active(number)),
            tags=[lists_tag(Project)],
        )

    def named(self, text: str) -> "OrganisationQuerySet":
        """Partners whose name holds every word of text, whatever its case."""
        partners = self
        for word in search_words(text):
            partners = partners.filter(name__icontains=word)
        return partners


class Organisation(TimeStampedModel):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(
        max_length=200, unique=True, help_text="Used in the partner's web address."
    )
    website = models.URLField(blank=True, help_text="The organisation's own site, if it has one.")

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("projects:partner-detail", self.slug)


class TopicQuerySet(models.QuerySet):
    def in_use(self) -> "TopicQuerySet":
        """Topics of at least one published project."""
        return self.filter(
            Exists(TaggedProject.objects.filter(tag=OuterRef("pk"), content_object__published=True))
        )


class Topic(TagBase):
    """A free subject tag for projects ("domestic abuse"), chosen by editors."""

    objects = NaturalKeyManager.from_queryset(TopicQuerySet)()

    class Meta:
        ordering = ["name"]

    def get_absolute_url(self) -> str:
        return reverse("projects:project-list") + f"?topic={self.slug}"


class TaggedProject(ItemBase):
    tag = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="tagged_projects")
    content_object = models.ForeignKey(
        "Project", on_delete=models.CASCADE, related_name="tagged_topics"
    )

    class Meta:
        verbose_name = "topic"
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_project_unique")
        ]

    def cache_tags(self, changed) -> set[str]:
        return Project(pk=self.content_object_id).cache_tags(None)


# Raised when a project may join or leave others' related projects: its topics, partners,
# interventions, curated links or publication changed.
RELATED_TAG = "projects.project:related"

# A curated link outweighs any number of shared topics, partners and interventions.
RELATED_SQL = """
SELECT links.project_id FROM (
    SELECT to_project_id AS project_id, 1000 AS weight FROM {related}
    WHERE from_project_id = %(pk)s
    UNION ALL
    SELECT content_object_id, 1 FROM {tagged}
    WHERE tag_id IN (SELECT tag_id FROM {tagged} WHERE content_object_id = %(pk)s)
    UNION ALL
    SELECT project_id, 1 FROM (
        SELECT DISTINCT project_id, organisation_id FROM {partnership}
        WHERE organisation_id IN (SELECT organisation_id FROM {partnership} WHERE project_id = %(pk)s)
    ) AS shared_partners
    UNION ALL
    SELECT project_id, 1 FROM {studied}
    WHERE intervention_id IN (SELECT intervention_id FROM {studied} WHERE project_id = %(pk)s)
) AS links
JOIN {project} AS project ON project.id = links.project_id
WHERE links.project_id <> %(pk)s AND project.published
GROUP BY links.project_id, project.created
ORDER BY SUM(links.weight) DESC, project.created DESC, links.project_id
"""


def overdue_condition(today: datetime.date | None = None) -> Q:
    """Still in progress after the month its completion was estimated for."""
    month_start = (today or timezone.localdate()).replace(day=1)
    # The explicit not-null test makes the with_overdue() flag False, not NULL, for projects
    # without an estimate, so the admin shows "no" rather than "unknown" and sorts them together.
    return Q(
        status=Status.IN_PROGRESS,
        estimated_completion__isnull=False,
        estimated_completion__lt=month_start,
    )


# The fields whose changes the public change log lists.
CHANGE_LOG_FIELDS = ["status", "estimated_completion", "due_date", "completed_on"]


def unfold_page(project: "Project") -> None:
    """Make the rows ProjectQuerySet.page() folded into its query the related records the
    project's managers give, in the order of each model's Meta.ordering."""
    topics = unfolded(Topic, folded(project.folded_topics))
    keep_related(project, "topics", sorted(topics, key=lambda topic: topic.name))
    questions = unfolded(ResearchQuestion, folded(project.folded_questions))
    questions.sort(key=lambda question: (question.position, question.pk))
    keep_related(project, "research_questions", questions)
    documents = unfolded(Document, folded(project.folded_documents))
    for record in [*questions, *documents]:
        record.project = project
    keep_related(project, "documents", sorted(documents, key=lambda d: (d.kind, d.title)))
    intervention = Project._meta.get_field("interventions").related_model
    studied = unfolded(intervention, folded(project.folded_interventions))
    keep_related(project, "interventions", sorted(studied, key=lambda i: (i.name, i.pk)))
    rows = folded(project.folded_partnerships)
    partnerships = unfolded(Partnership, rows)
    for partnership, row in zip(partnerships, rows, strict=True):
        partnership.organisation = unfolded(Organisation, [row["organisation"]])[0]
        partnership.project = project
    partnerships.sort(key=lambda p: (p.role, p.organisation.name))
    keep_related(project, "partnerships", partnerships)


class ProjectQuerySet(PublishableQuerySet):
    def page(self, slug: str, *, drafts: bool) -> "Project":
        """The project of this slug (published, or any with drafts) with what its page
        shows, in one query: its topics, research questions, documents, the published
        interventions it studies and its partners, folded in as JSON lists and read back
        as prefetch_related() would give them (core.folding.folded_page)."""
        return folded_page(self, slug, drafts=drafts, unfold=unfold_page)

    def with_page_rows(self) -> "ProjectQuerySet":
        """Each project with the related rows its page shows, as JSON lists."""
        intervention = self.model._meta.get_field("interventions").related_model
        organisation = {name: f"organisation__{name}" for name in own_fields(Organisation)}
        topic = {name: f"tag__{name}" for name in own_fields(Topic)}
        return self.annotate(
            folded_topics=folded_rows(TaggedProject.objects, "content_object", topic),
            folded_questions=folded_rows(
                ResearchQuestion.objects, "project", own_fields(ResearchQuestion)
            ),
            folded_documents=folded_rows(Document.objects, "project", own_fields(Document)),
            folded_interventions=folded_rows(
                intervention.objects.published(),
                "projects",
                {"id": "id", "name": "name", "slug": "slug"},
            ),
            folded_partnerships=folded_rows(
                Partnership.objects,
                "project",
                {**own_fields(Partnership), "organisation": JSONObject(**organisation)},
            ),
            **with_change_log(self.model, CHANGE_LOG_FIELDS),
        )

    def overdue(self) -> "ProjectQuerySet":
        return self.filter(overdue_condition())

    def with_overdue(self) -> "ProjectQuerySet":
        return self.annotate(
            is_overdue=models.ExpressionWrapper(
                overdue_condition(), output_field=models.BooleanField()
            )
        )

    def for_cards(self) -> "ProjectQuerySet":
        """Load what a project card shows, in a fixed number of queries, leaving out the
        long texts a card does not show. The topics come as a plain list: prefetched into
        the manager, they would cost a queryset built for every card."""
        return self.prefetch_related(Prefetch("topics", to_attr="card_topics")).defer(
            "body", "body_html", "search_document"
        )

    def search(self, text: str) -> "ProjectQuerySet":
        """Projects with every word of text in their title, summary or body (found through
        the site search's index on PostgreSQL) or in a partner's name."""
        queryset = self
        for word in search_words(text):
            # Each found on its own, so that PostgreSQL can read the first from the index.
            written = Project.objects.filter(word_matches(Project.SEARCH_WEIGHTS, word))
            partnered = Partnership.objects.filter(organisation__name__icontains=word)
            queryset = queryset.filter(
                Q(pk__in=written.values("pk")) | Q(pk__in=partnered.values("project"))
            )
        return queryset

    def ranked_search(self, text: str) -> "ProjectQuerySet":
        """Projects matching text, best first, with a highlighted excerpt (site search)."""
        return ranked(self, text, Project.SEARCH_WEIGHTS, excerpt_from=["summary", "body"])

    def with_topic(self, topic: "Topic") -> "ProjectQuerySet":
        return self.filter(
            Exists(TaggedProject.objects.filter(content_object=OuterRef("pk"), tag=topic))
        )

    def with_partner(self, organisation: Organisation) -> "ProjectQuerySet":
        return self.filter(
            Exists(Partnership.objects.filter(project=OuterRef("pk"), organisation=organisation))
        )

    def related_ids(self, project: "Project") -> list[int]:
        """Published projects related to project, best first: those an editor linked, then
        those sharing the most topics, partners and interventions with it. One grouped
        query over the link tables, kept in the cache until the content changes."""

        def rank() -> list[int]:
            sql = RELATED_SQL.format(
                project=Project._meta.db_table,
                related=Project.related_projects.through._meta.db_table,
                tagged=TaggedProject._meta.db_table,
                partnership=Partnership._meta.db_table,
                studied=Project.interventions.through._meta.db_table,
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, {"pk": project.pk})
                return [row[0] for row in cursor.fetchall()]

        return cached_until_changed(("related-projects", project.pk), rank, tags=[RELATED_TAG])

    def in_order(self, ids: list[int]) -> list["Project"]:
        """These projects, in the order of ids."""
        found = self.filter(pk__in=ids).in_bulk()
        return [found[pk] for pk in ids if pk in found]


DUE_DATE_BEFORE_START_MESSAGE = "The due date cannot be before the start date."


COMPLETION_NEEDS_MONTH_MESSAGE = "A completed project needs the month it was completed."


class Project(VersionedModel, TimeStampedModel):
    title = models.CharField(max_length=255)
    slug = models.SlugField(
        max_length=255, unique=True, help_text="Used in the project's web address; keep it stable."
    )
    summary = models.TextField(
        help_text="One or two plain sentences shown in lists and at the top of the page."
    )
    body = models.TextField(
        blank=True,
        help_text="The full description. Markdown: blank lines between paragraphs, "
        "“- ” for bullet points, “1. ” for numbered lists, “## ” for a heading.",
    )
    # The body rendered once, when it is saved, rather than on every view.
    body_html = models.TextField(blank=True, editable=False)
    study_type = models.CharField(max_length=20, choices=StudyType)
    status = models.CharField(max_length=20, choices=Status, default=Status.PLANNED)
    start_date = models.DateField(null=True, blank=True)
    estimated_completion = MonthField(
        null=True, blank=True, help_text="The month the project is expected to finish."
    )
    due_date = models.DateField(
        null=True,
        blank=True,
        help_text="The date the final report is due; shown publicly as a month and year.",
    )
    completed_on = MonthField(
        "completed in",
        null=True,
        blank=True,
        help_text="The month the project was completed; needed when its status is completed.",
    )
    topics = TaggableManager(
        through=TaggedProject,
        blank=True,
        related_name="projects",
        # Read in order wherever they are listed, prefetched or not.
        ordering=["name"],
    )
    related_projects = models.ManyToManyField(
        "self",
        blank=True,
        help_text="Projects to show as related, first. Others sharing topics or partners "
        "follow automatically.",
    )
    interventions = models.ManyToManyField(
        "catalogue.Intervention",
        blank=True,
        related_name="projects",
        help_text="Interventions from the guidebook this project studies.",
    )
    published = models.BooleanField(
        default=False, help_text="Only published projects are shown to the public."
    )

    # The weighted text the site search matches and ranks, kept by a PostgreSQL trigger
    # (see core.search.add_search_document); unused, and left empty, on SQLite.
    search_document = SearchVectorField(null=True, editable=False)

    objects = ProjectQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_document"])

    # The site search weighs a match in the title above the summary above the body.
    SEARCH_WEIGHTS = {"title": "A", "summary": "B", "body": "C"}
    # Shown on the project's own page alone: a save that changes only these leaves lists
    # of projects (their cards, filters and order) as they were.
    DETAIL_ONLY_FIELDS = frozenset({"body", "body_html", "start_date", "due_date"})

    class Meta:
        ordering = ["-created", "title"]
        permissions = [("publish_project", "Can publish and unpublish projects")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=Status.COMPLETED, completed_on__isnull=False)
                | (~Q(status=Status.COMPLETED) & Q(completed_on__isnull=True)),
                name="project_completed_has_month",
                violation_error_message=COMPLETION_NEEDS_MONTH_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(due_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(due_date__gte=F("start_date")),
                name="project_due_date_not_before_start",
                violation_error_message=DUE_DATE_BEFORE_START_MESSAGE,
            ),
        ]
        indexes = [
            # The public project list: published projects, newest first.
            models.Index(
                F("created").desc(), name="project_published_newest", condition=Q(published=True)
            ),
            # The admin's overdue filter and count: in-progress projects by completion month.
            models.Index(
                fields=["status", "estimated_completion"], name="project_status_completion"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("projects:project-detail", self.slug)

    def cache_tags(self, changed: set[str] | None) -> set[str]:
        """The cached pages a change to this project makes stale, given the fields it
        changed (None: any): its own; unless only its own page's texts changed, lists of
        projects and the pages of the interventions it studies (they list it); and the
        related projects' rankings when it may join or leave them."""
        tags = {record_tag(Project, self.pk)}
        if changed is None or changed - self.DETAIL_ONLY_FIELDS:
            tags.add(lists_tag(Project))
            studied = self.interventions.values_list("pk", flat=True)
            tags.update(record_tag(self.interventions.model, pk) for pk in studied)
        if changed is None or "published" in changed:
            tags.add(RELATED_TAG)
        return tags

    def structured_data(self) -> dict:
        """The project as a schema.org ResearchProject, for search engines."""
        partners = [p.organisation for p in self.partnerships.all()]
        return {
            "@type": "ResearchProject",
            "name": self.title,
            "description": self.summary,
            "foundingDate": self.start_date,
            "dissolutionDate": self.completed_on,
            "keywords": [topic.name for topic in self.topics.all()],
            "member": [
                {"@type": "Organization", "name": organisation.name}
                for organisation in dict.fromkeys(partners)
            ],
        }

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)

    def schedule_changes(self) -> list[Change]:
        """Changes to the status and dates, and corrections after readers' reports, newest
        first, for the public change log."""
        return change_log(self, CHANGE_LOG_FIELDS)

    def clean(self):
        errors = {}
        if (
            self.start_date
            and self.estimated_completion
            and self.start_date.replace(day=1) > self.estimated_completion
        ):
            errors["estimated_completion"] = (
                "The estimated completion cannot be before the start date: a project "
                "cannot finish before it begins."
            )
        if self.status != Status.COMPLETED:
            # Only a completed project has a completion month; reopening one clears it.
            self.completed_on = None
        elif self.completed_on is None:
            errors["completed_on"] = COMPLETION_NEEDS_MONTH_MESSAGE
        elif self.completed_on > timezone.localdate().replace(day=1):
            errors["completed_on"] = (
                "The completion month is in the future: a project is marked completed "
                "only once it has finished."
            )
        elif self.start_date and self.start_date.replace(day=1) > self.completed_on:
            errors["completed_on"] = "The completion month cannot be before the start date."
        # The admin list edits the due date without the start date on its form, so the
        # check constraint is skipped there; without this the database would refuse the save.
        if self.start_date and self.due_date and self.due_date < self.start_date:
            errors["due_date"] = DUE_DATE_BEFORE_START_MESSAGE
        if errors:
            raise ValidationError(errors)


class Partnership(models.Model):
    """An organisation's part in a project; one organisation may both deliver and evaluate."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partnerships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="partnerships"
    )
    role = models.CharField(max_length=20, choices=Role, default=Role.DELIVERY)

    class Meta:
        ordering = ["role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation", "role"],
                name="partnership_unique_role",
                violation_error_message="This organisation already has that role in the project.",
            )
        ]
        indexes = [
            # The partner page: an organisation's projects by role.
            models.Index(fields=["organisation", "role"], name="partnership_organisation_role"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}, {self.get_role_display().lower()} of {self.project}"

    def cache_tags(self, changed) -> set[str]:
        return Project(pk=self.project_id).cache_tags(None)


class ResearchQuestion(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="research_questions"
    )
    text = models.TextField()
    position = models.PositiveSmallIntegerField(
        default=1, help_text="Questions are numbered in this order."
    )

    class Meta:
        ordering = ["project", "position", "pk"]

    def __str__(self) -> str:
        return self.text

    def cache_tags(self, changed) -> set[str]:
        return {record_tag(Project, self.project_id)}


class DocumentKind(models.TextChoices):
    PROTOCOL = "protocol", "Protocol"
    REPORT = "report", "Report"
    SUMMARY = "summary", "Summary"
    OTHER = "other", "Other"


def document_upload_to(document: "Document", filename: str) -> str:
    """A safe, unique name: the project's folder, the name made a slug, a random suffix."""
    path = PurePosixPath(filename)
    stem = slugify(path.stem)[:80] or "document"
    return f"documents/{document.project.slug}/{stem}-{secrets.token_hex(4)}{path.suffix.lower()}"


class Document(TimeStampedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=255)
    kind = models.CharField(max_length=20, choices=DocumentKind, default=DocumentKind.REPORT)
    file = models.FileField(
        upload_to=document_upload_to,
        blank=True,
        max_length=255,
        validators=[validate_document],
        help_text="PDF, DOCX, ODT, XLSX or CSV, at most 25 MB. Leave empty if the document "
        "is not ready: the title is listed without a link.",
    )
    size = models.PositiveBigIntegerField(
        null=True, editable=False, help_text="The file's size in bytes, kept to show it cheaply."
    )

    # Replacing a file keeps the old one: its name stays in the history.
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title

    def cache_tags(self, changed) -> set[str]:
        return {record_tag(Project, self.project_id)}

    def save(self, *args, **kwargs):
        self.size = self.file.size if self.file else None
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return record_url("projects:document-download", self.project.slug, self.pk)

    @property
    def extension(self) -> str:
        return PurePosixPath(self.file.name).suffix.lower()

    @property
    def file_type(self) -> str:
        """The file's type as people name it: "PDF", "DOCX"."""
        return self.extension.lstrip(".").upper()

    @property
    def content_type(self) -> str:
        return DOCUMENT_TYPES.get(self.extension, "application/octet-stream")
