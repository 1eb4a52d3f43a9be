from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, Func, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils.text import capfirst
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager
from taggit.models import ItemBase, NaturalKeyManager, TagBase

from core.fields import MultipleChoiceField
from core.models import TimeStampedModel
from core.search import ranked, search_words
from core.text import render_markdown
from editors.changes import Change, public_changes
from editors.models import PublishableQuerySet, VersionedModel
from ratings.scales import CostRating, EvidenceRating


class Characteristic(models.TextChoices):
    """Who an intervention is for or how it is delivered, stored and written in the CSV as
    its code ("0-2", "early-years"), several to an intervention."""

    @classmethod
    def from_codes(cls, text: str) -> list["Characteristic"]:
        """Read a CSV cell's codes, separated by ";", in the order of the choices; raise
        ValueError with the codes that are not one of them, as written."""
        codes = [item.strip() for item in text.split(";") if item.strip()]
        unknown = [code for code in codes if code not in cls.values]
        if unknown:
            raise ValueError(*unknown)
        return [choice for choice in cls if choice in codes]


class AgeGroup(Characteristic):
    PRENATAL = "prenatal", "Before birth"
    BABIES = "0-2", "Babies and toddlers (0–2)"
    PRE_SCHOOL = "3-5", "Pre-school (3–5)"
    PRIMARY = "6-11", "Primary school (6–11)"
    SECONDARY = "12-18", "Secondary school (12–18)"
    YOUNG_ADULTS = "18-25", "Young adults (18–25)"


class LevelOfNeed(Characteristic):
    UNIVERSAL = "universal", "Universal"
    TARGETED_SELECTED = "targeted-selected", "Targeted selected"
    TARGETED_INDICATED = "targeted-indicated", "Targeted indicated"


class DeliveryModel(Characteristic):
    INDIVIDUAL = "individual", "Individual"
    GROUP = "group", "Group"
    FAMILY = "family", "Whole family"
    ONLINE = "online", "Online or remote"


class Setting(Characteristic):
    HOME = "home", "Home"
    EARLY_YEARS = "early-years", "Children’s centre or early years setting"
    SCHOOL = "school", "School"
    COMMUNITY = "community", "Community"
    HEALTH = "health", "Health service"
    SOCIAL_CARE = "social-care", "Children’s social care"
    YOUTH_JUSTICE = "youth-justice", "Youth justice"


EVIDENCE_RATING_MESSAGE = (
    "The evidence rating must be one of "
    + ", ".join(rating.label for rating in EvidenceRating.levels())
    + f", {EvidenceRating.BELOW_LEVEL_2.label} or {EvidenceRating.NOT_EFFECTIVE.label}, "
    "or empty while the intervention is not yet rated."
)
COST_RATING_MESSAGE = (
    "The cost rating must be one of "
    + ", ".join(rating.label for rating in CostRating.levels())
    + f" or {CostRating.NOT_APPLICABLE.label}, or empty while the cost is not yet rated."
)
STAR_NEEDS_LEVEL_MESSAGE = "Only an intervention rated 2 to 4+ can carry the mixed-findings star."

# A page of its own lives at this address, so no intervention may take it as its slug.
RESERVED_SLUGS = {"other-programmes", "compare", "feed"}


class ChildOutcomeQuerySet(models.QuerySet):
    def ranked_search(self, text: str) -> "ChildOutcomeQuerySet":
        """Outcomes matching text, best first (site search)."""
        return ranked(self, text, {"name": "A", "description": "B"}, excerpt_from=["description"])

    def with_published_counts(self) -> "ChildOutcomeQuerySet":
        return self.annotate(
            intervention_count=models.Count(
                "intervention_links",
                filter=Q(intervention_links__content_object__published=True),
            )
        )


