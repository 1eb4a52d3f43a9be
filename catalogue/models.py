import dataclasses
import datetime
import functools
import operator
from collections import defaultdict

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import connections, models
from django.db.models import Exists, F, Func, OuterRef, Prefetch, Q
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils.text import capfirst
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager
from taggit.models import ItemBase, NaturalKeyManager, TagBase

from core.addresses import record_url
from core.cache import cached_until_changed, lists_tag, record_tag
from core.fields import MultipleChoiceField, choice_bits, holds_any
from core.folding import (
    folded,
    folded_page,
    folded_rows,
    keep_related,
    own_fields,
    unfolded,
)
from core.models import TimeStampedModel
from core.search import ranked, search_words
from core.text import render_markdown
from editors.changes import Change, change_log, with_change_log
from editors.models import PublishableQuerySet, VersionedModel
from ratings.crosswalk import Clearinghouse, Tier, our_tier, rating_pairs, tiers_disagree
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


class StudyDesign(models.TextChoices):
    RCT = "rct", "Randomised controlled trial"
    CLUSTER_RCT = "cluster-rct", "Cluster randomised trial"
    QED = "qed", "Quasi-experimental design"
    PRE_POST = "pre-post", "Pre-post study"
    OTHER = "other", "Other design"


class StudyLevel(models.IntegerChoices):
    """The level of evidence a study reached on the guidebook's scale."""

    BELOW_2 = 1, "Below level 2"
    LEVEL_2 = 2, "Level 2"
    LEVEL_3 = 3, "Level 3"
    LEVEL_4 = 4, "Level 4"

    @classmethod
    def from_code(cls, code: str) -> "StudyLevel":
        """Read "2", "3", "4" or "below 2" (also "NL2", "1"), as a spreadsheet writes it."""
        normalised = " ".join(code.lower().replace("level", "").split())
        for level in cls:
            if normalised in {str(level.value), level.label.lower().replace("level ", "")}:
                return level
        if normalised in {"nl2", "<2", "below2"}:
            return cls.BELOW_2
        raise ValueError(code)

    @property
    def code(self) -> str:
        """The value in the studies CSV: "2", "3", "4" or "below 2"."""
        return "below 2" if self == StudyLevel.BELOW_2 else str(self.value)


class Direction(models.TextChoices):
    """Which way a finding went, said in words wherever it is shown."""

    FAVOURABLE = "favourable", "Favourable"
    NO_EFFECT = "no effect", "No effect"
    UNFAVOURABLE = "unfavourable", "Unfavourable"


# A finding this many months or more after the intervention ended is long term.
LONG_TERM_MONTHS = 12
# The countries a study "in the UK" names, compared without case.
UK_COUNTRIES = {
    "uk", "united kingdom", "great britain", "britain",
    "england", "scotland", "wales", "northern ireland",
}  # fmt: skip


def in_uk(country: str) -> bool:
    return country.strip().lower() in UK_COUNTRIES


def evidence_sentence(
    study_count: int, counting_study_count: int, independent_study_count: int, uk_study_count: int
) -> str:
    """What an intervention's rating rests on, in a sentence, from its evidence columns
    alone: the page, the comparison and the CSV export say it alike."""
    if not study_count:
        return "No studies recorded yet."

    def number(count: int) -> str:
        return str(count) if count else "none"

    studies = f"{study_count} stud{'y' if study_count == 1 else 'ies'}"
    counts = "counts" if counting_study_count == 1 else "count"
    return (
        f"Based on {studies}: {number(counting_study_count)} {counts} towards the "
        f"rating, {number(independent_study_count)} conducted independently of the "
        f"provider, {number(uk_study_count)} in the UK."
    )


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

# The characteristics of who an intervention is for, and of how it is delivered.
AUDIENCE_FIELDS = ("age_groups", "level_of_need")
MODEL_FIELDS = ("delivery_model", "setting")

# A page of its own lives at this address, so no intervention may take it as its slug.
RESERVED_SLUGS = {"other-programmes", "compare", "feed", "suggest", "under-review"}


class ChildOutcomeQuerySet(models.QuerySet):
    def listed(self) -> list["ChildOutcome"]:
        """Every outcome, in the order they are listed, from the data cache: every page of
        the guidebook reads them, and a change to one empties everything."""
        return cached_until_changed(("child-outcomes",), lambda: list(self.all()), tags=())

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
        return record_url("catalogue:outcome-detail", self.slug)

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

    def cache_tags(self, changed) -> set[str]:
        return Intervention(pk=self.content_object_id).cache_tags(None)


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


# SQLite allows some 32,000 parameters in one statement; look rows up in slices below that.
LOOKUP_SLICE = 10_000


