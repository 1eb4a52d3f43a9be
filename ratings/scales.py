"""The cost and evidence rating scales. Their codes and order are fixed here, in code;
editors change only the wording of each rating's definition (`RatingDefinition`)."""

from django.db import models


class EvidenceRating(models.IntegerChoices):
    """Evidence ratings, stored as their rank so that sorting and "at least" are plain
    comparisons. NL2 and NE sit below the ladder: they are assessments, not levels."""

    NOT_EFFECTIVE = 5, "NE"
    BELOW_LEVEL_2 = 10, "NL2"
    LEVEL_2 = 20, "2"
    LEVEL_2_PLUS = 25, "2+"
    LEVEL_3 = 30, "3"
    LEVEL_3_PLUS = 35, "3+"
    LEVEL_4 = 40, "4"
    LEVEL_4_PLUS = 45, "4+"

    @property
    def code(self) -> str:
        """The value used in URLs: "3+", "nl2"."""
        return self.label if self.is_level else self.label.lower()

    @property
    def is_level(self) -> bool:
        return self >= EvidenceRating.LEVEL_2

    @property
    def anchor(self) -> str:
        return "evidence-" + self.code.replace("+", "-plus")

    @property
    def description(self) -> str:
        """A short name for a screen reader or a filter: "3+", "NL2: below level 2"."""
        return {
            EvidenceRating.BELOW_LEVEL_2: "NL2: evidence below level 2",
            EvidenceRating.NOT_EFFECTIVE: "NE: found not to be effective",
        }.get(self, self.label)

    @classmethod
    def levels(cls) -> list["EvidenceRating"]:
        return [rating for rating in cls if rating.is_level]

    @classmethod
    def from_code(cls, code: str) -> "EvidenceRating":
        """Read a URL or spreadsheet code, case-insensitively; a "+" typed in a URL arrives
        as a space, so "3 " means "3+"."""
        normalised = code.lower().rstrip()
        if code.endswith(" ") and normalised in {"2", "3", "4"}:
            normalised += "+"
        for rating in cls:
            if rating.code.lower() == normalised:
                return rating
        raise ValueError(code)


class CostRating(models.IntegerChoices):
    """Cost ratings; lower is cheaper. "Not applicable" is stored above 5 so that a
    cheapest-first sort puts it after every known cost."""

    LOW = 1, "1"
    MEDIUM_LOW = 2, "2"
    MEDIUM = 3, "3"
    MEDIUM_HIGH = 4, "4"
    HIGH = 5, "5"
    NOT_APPLICABLE = 9, "NA"

    @property
    def code(self) -> str:
        return self.label.lower()

    @property
    def is_level(self) -> bool:
        return self != CostRating.NOT_APPLICABLE

    @property
    def anchor(self) -> str:
        return f"cost-{self.code}"

    @property
    def cost_label(self) -> str:
        return COST_LABELS[self]

    @property
    def band(self) -> str:
        return COST_BANDS[self]

    @property
    def description(self) -> str:
        if self.is_level:
            return f"{self.label}: {self.cost_label} ({self.band})"
        return "Not applicable, not available or not calculated"

    @classmethod
    def levels(cls) -> list["CostRating"]:
        return [rating for rating in cls if rating.is_level]

    @classmethod
    def from_code(cls, code: str) -> "CostRating":
        for rating in cls:
            if rating.code == code.strip().lower():
                return rating
        raise ValueError(code)


COST_LABELS = {
    CostRating.LOW: "low cost",
    CostRating.MEDIUM_LOW: "medium-low cost",
    CostRating.MEDIUM: "medium cost",
    CostRating.MEDIUM_HIGH: "medium-high cost",
    CostRating.HIGH: "high cost",
    CostRating.NOT_APPLICABLE: "cost not applicable",
}

COST_BANDS = {
    CostRating.LOW: "under £100",
    CostRating.MEDIUM_LOW: "£100–£499",
    CostRating.MEDIUM: "£500–£999",
    CostRating.MEDIUM_HIGH: "£1,000–£2,000",
    CostRating.HIGH: "over £2,000",
    CostRating.NOT_APPLICABLE: "not applicable, not available or not calculated",
}

MIXED_FINDINGS_ANCHOR = "mixed-findings"
NOT_YET_RATED_ANCHOR = "not-yet-rated"
