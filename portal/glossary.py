"""The glossary at /help/glossary/: each term the pages use, in plain words, with an anchor
of its own (/help/glossary/#rct) that the pages link to where the term first appears."""

from typing import NamedTuple

from django.urls import reverse


class Term(NamedTuple):
    anchor: str
    name: str
    definition: str

    @property
    def url(self) -> str:
        return reverse("portal:glossary") + f"#{self.anchor}"


TERMS = [
    Term(
        "child-outcome",
        "Child outcome",
        "A part of a child's life an intervention aims to improve, such as their mental "
        "health or their safety. The guidebook uses seven, and rates the evidence for each.",
    ),
    Term(
        "cluster-rct",
        "Cluster randomised trial",
        "A randomised controlled trial in which whole groups (schools, say, or areas) rather "
        "than single families are allotted at random to have the intervention or not.",
    ),
    Term(
        "comparison-group",
        "Comparison group",
        "The people in a study who did not have the intervention, whose outcomes show what "
        "would probably have happened without it.",
    ),
    Term(
        "cost-rating",
        "Cost rating",
        "How much an intervention costs to set up and deliver, from 1 (less than £100 a "
        "child or family) to 5 (more than £2,000), from its estimated unit cost.",
    ),
    Term(
        "counting-study",
        "Counting study",
        "A study that is rigorous enough for its results to count towards the evidence "
        "rating. Other studies are listed on the intervention's page, but the rating does "
        "not rest on them.",
    ),
    Term(
        "effect-size",
        "Effect size",
        "How large a difference an intervention made, on a scale that can be compared "
        "across studies and measures. Small effects can still matter for many children.",
    ),
    Term(
        "evidence-rating",
        "Evidence rating",
        "How strong the evidence is that an intervention improves child outcomes, from 2 "
        "(preliminary evidence) to 4+ (long-term impact in several rigorous studies). It "
        "is not a recommendation.",
    ),
    Term(
        "fidelity",
        "Fidelity",
        "How closely an intervention is delivered as it was designed and tested. An "
        "intervention delivered differently may not have the same effect.",
    ),
    Term(
        "improvement-index",
        "Improvement index",
        "The expected change in percentile rank for an average child in the comparison "
        "group had they had the intervention: an index of 10 means moving from the 50th "
        "to the 60th percentile.",
    ),
    Term(
        "independent-study",
        "Independent study",
        "A study carried out by researchers who do not develop, own or deliver the "
        "intervention. Independent studies guard against the hopes of those who made it.",
    ),
    Term(
        "level-of-need",
        "Level of need",
        "Who an intervention is meant for: everyone (universal), children or families at "
        "higher risk (targeted selected), or those already showing the first signs of a "
        "problem (targeted indicated).",
    ),
    Term(
        "long-term",
        "Long-term finding",
        "A finding measured at least a year after the intervention ended.",
    ),
    Term(
        "mixed-findings",
        "Mixed findings (the star)",
        "A star beside a rating means some studies found a positive impact while others, "
        "on balance, found no effect or a negative one.",
    ),
    Term(
        "ne",
        "NE: not effective",
        "At least one rigorous study found the intervention not to be effective: on "
        "balance, the best evidence shows no effect or a negative impact.",
    ),
    Term(
        "nl2",
        "NL2: not level 2",
        "The best evidence so far does not reach level 2: there is not yet enough evidence "
        "to say whether the intervention improves child outcomes.",
    ),
    Term(
        "pre-post",
        "Pre-post study",
        "A study that measures outcomes before and after an intervention without a "
        "comparison group, so it cannot show that the intervention caused the change.",
    ),
    Term(
        "qed",
        "Quasi-experimental design (QED)",
        "A study that compares people who had an intervention with similar people who did "
        "not, chosen some way other than at random.",
    ),
    Term(
        "rct",
        "Randomised controlled trial (RCT)",
        "A study in which people are allotted at random to have the intervention or not, "
        "so that any difference in outcomes can be put down to the intervention.",
    ),
    Term(
        "review-pipeline",
        "Review pipeline",
        "The stages a programme goes through before it is published: suggested, screening, "
        "in review, rating agreed, then published or not listed.",
    ),
    Term(
        "statistically-significant",
        "Statistically significant",
        "A difference unlikely to have arisen by chance alone. It says nothing of whether "
        "the difference is large enough to matter.",
    ),
    Term(
        "study-design",
        "Study design",
        "How a study tells what an intervention did: by comparing with people who did not "
        "have it, chosen at random (a randomised controlled trial) or otherwise (a "
        "quasi-experimental design), or only before and after (a pre-post study).",
    ),
    Term(
        "targeted-indicated",
        "Targeted indicated",
        "For children or families already showing the first signs of a problem, such as a "
        "child with early behaviour problems.",
    ),
    Term(
        "targeted-selected",
        "Targeted selected",
        "For children or families at higher risk of a problem because of their "
        "circumstances, before any sign of it, such as first-time teenage parents.",
    ),
    Term(
        "unit-cost",
        "Unit cost",
        "The estimated cost of delivering an intervention to one child or family, "
        "including the set-up costs shared across them.",
    ),
    Term(
        "universal",
        "Universal",
        "For every child or family in a group or an area, whatever their level of need.",
    ),
]


# The glossary's term for each filter of the guidebook, for the filter panel's links.
FILTER_TERMS = {
    "evidence": "evidence-rating",
    "min_evidence": "evidence-rating",
    "mixed": "mixed-findings",
    "cost": "cost-rating",
    "max_cost": "cost-rating",
    "outcome": "child-outcome",
    "need": "level-of-need",
    "design": "study-design",
    "independent": "independent-study",
    "long_term": "long-term",
}
# The words the pages show for a value that is a term of the glossary.
WORD_TERMS = {
    "Universal": "universal",
    "Targeted selected": "targeted-selected",
    "Targeted indicated": "targeted-indicated",
    "Randomised controlled trial": "rct",
    "Cluster randomised trial": "cluster-rct",
    "Quasi-experimental design": "qed",
    "Pre-post study": "pre-post",
}