def slices(items: list, size: int = LOOKUP_SLICE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


# The columns refresh_evidence() keeps from an intervention's studies.
EVIDENCE_FIELDS = [
    "study_count", "counting_study_count", "independent_study_count", "uk_study_count",
    "counting_designs", "ethnicity_reported", "long_term_finding",
]  # fmt: skip


def evidence_values(studies: list[dict], long_term_finding: bool) -> dict:
    """The EVIDENCE_FIELDS of an intervention with these studies (as values() dicts)."""
    counting = [study for study in studies if study["counts_towards_rating"]]
    designs = {study["design"] for study in counting}
    return {
        "study_count": len(studies),
        "counting_study_count": len(counting),
        "independent_study_count": sum(study["independent"] for study in counting),
        "uk_study_count": sum(in_uk(study["country"]) for study in counting),
        "counting_designs": [design for design in StudyDesign.values if design in designs],
        "ethnicity_reported": any(study["ethnicity"].strip() for study in counting),
        "long_term_finding": long_term_finding,
    }


def characteristic_test(field: str, codes) -> Q:
    """A list field (age_groups, setting, counting_designs, …) holds any of the codes."""
    return holds_any(field, Intervention._meta.get_field(field).item_choices, codes)


# The generated columns, which the history need not copy: they follow from the lists.
BITS_FIELDS = [
    "age_groups_bits", "level_of_need_bits", "delivery_model_bits", "setting_bits",
    "counting_designs_bits",
]  # fmt: skip


def list_bits(field: str, choices) -> models.GeneratedField:
    """The codes of a list field as the bits of an integer, kept by the database."""
    return models.GeneratedField(
        expression=choice_bits(field, choices.choices),
        output_field=models.IntegerField(),
        db_persist=True,
    )


# The guidebook's rules as conditions, each written once: the QuerySet methods below filter
# by them, and the guidebook's facets count every option of every filter in one query.
def in_guidebook_test() -> Q:
    """Not NL2 or NE: rated at a level, or not yet rated."""
    return Q(evidence_rating__isnull=True) | Q(evidence_rating__gte=EvidenceRating.LEVEL_2)


def evidence_test(ratings) -> Q:
    return Q(evidence_rating__in=ratings)


def evidence_at_least_test(rating: EvidenceRating) -> Q:
    return Q(evidence_rating__gte=rating)


def cost_test(ratings) -> Q:
    return Q(cost_rating__in=ratings)


def cost_at_most_test(rating: CostRating) -> Q:
    return Q(cost_rating__lte=rating)


def mixed_findings_test(mixed: bool) -> Q:
    return Q(mixed_findings=mixed)


def any_outcome_test(outcomes) -> Q:
    """Evidence for any of the outcomes, found from the outcome index (IN): counted once for
    every row, as the facets do, this costs a quarter of testing each row on SQLite."""
    return Q(pk__in=OutcomeEvidence.objects.filter(tag__in=outcomes).values("content_object"))


def rated_by_test(clearinghouses) -> Q:
    """Rated by any of the clearinghouses too, found from their ratings' index (IN), as
    any_outcome_test is, for counting every row."""
    return Q(
        pk__in=ExternalRating.objects.filter(clearinghouse__in=clearinghouses).values(
            "intervention"
        )
    )


def independent_study_test() -> Q:
    """A study counting towards the rating was conducted independently of the provider."""
    return Q(independent_study_count__gt=0)


def long_term_finding_test() -> Q:
    return Q(long_term_finding=True)


def ethnicity_reported_test() -> Q:
    """A study counting towards the rating reports the ethnicity of its sample."""
    return Q(ethnicity_reported=True)


def uk_available_test() -> Q:
    return Q(uk_available=True)


def uk_tested_test() -> Q:
    return Q(uk_tested=True)


def unfold_page(intervention: "Intervention") -> None:
    """Make the rows InterventionQuerySet.page() folded into its query the related records
    the intervention's managers give, in the order of each model's Meta.ordering."""
    studies = sorted(unfolded(Study, folded(intervention.folded_studies)), key=lambda s: s.number)
    by_pk = {study.pk: study for study in studies}
    findings: dict[int, list[Finding]] = defaultdict(list)
    rows = folded(intervention.folded_findings)
    for finding, row in zip(unfolded(Finding, rows), rows, strict=True):
        finding.outcome = unfolded(ChildOutcome, [row["outcome"]])[0]
        finding.study = by_pk[finding.study_id]
        findings[finding.study_id].append(finding)
    for study in studies:
        study.intervention = intervention
        ordered = sorted(findings[study.pk], key=lambda f: (f.outcome.position, f.pk))
        keep_related(study, "findings", ordered)
    keep_related(intervention, "studies", studies)
    rows = folded(intervention.folded_outcome_links)
    links = unfolded(OutcomeEvidence, rows)
    for link, row in zip(links, rows, strict=True):
        link.tag = unfolded(ChildOutcome, [row["tag"]])[0]
    links.sort(key=lambda link: (link.tag.position, link.tag.name))
    keep_related(intervention, "outcome_links", links)
    project = Intervention._meta.get_field("projects").related_model
    projects = unfolded(project, folded(intervention.folded_projects))
    projects.sort(key=lambda project: project.title)
    projects.sort(key=lambda project: project.created, reverse=True)
    keep_related(intervention, "projects", projects)
    reviews = unfolded(ReviewItem, folded(intervention.folded_review_items))
    keep_related(intervention, "review_items", sorted(reviews, key=lambda r: (r.name, r.pk)))
    ratings = unfolded(ExternalRating, folded(intervention.folded_external_ratings))
    ratings.sort(key=lambda rating: (rating.clearinghouse, rating.area, rating.pk))
    keep_related(intervention, "external_ratings", ratings)


# The fields whose changes the public change log lists.
CHANGE_LOG_FIELDS = ["evidence_rating", "mixed_findings", "cost_rating"]
# The long texts an intervention card does not show.
CARD_LEAVES_OUT = (
    "description", "description_html", "search_document",
    "delivery", "training", "fidelity", "cost_description",
)  # fmt: skip
# A LIMIT no table reaches.
UNLIMITED = 2**62


class InterventionQuerySet(PublishableQuerySet):
    def withdrawn(self) -> "InterventionQuerySet":
        """Unpublished interventions once public: in their history, or first published."""
        return super().withdrawn() | self.filter(published=False, first_published__isnull=False)

    def in_guidebook(self) -> "InterventionQuerySet":
        """Leave out NL2 and NE programmes, which the guidebook lists only when asked."""
        return self.filter(in_guidebook_test())

    def other_programmes(self) -> "InterventionQuerySet":
        """Programmes assessed as NL2 or NE."""
        return self.filter(evidence_rating__lt=EvidenceRating.LEVEL_2)

    def evidence_in(self, ratings: list[EvidenceRating]) -> "InterventionQuerySet":
        return self.filter(evidence_test(ratings))

    def evidence_at_least(self, rating: EvidenceRating) -> "InterventionQuerySet":
        return self.filter(evidence_at_least_test(rating))

    def cost_in(self, ratings: list[CostRating]) -> "InterventionQuerySet":
        return self.filter(cost_test(ratings))

    def cost_at_most(self, rating: CostRating) -> "InterventionQuerySet":
        return self.filter(cost_at_most_test(rating))

    def with_mixed_findings(self, mixed: bool) -> "InterventionQuerySet":
        """Those whose rating carries the mixed-findings star, or (False) those without it."""
        return self.filter(mixed_findings_test(mixed))

    def with_any_outcome(self, outcomes) -> "InterventionQuerySet":
        """For a page: each intervention met in the sort's order is tested (EXISTS), so
        SQLite walks the sort index and stops at the page's last row."""
        return self.filter(
            Exists(OutcomeEvidence.objects.filter(content_object=OuterRef("pk"), tag__in=outcomes))
        )

    def counted_with_any_outcome(self, outcomes) -> "InterventionQuerySet":
        """The same interventions for counting every match: found from the outcome index
        (IN), which on SQLite costs a quarter of testing every intervention."""
        return self.filter(any_outcome_test(outcomes))

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

    def with_characteristic(self, field: str, codes: list[str]) -> "InterventionQuerySet":
        """Interventions whose list field (age_groups, setting, …, or counting_designs: a
        study counting towards the rating of that design) holds any of the codes."""
        return self.filter(characteristic_test(field, codes))

    def with_independent_study(self) -> "InterventionQuerySet":
        return self.filter(independent_study_test())

    def with_long_term_finding(self) -> "InterventionQuerySet":
        """Those with a favourable finding LONG_TERM_MONTHS or more after the intervention ended."""
        return self.filter(long_term_finding_test())

    def with_ethnicity_reported(self) -> "InterventionQuerySet":
        return self.filter(ethnicity_reported_test())

    def rated_by(self, clearinghouses) -> "InterventionQuerySet":
        """Those that any of the clearinghouses has rated too."""
        rated = ExternalRating.objects.filter(
            intervention=OuterRef("pk"), clearinghouse__in=clearinghouses
        )
        return self.filter(Exists(rated))

    def available_in_uk(self) -> "InterventionQuerySet":
        return self.filter(uk_available_test())

    def tested_in_uk(self) -> "InterventionQuerySet":
        return self.filter(uk_tested_test())

    def refresh_evidence(self) -> int:
        """Recompute what these interventions' studies show (the counts, designs and flags
        the guidebook filters on) and, for those with studies, uk_tested; return how many
        changed. Call it, in the transaction that changed them, after studies change."""
        ids = list(self.values_list("pk", flat=True))
        studies = defaultdict(list)
        long_term = set()
        for batch in slices(ids):
            for study in Study.objects.filter(intervention__in=batch).values(
                "intervention_id", "counts_towards_rating", "independent", "country",
                "design", "ethnicity",
            ):  # fmt: skip
                studies[study["intervention_id"]].append(study)
            long_term.update(
                Finding.objects.long_term_favourable()
                .filter(study__intervention__in=batch)
                .values_list("study__intervention_id", flat=True)
            )
        changed = []
        for batch in slices(ids):
            for intervention in Intervention.objects.filter(pk__in=batch).only(
                *EVIDENCE_FIELDS, "uk_tested"
            ):
                values = evidence_values(studies[intervention.pk], intervention.pk in long_term)
                if intervention.study_count or values["study_count"]:
                    values["uk_tested"] = values["uk_study_count"] > 0
                else:
                    values["uk_tested"] = intervention.uk_tested
                if any(getattr(intervention, name) != value for name, value in values.items()):
                    for name, value in values.items():
                        setattr(intervention, name, value)
                    changed.append(intervention)
        Intervention.objects.bulk_update(changed, [*EVIDENCE_FIELDS, "uk_tested"], batch_size=1000)
        return len(changed)

    def with_studies(self) -> "InterventionQuerySet":
        """Load each intervention's studies in number order, with their findings and the
        findings' outcomes, in two queries however many there are."""
        return self.prefetch_related(
            Prefetch("studies", queryset=Study.objects.order_by("number")),
            Prefetch("studies__findings", queryset=Finding.objects.select_related("outcome")),
        )

    def page(self, slug: str, *, drafts: bool) -> "Intervention":
        """The intervention of this slug (published, or any with drafts) with what its
        page shows, in one query: its studies with their findings and the findings'
        outcomes, its outcomes, the published projects that studied it, its published
        reviews and other clearinghouses' ratings, folded in as JSON lists and read back
        as with_studies() and prefetch_related() would give them (core.folding.folded_page;
        Django compiles the query once a process, since that costs several times what
        running it does)."""
        return folded_page(self, slug, drafts=drafts, unfold=unfold_page)

    def count_passing(self, needed: dict[str, list[str]]) -> dict[str, int]:
        """For each name, how many of these interventions have each of its columns (0 or 1
        annotations) at 1, all counted in one pass over them as a subquery. Written out
        rather than through aggregate(), which compiles the guidebook's facet counts at
        several times what running them costs; the same SQL on both databases."""
        columns = sorted({column for names in needed.values() for column in names})
        # A LIMIT beyond any table keeps the subquery one: merged into the counts' query,
        # as both databases otherwise do, every test would be made again for each count.
        rows = self.order_by()[:UNLIMITED].values("pk", *columns)
        sql, params = rows.query.sql_with_params()
        connection = connections[self.db]
        quote = connection.ops.quote_name
        counts = ", ".join(
            "COUNT(*)"
            + (f" FILTER (WHERE {' AND '.join(f'{quote(c)} = 1' for c in names)})" if names else "")
            for names in needed.values()
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {counts} FROM ({sql}) AS scanned", params)
            return dict(zip(needed, cursor.fetchone(), strict=True))

    def with_page_rows(self) -> "InterventionQuerySet":
        """Each intervention with the related rows its page shows, as JSON lists."""
        outcome = {name: f"outcome__{name}" for name in own_fields(ChildOutcome)}
        tag = {name: f"tag__{name}" for name in own_fields(ChildOutcome)}
        project = self.model._meta.get_field("projects").related_model
        return self.annotate(
            folded_studies=folded_rows(Study.objects, "intervention", own_fields(Study)),
            folded_findings=folded_rows(
                Finding.objects,
                "study__intervention",
                {**own_fields(Finding), "outcome": JSONObject(**outcome)},
            ),
            folded_outcome_links=folded_rows(
                OutcomeEvidence.objects,
                "content_object",
                {**own_fields(OutcomeEvidence), "tag": JSONObject(**tag)},
            ),
            folded_projects=folded_rows(
                project.objects.published(),
                "interventions",
                own_fields(project, leave_out=("body", "body_html", "search_document")),
            ),
            folded_review_items=folded_rows(
                ReviewItem.objects.published(), "intervention", own_fields(ReviewItem)
            ),
            folded_external_ratings=folded_rows(
                ExternalRating.objects, "intervention", own_fields(ExternalRating)
            ),
            **with_change_log(self.model, CHANGE_LOG_FIELDS),
        )

    def for_cards(self) -> "InterventionQuerySet":
        """Load what an intervention card shows, in a fixed number of queries, leaving out
        the long texts a card does not show. The outcomes and the other clearinghouses'
        ratings come as plain lists: prefetched into the manager, they would cost a
        queryset built for every card."""
        return self.prefetch_related(
            Prefetch("outcomes", to_attr="card_outcomes"),
            Prefetch(
                "external_ratings",
                queryset=ExternalRating.objects.only("intervention", "clearinghouse", "rating"),
                to_attr="card_external_ratings",
            ),
        ).defer(*CARD_LEAVES_OUT)

    def cards(self, ids: list[int]) -> list["Intervention"]:
        """The interventions of these ids, in this order, with what a card shows (as
        for_cards() loads it) in one query: the outcomes and the other clearinghouses'
        ratings folded in as JSON lists, for a page of results found by their ids."""
        outcome = {name: f"tag__{name}" for name in own_fields(ChildOutcome)}
        rating = {name: name for name in ("id", "intervention_id", "clearinghouse", "rating")}
        found = (
            self.filter(pk__in=ids)
            .defer(*CARD_LEAVES_OUT)
            .annotate(
                folded_outcomes=folded_rows(OutcomeEvidence.objects, "content_object", outcome),
                folded_ratings=folded_rows(ExternalRating.objects, "intervention", rating),
            )
            .in_bulk()
        )
        for intervention in found.values():
            outcomes = unfolded(ChildOutcome, intervention.folded_outcomes or [])
            intervention.card_outcomes = sorted(outcomes, key=lambda o: (o.position, o.name))
            ratings = unfolded(ExternalRating, intervention.folded_ratings or [])
            intervention.card_external_ratings = ratings
        return [found[pk] for pk in ids if pk in found]


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
    # The lists above and counting_designs below as bits, which the guidebook's filters
    # and facet counts test (characteristic_test).
    age_groups_bits = list_bits("age_groups", AgeGroup)
    level_of_need_bits = list_bits("level_of_need", LevelOfNeed)
    delivery_model_bits = list_bits("delivery_model", DeliveryModel)
    setting_bits = list_bits("setting", Setting)
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
        help_text="At least one UK study counts towards its rating. Once it has studies, "
        "this follows from them.",
    )
    # Implementation and cost: the page shows each where it is filled.
    delivery = models.TextField(
        "how it is delivered",
        blank=True,
        help_text="The sessions: how many, how long, where and with whom, in plain sentences.",
    )
    training = models.TextField(
        "training and supervision",
        blank=True,
        help_text="The training and supervision practitioners need to deliver it.",
    )
    fidelity = models.TextField(
        "licensing and fidelity",
        blank=True,
        help_text="Whether a licence is needed, and how delivery is kept true to the model.",
    )
    cost_description = models.TextField(
        "what it costs",
        blank=True,
        help_text="What it costs to set up and to deliver, and what the cost covers.",
    )
    unit_cost = models.DecimalField(
        "unit cost in pounds",
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, "A unit cost cannot be negative.")],
        help_text="The estimated cost for each child or family, in pounds; leave empty if "
        "not known, and the page says so.",
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

    # What its studies show, kept by InterventionQuerySet.refresh_evidence() whenever they
    # change: the guidebook filters and counts on these columns of one row rather than
    # joining every listed intervention's studies and findings.
    study_count = models.PositiveSmallIntegerField(default=0, editable=False)
    counting_study_count = models.PositiveSmallIntegerField(default=0, editable=False)
    # Of the studies that count towards the rating:
    independent_study_count = models.PositiveSmallIntegerField(default=0, editable=False)
    uk_study_count = models.PositiveSmallIntegerField(default=0, editable=False)
    counting_designs = MultipleChoiceField(item_choices=StudyDesign.choices, editable=False)
    counting_designs_bits = list_bits("counting_designs", StudyDesign)
    ethnicity_reported = models.BooleanField(default=False, editable=False)
    # A favourable finding LONG_TERM_MONTHS or more after the intervention ended.
    long_term_finding = models.BooleanField(default=False, editable=False)

    # The weighted text the site search matches and ranks, kept by a PostgreSQL trigger
    # (see core.search.add_search_document); unused, and left empty, on SQLite.
    search_document = SearchVectorField(null=True, editable=False)

    objects = InterventionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_document", *BITS_FIELDS])

    # The site search weighs a match in the name above the summary above the rest.
    SEARCH_WEIGHTS = {"name": "A", "summary": "B", "description": "C", "provider": "C"}
    # Shown on the intervention's own page alone: a save that changes only these leaves
    # lists of interventions (their cards, filters, order and counts) as they were.
    DETAIL_ONLY_FIELDS = frozenset(
        {
            "description",
            "description_html",
            "provider",
            "website",
            "workforce",
            "country",
            "delivery",
            "training",
            "fidelity",
            "cost_description",
            "unit_cost",
            "last_reviewed",
        }
    )

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
        return record_url("catalogue:intervention-detail", self.slug)

    def cache_tags(self, changed: set[str] | None) -> set[str]:
        """The cached pages a change to this intervention makes stale, given the fields
        it changed (None: any): its own and, unless only its own page's texts changed,
        lists of interventions and the pages of the projects that studied it (their cards
        show it)."""
        tags = {record_tag(Intervention, self.pk)}
        if changed is None or changed - self.DETAIL_ONLY_FIELDS:
            tags.add(lists_tag(Intervention))
            studied_by = self.projects.values_list("pk", flat=True)
            tags.update(record_tag(self.projects.model, pk) for pk in studied_by)
        return tags

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

    def change_log(self) -> list[Change]:
        """Changes to the ratings, and corrections after readers' reports, newest first,
        for the public change log."""
        return change_log(self, CHANGE_LOG_FIELDS)

    @property
    def tier(self) -> Tier | None:
        """Our evidence rating's common tier, for the crosswalk; None while not yet rated."""
        return our_tier(self.evidence_rating)

    def rated_differently(self) -> bool:
        """Whether another clearinghouse's tier differs from ours, or from another's, for
        its card: reads the ratings InterventionQuerySet.for_cards loaded."""
        return tiers_disagree(self.tier, [rating.tier for rating in self.card_external_ratings])

    def tier_differences(self) -> str:
        """The other clearinghouses' ratings in another tier than ours, in a sentence, or
        "" when there are none (or it is not yet rated): reads its external ratings as
        prefetched."""
        tier = self.tier
        differing = [rating for rating in self.external_ratings.all() if rating.tier != tier]
        if tier is None or not differing:
            return ""
        theirs = [
            f"{rating.get_clearinghouse_display()}’s “{rating.rating}”"
            + (f" for {rating.area}" if rating.area else "")
            + f" ({rating.tier.label})"
            for rating in differing
        ]
        rated = EvidenceRating(self.evidence_rating).label
        return (
            f"Our rating, {rated}, is in the common tier “{tier.label}”; "
            + ("this rating is" if len(theirs) == 1 else "these ratings are")
            + " in another: "
            + "; ".join(theirs)
            + "."
        )

    @property
    def rating_display(self) -> str:
        """The evidence rating as printed: "3+*", "NL2", or "not yet rated"."""
        if self.evidence_rating is None:
            return "not yet rated"
        return EvidenceRating(self.evidence_rating).label + ("*" if self.mixed_findings else "")

    def characteristics(
        self, names: tuple[str, ...] = (*AUDIENCE_FIELDS, *MODEL_FIELDS)
    ) -> list[tuple[str, list[str]]]:
        """The population and model characteristics as (label, values) pairs."""
        return [
            (capfirst(field.verbose_name), field.display(getattr(self, field.name)))
            for field in map(self._meta.get_field, names)
        ]

    def audience(self) -> list[tuple[str, list[str]]]:
        """Who it is for, as the provider intends it: ages and levels of need."""
        return self.characteristics(AUDIENCE_FIELDS)

    def model_characteristics(self) -> list[tuple[str, list[str]]]:
        """How it is delivered and where: the delivery model and setting."""
        return self.characteristics(MODEL_FIELDS)

    def evidence_summary(self) -> str:
        """What the rating rests on, in a sentence: "Based on 3 studies: 2 count towards
        the rating, 1 conducted independently of the provider, 1 in the UK"."""
        return evidence_sentence(
            self.study_count,
            self.counting_study_count,
            self.independent_study_count,
            self.uk_study_count,
        )

    def findings_by_outcome(self) -> list["OutcomeFindings"]:
        """Each child outcome with what its studies found on it and which studies found
        it: its own outcomes in their order, then any only its studies measured. Reads
        the outcome links and the studies with their findings as prefetched
        (InterventionQuerySet.with_studies), so it makes no query of its own."""
        listed = {
            link.tag_id: OutcomeFindings(link.tag, link.impact, listed=True)
            for link in self.outcome_links.all()
        }
        unlisted: dict[int, OutcomeFindings] = {}
        results: dict[tuple, OutcomeResult] = {}
        for study in self.studies.all():
            for finding in study.findings.all():
                entry = listed.get(finding.outcome_id) or unlisted.setdefault(
                    finding.outcome_id, OutcomeFindings(finding.outcome, "", listed=False)
                )
                # One line for each sub-outcome and direction, however many studies found it.
                key = (
                    finding.outcome_id,
                    finding.sub_outcome.strip().casefold(),
                    finding.direction,
                )
                if key not in results:
                    results[key] = OutcomeResult(finding.sub_outcome, Direction(finding.direction))
                    entry.results.append(results[key])
                if study not in results[key].studies:
                    results[key].studies.append(study)
        extra = sorted(
            unlisted.values(), key=lambda entry: (entry.outcome.position, entry.outcome.name)
        )
        return [*listed.values(), *extra]

    def publish_problem(self, studies: list["Study"] | None = None) -> str | None:
        """Why this intervention may not be published as it stands, or None; with studies
        (saved or not, as a form submits them), judged on those instead of the stored ones."""
        if studies is None:
            counting = self.counting_study_count
        else:
            counting = sum(study.counts_towards_rating for study in studies)
        if (
            self.evidence_rating is not None
            and self.evidence_rating >= EvidenceRating.LEVEL_2
            and not counting
        ):
            return (
                f"{self.name} is rated {self.rating_display} but has no study that counts "
                "towards its rating; add the studies the rating rests on before publishing it."
            )
        return None

    def rating_warnings(
        self, studies: list[tuple["Study", list["Finding"]]] | None = None
    ) -> list[str]:
        """Where the evidence rating and the studies disagree by the ratings' definitions,
        a sentence each for editors. Studies are (study, its findings) pairs, saved or not;
        None reads the stored ones."""
        if studies is None:
            studies = [
                (study, list(study.findings.all()))
                for study in self.studies.prefetch_related("findings")
            ]
        counting = [(study, findings) for study, findings in studies if study.counts_towards_rating]
        rating, name = self.evidence_rating, f"{self.name} is rated {self.rating_display}"

        def only(count: int) -> str:
            return "no study" if not count else f"only {count} stud{'y' if count == 1 else 'ies'}"

        warnings = []
        if rating in (EvidenceRating.LEVEL_4, EvidenceRating.LEVEL_4_PLUS):
            # A 4: a long-term positive impact in at least two rigorous (level 4) studies.
            long_term = sum(
                study.level == StudyLevel.LEVEL_4
                and any(finding.long_term_favourable for finding in findings)
                for study, findings in counting
            )
            if long_term < 2:
                warnings.append(
                    f"{name}, but it has {only(long_term)} counting towards it at level 4 with "
                    f"a favourable finding {LONG_TERM_MONTHS} or more months after the "
                    "intervention ended; a 4 needs two such studies."
                )
        if rating == EvidenceRating.LEVEL_4_PLUS:
            # A 4+: a third study besides, and at least one conducted independently.
            if len(counting) < 3:
                warnings.append(
                    f"{name}, but it has {only(len(counting))} counting towards it; a 4+ needs "
                    "a third."
                )
            if not any(study.independent for study, _ in counting):
                warnings.append(
                    f"{name}, but no study counting towards it was conducted independently of "
                    "the provider; a 4+ needs one."
                )
        if rating == EvidenceRating.LEVEL_3_PLUS:
            # A 3+: a further study with a comparison group at level 2 or above.
            at_level_2 = sum(study.level >= StudyLevel.LEVEL_2 for study, _ in counting)
            if at_level_2 < 2:
                warnings.append(
                    f"{name}, but it has {only(at_level_2)} at level 2 or above counting towards "
                    "it; a 3+ needs a further one."
                )
        return warnings


