"""The crosswalk: other clearinghouses' rating scales, word for word, and the common tier
each of their ratings (and each of ours) maps to. The table is fixed here, in code, with
the source of every scale, so that a mapping changes only by a reviewed change to it.

The tiers compare like with like only roughly: each clearinghouse has its own criteria,
outcomes and standards of evidence, and the pages that show the tiers say so."""

from typing import NamedTuple

from django.db import models

from .scales import EvidenceRating


class Tier(models.TextChoices):
    """The common tiers, strongest first."""

    HIGHEST = "highest", "Highest tier"
    SECOND = "second", "Second tier"
    NO_EFFECT = "no-effect", "No effect"
    NEGATIVE = "negative", "Negative effect"
    INSUFFICIENT = "insufficient", "Insufficient evidence"

    @property
    def meaning(self) -> str:
        return TIER_MEANINGS[self]


TIER_MEANINGS = {
    Tier.HIGHEST: "Consistent benefit in more than one rigorous evaluation, or a benefit "
    "that lasted, by the clearinghouse's strictest standard.",
    Tier.SECOND: "A benefit in at least one rigorous evaluation, short of the strictest standard.",
    Tier.NO_EFFECT: "Rigorous evaluation found no benefit.",
    Tier.NEGATIVE: "Rigorous evaluation found harm.",
    Tier.INSUFFICIENT: "Not enough rigorous evidence to say whether it works.",
}


class Clearinghouse(models.TextChoices):
    """The clearinghouses whose ratings are kept; the value is the guidebook's `rated_by`."""

    BLUEPRINTS = "blueprints", "Blueprints for Healthy Youth Development"
    CEBC = "cebc", "California Evidence-Based Clearinghouse for Child Welfare (CEBC)"
    IV_E = "iv-e", "Title IV-E Prevention Services Clearinghouse"
    WWC = "wwc", "What Works Clearinghouse"
    EEF = "eef", "Education Endowment Foundation (EEF)"
    XCHANGE = "xchange", "Xchange prevention registry (EUDA)"

    @property
    def scale(self) -> "ExternalScale":
        return SCALES[self]


class ExternalScale(NamedTuple):
    """One clearinghouse's ratings, as it words them, each with its common tier."""

    ratings: dict[str, Tier]
    source: str
    source_url: str

    def tier(self, rating: str) -> Tier:
        return self.ratings[rating]


SCALES = {
    Clearinghouse.BLUEPRINTS: ExternalScale(
        {"Model Plus": Tier.HIGHEST, "Model": Tier.HIGHEST, "Promising": Tier.SECOND},
        "Blueprints for Healthy Youth Development, Program criteria",
        "https://www.blueprintsprograms.org/program-criteria/",
    ),
    Clearinghouse.CEBC: ExternalScale(
        {
            "Well-Supported by Research Evidence": Tier.HIGHEST,
            "Supported by Research Evidence": Tier.SECOND,
            "Promising Research Evidence": Tier.SECOND,
            "Evidence Fails to Demonstrate Effect": Tier.NO_EFFECT,
            "Concerning Practice": Tier.NEGATIVE,
            "NR - Not able to be Rated": Tier.INSUFFICIENT,
        },
        "CEBC, Scientific Rating Scale",
        "https://www.cebc4cw.org/ratings/scientific-rating-scale/",
    ),
    Clearinghouse.IV_E: ExternalScale(
        {
            "Well-supported": Tier.HIGHEST,
            "Supported": Tier.SECOND,
            "Promising": Tier.SECOND,
            "Does not currently meet criteria": Tier.INSUFFICIENT,
        },
        "Title IV-E Prevention Services Clearinghouse, Handbook of Standards and Procedures",
        "https://preventionservices.acf.hhs.gov/resources/handbook",
    ),
    Clearinghouse.WWC: ExternalScale(
        {
            "Positive effects": Tier.HIGHEST,
            "Potentially positive effects": Tier.SECOND,
            "Mixed effects": Tier.INSUFFICIENT,
            "No discernible effects": Tier.NO_EFFECT,
            "Potentially negative effects": Tier.NEGATIVE,
            "Negative effects": Tier.NEGATIVE,
        },
        "What Works Clearinghouse, Procedures and Standards Handbook, effectiveness ratings",
        "https://ies.ed.gov/ncee/wwc/Handbooks",
    ),
    Clearinghouse.EEF: ExternalScale(
        {
            "Positive impact, very high or high security (4 or 5 padlocks)": Tier.HIGHEST,
            "Positive impact, moderate to high security (3 padlocks)": Tier.SECOND,
            "No impact": Tier.NO_EFFECT,
            "Negative impact": Tier.NEGATIVE,
            "Moderate to low security or below (0 to 2 padlocks)": Tier.INSUFFICIENT,
        },
        "EEF, Classifying the security of findings from EEF evaluations (the padlock rating)",
        "https://educationendowmentfoundation.org.uk/projects-and-evaluation/evaluation",
    ),
    Clearinghouse.XCHANGE: ExternalScale(
        {
            "Beneficial": Tier.HIGHEST,
            "Likely to be beneficial": Tier.SECOND,
            "Possibly beneficial": Tier.SECOND,
            "Unknown effect": Tier.INSUFFICIENT,
            "Likely to be ineffective": Tier.NO_EFFECT,
            "Likely to be harmful": Tier.NEGATIVE,
        },
        "EUDA Xchange prevention registry, evidence ratings",
        "https://www.euda.europa.eu/best-practice/xchange_en",
    ),
}

# Our own evidence ratings on the same tiers: level 4 asks for a long-term benefit in two
# rigorous evaluations, level 3 for one; level 2 and NL2 are not yet causal evidence.
OUR_TIERS = {
    EvidenceRating.LEVEL_4_PLUS: Tier.HIGHEST,
    EvidenceRating.LEVEL_4: Tier.HIGHEST,
    EvidenceRating.LEVEL_3_PLUS: Tier.SECOND,
    EvidenceRating.LEVEL_3: Tier.SECOND,
    EvidenceRating.LEVEL_2_PLUS: Tier.INSUFFICIENT,
    EvidenceRating.LEVEL_2: Tier.INSUFFICIENT,
    EvidenceRating.BELOW_LEVEL_2: Tier.INSUFFICIENT,
    EvidenceRating.NOT_EFFECTIVE: Tier.NO_EFFECT,
}


def our_tier(evidence_rating: int | None) -> Tier | None:
    """The tier of one of our evidence ratings; None while it is not yet rated."""
    return OUR_TIERS.get(evidence_rating) if evidence_rating is not None else None


def tiers_disagree(ours: Tier | None, theirs: list[Tier]) -> bool:
    """Whether other clearinghouses' tiers differ from ours (where we have rated it) or
    from one another."""
    tiers = set(theirs)
    if tiers and ours is not None:
        tiers.add(ours)
    return len(tiers) > 1


def our_ratings_in(tier: Tier) -> list[EvidenceRating]:
    """Our evidence ratings that map to tier, strongest first."""
    return sorted((rating for rating, mapped in OUR_TIERS.items() if mapped == tier), reverse=True)


def rating_pairs() -> list[tuple[str, str]]:
    """Every (clearinghouse, rating) the table allows, for the database's constraint."""
    return [(house.value, rating) for house, scale in SCALES.items() for rating in scale.ratings]
