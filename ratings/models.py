from django.db import models
from django.urls import reverse

from core.cache import cached_until_changed

from .scales import (
    MIXED_FINDINGS_ANCHOR,
    NOT_YET_RATED_ANCHOR,
    CostRating,
    EvidenceRating,
)


class Scale(models.TextChoices):
    EVIDENCE = "evidence", "Evidence rating"
    COST = "cost", "Cost rating"
    MIXED_FINDINGS = "mixed", "Mixed findings star"
    NOT_YET_RATED = "unrated", "Not yet rated"


SCALE_VALUES = {
    Scale.EVIDENCE: EvidenceRating,
    Scale.COST: CostRating,
}


class RatingDefinitionQuerySet(models.QuerySet):
    def lookup(self) -> dict[tuple[str, int], "RatingDefinition"]:
        """Every definition keyed by (scale, value), for pages that show several ratings:
        from the data cache, since editors reword them rarely and a change to one empties
        everything."""

        def read() -> dict[tuple[str, int], "RatingDefinition"]:
            return {(definition.scale, definition.value): definition for definition in self}

        return cached_until_changed(("rating-definitions",), read, tags=())


class RatingDefinition(models.Model):
    """What one rating means, in words editors may improve. The scale itself, its
    codes and their order, is fixed in `ratings.scales`."""

    scale = models.CharField(max_length=10, choices=Scale)
    value = models.SmallIntegerField(
        help_text="The rating this defines; 0 for the star and for “not yet rated”."
    )
    definition = models.TextField(help_text="What the rating means, in plain words.")

    objects = RatingDefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["scale", "value"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "value"], name="rating_definition_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_scale_display()} {self.rating_label}".strip()

    def get_absolute_url(self) -> str:
        return reverse("ratings:explained") + f"#{self.anchor}"

    @property
    def rating(self) -> EvidenceRating | CostRating | None:
        values = SCALE_VALUES.get(self.scale)
        return values(self.value) if values else None

    @property
    def rating_label(self) -> str:
        return self.rating.label if self.rating is not None else ""

    @property
    def anchor(self) -> str:
        if self.rating is not None:
            return self.rating.anchor
        if self.scale == Scale.MIXED_FINDINGS:
            return MIXED_FINDINGS_ANCHOR
        return NOT_YET_RATED_ANCHOR