@dataclasses.dataclass
class OutcomeResult:
    """One sub-outcome found on a child outcome, in one direction, and the studies that
    found it."""

    sub_outcome: str
    direction: Direction
    studies: list["Study"] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class OutcomeFindings:
    """A child outcome on an intervention's page, with the impact found and what each of
    its studies found; listed is False for an outcome only its studies measured."""

    outcome: ChildOutcome
    impact: str
    listed: bool
    results: list[OutcomeResult] = dataclasses.field(default_factory=list)


class StudyQuerySet(models.QuerySet):
    def counting(self) -> "StudyQuerySet":
        return self.filter(counts_towards_rating=True)

    def published(self) -> "StudyQuerySet":
        """Studies of published interventions: the public sees no other."""
        return self.filter(intervention__published=True)


class Study(TimeStampedModel):
    """One study of an intervention's evidence base, numbered on it ("Study 2")."""

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="studies")
    number = models.PositiveSmallIntegerField(
        help_text="Its number on this intervention: the page shows it as “Study 1”, …"
    )
    citation = models.TextField(help_text="Authors, year, title and where it was published.")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    doi = models.CharField("DOI", max_length=200, blank=True, help_text="Such as 10.1000/xyz123.")
    registry_ids = models.CharField(
        "registry IDs",
        max_length=200,
        blank=True,
        help_text="ISRCTN or ClinicalTrials.gov IDs, separated by “;”.",
    )
    design = models.CharField(max_length=20, choices=StudyDesign.choices)
    level = models.PositiveSmallIntegerField(
        "level reached", choices=StudyLevel.choices, help_text="The level of evidence it reached."
    )
    counts_towards_rating = models.BooleanField(
        default=False, help_text="It is one of the studies the evidence rating rests on."
    )
    rating_note = models.CharField(
        "why it counts or not",
        max_length=300,
        blank=True,
        help_text="Why it does or does not count towards the rating, for the public.",
    )
    independent = models.BooleanField(
        "conducted independently of the provider",
        default=False,
        help_text="Run by researchers with no stake in the intervention.",
    )
    country = models.CharField(max_length=100, blank=True)
    sample_intervention = models.PositiveIntegerField(
        "intervention group size", null=True, blank=True
    )
    sample_comparison = models.PositiveIntegerField("comparison group size", null=True, blank=True)
    population_ages = models.CharField(
        "ages as evaluated", max_length=200, blank=True, help_text="Such as “3 to 5 years”."
    )
    population_need = models.CharField("level of need as evaluated", max_length=200, blank=True)
    ethnicity = models.TextField(
        "ethnicity as reported",
        blank=True,
        help_text="As the study reports it; leave empty if it does not, and the page says so.",
    )
    measures = models.TextField(
        blank=True, help_text="The instruments the outcomes were measured with."
    )
    limitations = models.TextField(blank=True)

    objects = StudyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "studies"
        ordering = ["intervention", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "number"],
                name="study_number_unique",
                violation_error_message="Each study's number is used once on its intervention.",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="study_number_positive",
                violation_error_message="Studies are numbered from 1.",
            ),
            models.CheckConstraint(
                condition=Q(design__in=StudyDesign.values),
                name="study_design_known",
                violation_error_message="The design must be one of the listed designs.",
            ),
            models.CheckConstraint(
                condition=Q(level__in=StudyLevel.values),
                name="study_level_known",
                violation_error_message="The level must be 2, 3, 4 or below 2.",
            ),
            models.CheckConstraint(
                condition=(Q(sample_intervention__isnull=True) | Q(sample_intervention__gte=0))
                & (Q(sample_comparison__isnull=True) | Q(sample_comparison__gte=0)),
                name="study_sample_not_negative",
                violation_error_message="A sample size cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"Study {self.number}"

    def cache_tags(self, changed) -> set[str]:
        # What a study says shows on its intervention's page and in the guidebook's filters.
        return {record_tag(Intervention, self.intervention_id), lists_tag(Intervention)}

    @property
    def anchor(self) -> str:
        return f"study-{self.number}"

    @property
    def in_uk(self) -> bool:
        return in_uk(self.country)

    @property
    def doi_url(self) -> str:
        doi = self.doi.strip().removeprefix("https://doi.org/").removeprefix("doi:")
        return f"https://doi.org/{doi}" if doi else ""

    def registry_links(self) -> list[tuple[str, str]]:
        """Each registry ID with the address of its record, where the registry is known."""
        links = []
        for item in self.registry_ids.split(";"):
            code = item.strip()
            if not code:
                continue
            upper = code.upper()
            if upper.startswith("ISRCTN"):
                links.append((code, f"https://www.isrctn.com/{upper}"))
            elif upper.startswith("NCT"):
                links.append((code, f"https://clinicaltrials.gov/study/{upper}"))
            else:
                links.append((code, ""))
        return links


class FindingQuerySet(models.QuerySet):
    def long_term_favourable(self) -> "FindingQuerySet":
        return self.filter(direction=Direction.FAVOURABLE, months_after_end__gte=LONG_TERM_MONTHS)

    def published(self) -> "FindingQuerySet":
        """Findings of studies of published interventions: the public sees no other."""
        return self.filter(study__intervention__published=True)


class Finding(models.Model):
    """A study's result on one child outcome."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="findings")
    outcome = models.ForeignKey(
        ChildOutcome,
        on_delete=models.PROTECT,
        related_name="findings",
        verbose_name="child outcome",
    )
    sub_outcome = models.CharField(
        max_length=200, help_text="The result in a few words, such as “Improved reading”."
    )
    measure = models.CharField(max_length=300, blank=True)
    statement = models.TextField(
        blank=True, help_text="What was found, such as “9.18-point improvement on …”."
    )
    direction = models.CharField(max_length=20, choices=Direction.choices)
    effect_size = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    improvement_index = models.SmallIntegerField(
        null=True, blank=True, help_text="From −50 to 50, where known."
    )
    months_after_end = models.PositiveSmallIntegerField(
        "months after the intervention ended",
        null=True,
        blank=True,
        help_text=f"{LONG_TERM_MONTHS} or more is long term.",
    )

    objects = FindingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["study", "outcome__position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values),
                name="finding_direction_known",
                violation_error_message="The direction must be favourable, no effect or unfavourable.",
            ),
            models.CheckConstraint(
                condition=Q(improvement_index__isnull=True)
                | Q(improvement_index__gte=-50, improvement_index__lte=50),
                name="finding_improvement_index_range",
                violation_error_message="An improvement index runs from −50 to 50.",
            ),
        ]
        indexes = [
            # The intervention page's "based on" links: an outcome's findings.
            models.Index(fields=["outcome", "study"], name="finding_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.study}: {self.sub_outcome}"

    def cache_tags(self, changed) -> set[str]:
        intervention = Study.objects.filter(pk=self.study_id).values_list("intervention", flat=True)
        return {record_tag(Intervention, intervention.first()), lists_tag(Intervention)}

    @property
    def long_term(self) -> bool:
        return self.months_after_end is not None and self.months_after_end >= LONG_TERM_MONTHS

    @property
    def long_term_favourable(self) -> bool:
        """What FindingQuerySet.long_term_favourable() finds, for a finding in hand."""
        return self.long_term and self.direction == Direction.FAVOURABLE

    @property
    def timeframe(self) -> str:
        """When it was measured, in words: "12 months after the end (long term)"."""
        months = self.months_after_end
        if months is None:
            return "Not reported"
        if months == 0:
            return "At the end of the intervention (short term)"
        term = "long term" if self.long_term else "short term"
        return f"{months} month{'s' if months != 1 else ''} after the end ({term})"


class ExternalRating(models.Model):
    """Another clearinghouse's rating of an intervention, in that clearinghouse's own words,
    for the area it was rated in; ratings.crosswalk maps it to a common tier."""

    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="external_ratings"
    )
    clearinghouse = models.CharField(max_length=20, choices=Clearinghouse.choices)
    rating = models.CharField(
        max_length=100, help_text="Exactly as the clearinghouse words it, from its own scale."
    )
    area = models.CharField(
        max_length=200,
        blank=True,
        help_text="What it was rated for, such as “Child well-being” or “Mental health”.",
    )
    checked_on = models.DateField(help_text="When an editor last checked it on their site.")
    url = models.URLField("link", max_length=500, help_text="The rating on their site.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["intervention", "clearinghouse", "area", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "clearinghouse", "area"],
                name="external_rating_unique",
                violation_error_message="This clearinghouse's rating for this area is "
                "already recorded.",
            ),
            models.CheckConstraint(
                condition=functools.reduce(
                    operator.or_,
                    (Q(clearinghouse=house, rating=rating) for house, rating in rating_pairs()),
                ),
                name="external_rating_on_its_scale",
                violation_error_message="The rating must be one of that clearinghouse's own.",
            ),
        ]
        indexes = [
            # The guidebook's `rated_by`: the interventions a clearinghouse has rated.
            models.Index(fields=["clearinghouse", "intervention"], name="external_rating_by"),
        ]

    def __str__(self) -> str:
        return f"{self.get_clearinghouse_display()}: {self.rating}"

    def cache_tags(self, changed) -> set[str]:
        # Cards say where other clearinghouses rate an intervention differently.
        return Intervention(pk=self.intervention_id).cache_tags(None)

    def clean(self):
        # A clearinghouse not offered, or a rating left empty, is its own field's error.
        if self.clearinghouse not in Clearinghouse.values or not self.rating:
            return
        house = Clearinghouse(self.clearinghouse)
        if self.rating not in house.scale.ratings:
            raise ValidationError(
                {
                    "rating": f"Choose one of {house.label}'s ratings: "
                    + "; ".join(house.scale.ratings)
                    + "."
                }
            )

    @property
    def tier(self) -> Tier:
        return Clearinghouse(self.clearinghouse).scale.tier(self.rating)


class ReviewStage(models.TextChoices):
    """Where a programme stands in the review pipeline, in order."""

    SUGGESTED = "suggested", "Suggested"
    SCREENING = "screening", "Screening"
    IN_REVIEW = "in-review", "In review"
    RATING_AGREED = "rating-agreed", "Rating agreed"
    PUBLISHED = "published", "Published"
    NOT_LISTED = "not-listed", "Not listed"


class ReviewItemQuerySet(PublishableQuerySet):
    def with_stages(self) -> "ReviewItemQuerySet":
        return self.prefetch_related("stages")

    def for_pipeline(self) -> "ReviewItemQuerySet":
        """The public pipeline: published items with their history and guidebook entry,
        in two queries however many."""
        return self.published().select_related("intervention").with_stages().order_by("name", "pk")


class ReviewItem(VersionedModel, TimeStampedModel):
    """A programme suggested for the guidebook or under review, and where it stands."""

    name = models.CharField(max_length=200)
    provider = models.CharField(max_length=200, blank=True)
    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_items",
        help_text="The guidebook entry, once there is one.",
    )
    stage = models.CharField(
        max_length=20, choices=ReviewStage.choices, default=ReviewStage.SUGGESTED
    )
    expected_year = models.PositiveSmallIntegerField(
        "year a decision is expected", null=True, blank=True
    )
    expected_quarter = models.PositiveSmallIntegerField(
        "quarter a decision is expected",
        null=True,
        blank=True,
        choices=[(quarter, f"Q{quarter}") for quarter in range(1, 5)],
    )
    public_note = models.TextField(
        blank=True, help_text="Shown to the public: why it is at this stage, what is awaited."
    )
    published = models.BooleanField(
        default=False, help_text="Only published review items are shown to the public."
    )

    objects = ReviewItemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "pk"]
        permissions = [("publish_reviewitem", "Can publish and unpublish review items")]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=ReviewStage.values),
                name="review_item_stage_known",
                violation_error_message="The stage must be one of the listed stages.",
            ),
            models.CheckConstraint(
                condition=Q(expected_quarter__isnull=True)
                | Q(expected_quarter__gte=1, expected_quarter__lte=4),
                name="review_item_quarter_range",
                violation_error_message="A quarter is 1, 2, 3 or 4.",
            ),
            models.CheckConstraint(
                condition=Q(expected_quarter__isnull=True) | Q(expected_year__isnull=False),
                name="review_item_quarter_has_year",
                violation_error_message="Give the year of the expected quarter.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalogue:under-review") + f"#review-{self.pk}"

    @property
    def stage_began(self) -> datetime.date | None:
        """When the item entered the stage it is at, from its history (prefetched)."""
        dates = [entry.entered_on for entry in self.stages.all() if entry.stage == self.stage]
        return max(dates, default=None)

    @property
    def guidebook_entry(self) -> "Intervention | None":
        """The published intervention it became, if any."""
        entry = self.intervention
        return entry if entry is not None and entry.published else None

    @property
    def expected(self) -> str:
        """The quarter a decision is expected, as "2027 Q1"; empty when not estimated."""
        if self.expected_year is None:
            return ""
        return (
            f"{self.expected_year} Q{self.expected_quarter}"
            if self.expected_quarter
            else (str(self.expected_year))
        )


class ReviewStageEntry(models.Model):
    """The date a review item entered a stage: its short public history."""

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(max_length=20, choices=ReviewStage.choices)
    entered_on = models.DateField()
    note = models.CharField(max_length=300, blank=True, help_text="Shown to the public.")

    class Meta:
        ordering = ["item", "entered_on", "pk"]
        verbose_name_plural = "review stage entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=ReviewStage.values),
                name="review_stage_entry_stage_known",
                violation_error_message="The stage must be one of the listed stages.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} from {self.entered_on:%-d %B %Y}"