class ChildOutcome(TagBase):
    """One of the child outcomes interventions are rated against: a controlled
    vocabulary that editors describe but the public cannot extend."""

    description = models.TextField(help_text="What this outcome covers, for the public.")
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Outcomes are listed in this order."
    )

    objects = NaturalKeyManager.from_queryset(ChildOutcomeQuerySet)()

    class Meta:
        ordering = ["position", "name"]

    def get_absolute_url(self) -> str:
        return reverse("catalogue:outcome-detail", args=[self.slug])

    def structured_data(self) -> dict:
        """The outcome as a schema.org DefinedTerm, for search engines."""
        return {"@type": "DefinedTerm", "name": self.name, "description": self.description}


class OutcomeEvidence(ItemBase):
    """An intervention's evidence on one child outcome, with the impact found."""

    tag = models.ForeignKey(
        ChildOutcome, on_delete=models.PROTECT, related_name="intervention_links"
    )
    content_object = models.ForeignKey(
        "Intervention", on_delete=models.CASCADE, related_name="outcome_links"
    )
    impact = models.TextField(
        blank=True, help_text="The impact found on this outcome, in a sentence or two."
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "child outcome"
        ordering = ["tag__position", "tag__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="outcome_evidence_unique"
            )
        ]
        indexes = [
            # The outcome filter and facet: interventions with a given outcome.
            models.Index(fields=["tag", "content_object"], name="outcome_evidence_tag"),
        ]

    def __str__(self) -> str:
        return f"{self.content_object}: {self.tag}"


def rated_or(field: str, unrated: int) -> Func:
    """COALESCE(field, unrated) with the number written into the SQL, not passed as a
    parameter: SQLite reads a sort from an index only if the expressions are identical,
    and a parameter never is."""
    return Func(F(field), template=f"COALESCE(%(expressions)s, {unrated:d})")


# The guidebook's sorts, with unrated entries last, written so that SQLite and PostgreSQL
# order them alike and each can read them from an index in that very order.
STRONGEST_FIRST = rated_or("evidence_rating", 0).desc()
CHEAPEST_FIRST = rated_or("cost_rating", 99).asc()
# Every guidebook query filters on the ratings, so the sort indexes carry them: a page's
# rows, however deep, are then found from the index alone, without reading each skipped
# row from the table. They follow the sort's own columns in the key, where SQLite (which
# has no INCLUDE) can use them too; name and id already decide the order.
RATING_COLUMNS = ["evidence_rating", "cost_rating", "mixed_findings"]


def guidebook_sort_index(*order, name: str) -> models.Index:
    """An index of published interventions in a guidebook sort's order (then by name and
    id, as every sort ends), carrying the ratings."""
    return models.Index(
        *order, "name", "id", *RATING_COLUMNS, name=name, condition=Q(published=True)
    )


class InterventionQuerySet(PublishableQuerySet):
    def in_guidebook(self) -> "InterventionQuerySet":
        """Leave out NL2 and NE programmes, which the guidebook lists only when asked."""
        return self.filter(
            Q(evidence_rating__isnull=True) | Q(evidence_rating__gte=EvidenceRating.LEVEL_2)
        )

    def other_programmes(self) -> "InterventionQuerySet":
        """Programmes assessed as NL2 or NE."""
        return self.filter(evidence_rating__lt=EvidenceRating.LEVEL_2)

    def evidence_in(self, ratings: list[EvidenceRating]) -> "InterventionQuerySet":
        return self.filter(evidence_rating__in=ratings)

    def evidence_at_least(self, rating: EvidenceRating) -> "InterventionQuerySet":
        return self.filter(evidence_rating__gte=rating)

    def cost_in(self, ratings: list[CostRating]) -> "InterventionQuerySet":
        return self.filter(cost_rating__in=ratings)

    def cost_at_most(self, rating: CostRating) -> "InterventionQuerySet":
        return self.filter(cost_rating__lte=rating)

    def with_any_outcome(self, outcomes) -> "InterventionQuerySet":
        """For a page: each intervention met in the sort's order is tested (EXISTS), so
        SQLite walks the sort index and stops at the page's last row."""
        return self.filter(
            Exists(OutcomeEvidence.objects.filter(content_object=OuterRef("pk"), tag__in=outcomes))
        )

    def counted_with_any_outcome(self, outcomes) -> "InterventionQuerySet":
        """The same interventions for counting every match: found from the outcome index
        (IN), which on SQLite costs a quarter of testing every intervention."""
        return self.filter(
            pk__in=OutcomeEvidence.objects.filter(tag__in=outcomes).values("content_object")
        )

    def search(self, text: str) -> "InterventionQuerySet":
        """Interventions whose name, summary, description or provider contain every word."""
        queryset = self
        for word in search_words(text):
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(summary__icontains=word)
                | Q(description__icontains=word)
                | Q(provider__icontains=word)
            )
        return queryset

    def ranked_search(self, text: str) -> "InterventionQuerySet":
        """Interventions matching text, best first, with a highlighted excerpt (site search)."""
        return ranked(
            self, text, Intervention.SEARCH_WEIGHTS, excerpt_from=["summary", "description"]
        )

    def strongest_first(self) -> "InterventionQuerySet":
        return self.order_by(STRONGEST_FIRST, "name", "pk")

    def cheapest_first(self) -> "InterventionQuerySet":
        return self.order_by(CHEAPEST_FIRST, "name", "pk")

    def for_cards(self) -> "InterventionQuerySet":
        """Load what an intervention card shows, in a fixed number of queries, leaving out
        the long texts a card does not show. The outcomes come as a plain list: prefetched
        into the manager, they would cost a queryset built for every card."""
        return self.prefetch_related(Prefetch("outcomes", to_attr="card_outcomes")).defer(
            "description", "description_html", "search_document"
        )


class Intervention(VersionedModel, TimeStampedModel):
    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200, unique=True, help_text="Used in the web address; keep it stable."
    )
    summary = models.TextField(help_text="One or two plain sentences shown in the guidebook.")
    description = models.TextField(
        blank=True,
        help_text="The full description. Markdown: blank lines between paragraphs, "
        "“- ” for bullet points.",
    )
    # The description rendered once, when it is saved, rather than on every view.
    description_html = models.TextField(blank=True, editable=False)
    provider = models.CharField(max_length=200, blank=True)
    website = models.URLField(blank=True)
    evidence_rating = models.SmallIntegerField(
        choices=EvidenceRating.choices,
        null=True,
        blank=True,
        help_text="Leave empty while the intervention is not yet rated.",
    )
    mixed_findings = models.BooleanField(
        default=False,
        help_text="The evidence includes studies that, on balance, show no effect or a "
        "negative one. Shown as a star after the rating.",
    )
    cost_rating = models.SmallIntegerField(
        choices=CostRating.choices,
        null=True,
        blank=True,
        help_text="Leave empty while the cost is not yet rated.",
    )
    outcomes = TaggableManager(
        through=OutcomeEvidence,
        blank=True,
        # Read in the outcomes' own order wherever they are listed, prefetched or not.
        ordering=["position", "name"],
        related_name="interventions",
        verbose_name="child outcomes",
        help_text="The child outcomes it has evidence for.",
    )
    age_groups = MultipleChoiceField(item_choices=AgeGroup.choices)
    level_of_need = MultipleChoiceField(item_choices=LevelOfNeed.choices)
    delivery_model = MultipleChoiceField(item_choices=DeliveryModel.choices)
    setting = MultipleChoiceField(item_choices=Setting.choices)
    workforce = models.CharField(
        max_length=255, blank=True, help_text="Who delivers it, such as “family support workers”."
    )
    country = models.CharField(
        "country of origin", max_length=100, blank=True, help_text="Where it was developed."
    )
    uk_available = models.BooleanField("available in the UK", default=False)
    uk_tested = models.BooleanField(
        "tested in the UK",
        default=False,
        help_text="At least one UK study counts towards its rating.",
    )
    published = models.BooleanField(
        default=False, help_text="Only published interventions are shown to the public."
    )
    first_published = models.DateField(
        null=True, blank=True, help_text="When it first appeared in the guidebook."
    )
    last_reviewed = models.DateField(
        null=True, blank=True, help_text="When its evidence was last reviewed."
    )

    # The weighted text the site search matches and ranks, kept by a PostgreSQL trigger
    # (see core.search.add_search_document); unused, and left empty, on SQLite.
    search_document = SearchVectorField(null=True, editable=False)

    objects = InterventionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_document"])

    # The site search weighs a match in the name above the summary above the rest.
    SEARCH_WEIGHTS = {"name": "A", "summary": "B", "description": "C", "provider": "C"}

    class Meta:
        ordering = ["name", "pk"]
        permissions = [("publish_intervention", "Can publish and unpublish interventions")]
        # Bulk writes (the CSV import, seed_demo) skip the forms' checks: these hold anyway.
        constraints = [
            models.CheckConstraint(
                condition=Q(evidence_rating__isnull=True)
                | Q(evidence_rating__in=EvidenceRating.values),
                name="intervention_evidence_rating_known",
                violation_error_message=EVIDENCE_RATING_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(cost_rating__isnull=True) | Q(cost_rating__in=CostRating.values),
                name="intervention_cost_rating_known",
                violation_error_message=COST_RATING_MESSAGE,
            ),
            models.CheckConstraint(
                # "Is not null" spelled out: a check that comes to null passes, and an
                # unrated intervention must not carry the star either.
                condition=Q(mixed_findings=False)
                | Q(evidence_rating__isnull=False, evidence_rating__in=EvidenceRating.levels()),
                name="intervention_star_needs_level",
                violation_error_message=STAR_NEEDS_LEVEL_MESSAGE,
            ),
        ]
        indexes = [
            # The guidebook's default order, and its deep pages: published, by name.
            guidebook_sort_index(name="intervention_name_idx"),
            # Evidence filters (`evidence`, `min_evidence`) and the strongest-first sort,
            # in the sort's own order, so a page is read from the index without sorting.
            guidebook_sort_index(STRONGEST_FIRST, name="intervention_evidence_idx"),
            # Cost filters (`cost`, `max_cost`) and the cheapest-first sort.
            guidebook_sort_index(CHEAPEST_FIRST, name="intervention_cost_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalogue:intervention-detail", args=[self.slug])

    def clean(self):
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": f"“{self.slug}” is the address of another page."})

    def structured_data(self) -> dict:
        """The intervention as a schema.org Service, for search engines."""
        return {
            "@type": "Service",
            "name": self.name,
            "description": self.summary,
            "provider": {"@type": "Organization", "name": self.provider} if self.provider else None,
            "audience": {"@type": "PeopleAudience", "audienceType": "Children and families"},
            "dateModified": self.updated,
        }

    def save(self, *args, **kwargs):
        self.description_html = render_markdown(self.description)
        super().save(*args, **kwargs)

    def rating_changes(self) -> list[Change]:
        """Changes to the ratings, newest first, for the public change log."""
        return public_changes(self, ["evidence_rating", "mixed_findings", "cost_rating"])

    @property
    def rating_display(self) -> str:
        """The evidence rating as printed: "3+*", "NL2", or "not yet rated"."""
        if self.evidence_rating is None:
            return "not yet rated"
        return EvidenceRating(self.evidence_rating).label + ("*" if self.mixed_findings else "")

    def characteristics(self) -> list[tuple[str, list[str]]]:
        """The population and model characteristics as (label, values) pairs."""
        return [
            (capfirst(field.verbose_name), field.display(getattr(self, field.name)))
            for field in (
                self._meta.get_field("age_groups"),
                self._meta.get_field("level_of_need"),
                self._meta.get_field("delivery_model"),
                self._meta.get_field("setting"),
            )
        ]
