"""A generated guidebook, an independent reading of docs/guidebook-query.md to check the
guidebook against, and readers for the guidebook's page and CSV export."""

from __future__ import annotations

import csv
import dataclasses
import io
import random
from dataclasses import dataclass
from urllib.parse import parse_qs

from django.urls import resolve, reverse

from catalogue.models import ExternalRating, Finding, Intervention, OutcomeEvidence, Study
from core.cache import bump_content_version
from ratings.crosswalk import SCALES
from ratings.scales import CostRating, EvidenceRating
from tests.support.factories import ChildOutcomeFactory, ExternalRatingFactory, InterventionFactory
from tests.support.pages import Node, main

# Weakest first, as docs/guidebook-query.md ranks them; NL2 and NE are not levels.
EVIDENCE_CODES = ["ne", "nl2", "2", "2+", "3", "3+", "4", "4+"]
LEVELS = EVIDENCE_CODES[2:]
OTHER_PROGRAMMES = {"nl2", "ne"}
COST_CODES = ["1", "2", "3", "4", "5", "na"]
COST_LEVELS = COST_CODES[:5]
CSV_COLUMNS = [
    "name",
    "slug",
    "summary",
    "evidence_rating",
    "mixed_findings",
    "cost_rating",
    "outcomes",
    "provider",
    "website",
    "age_groups",
    "setting",
    "delivery_model",
    "level_of_need",
    "country",
    "evidence_summary",
]
PER_PAGE = 20

# The codes of docs/guidebook-query.md for who an intervention is for, how it is delivered
# and its studies' designs.
AGE_CODES = ["prenatal", "0-2", "3-5", "6-11", "12-18", "18-25"]
NEED_CODES = ["universal", "targeted-selected", "targeted-indicated"]
MODEL_CODES = ["individual", "group", "family", "online"]
SETTING_CODES = [
    "home",
    "early-years",
    "school",
    "community",
    "health",
    "social-care",
    "youth-justice",
]
DESIGN_CODES = ["rct", "cluster-rct", "qed", "pre-post", "other"]
# The other clearinghouses, as `rated_by` names them.
CLEARINGHOUSE_CODES = ["blueprints", "cebc", "iv-e", "wwc", "eef", "xchange"]
# Each list parameter and the Entry attribute it tests.
LIST_PARAMETERS = {
    "age": "age_groups",
    "need": "need",
    "model": "model",
    "setting": "setting",
    "design": "counting_designs",
}
LIST_CODES = {
    "age": AGE_CODES,
    "need": NEED_CODES,
    "model": MODEL_CODES,
    "setting": SETTING_CODES,
    "design": DESIGN_CODES,
}
# The parameters that are `yes` or absent, and the Entry property each tests.
YES_PARAMETERS = {
    "uk_available": "uk_available",
    "uk_tested": "tested_in_uk",
    "independent": "independent",
    "long_term": "long_term",
    "ethnicity_reported": "ethnicity_reported",
}
# A study "in the UK" names one of these, in any case and with spaces around it.
UK_NAMES = {
    "uk", "united kingdom", "great britain", "britain",
    "england", "scotland", "wales", "northern ireland",
}  # fmt: skip
COUNTRIES = ["England", "  scotland ", "United Kingdom", "Wales", "United States", "Australia", ""]
ETHNICITIES = ["", " ", "White British 62%, Asian 20%, Black 10%, other 8%", "Not stated in full"]
DIRECTIONS = ["favourable", "no effect", "unfavourable"]
MONTHS = [None, 0, 6, 11, 12, 24]
# Findings name an outcome, which the guidebook's outcome filter does not read.
FINDING_OUTCOME = "mental-health-and-wellbeing"

WORDS = ["family", "therapy", "parenting", "school", "mentoring", "nurse", "youth", "group"]
PROVIDERS = ["Barnardos", "Action for Children", "Family Lives", "Kids Matter", ""]
OUTCOME_NAMES = [
    "Mental health and wellbeing",
    "Preventing maltreatment",
    "School achievement",
    "Preventing crime",
    "Preventing substance abuse",
    "Preventing teen pregnancy",
    "Healthy physical development",
]
OUTCOME_SLUGS = [
    "mental-health-and-wellbeing",
    "preventing-maltreatment",
    "school-achievement",
    "preventing-crime",
    "preventing-substance-abuse",
    "preventing-teen-pregnancy",
    "healthy-physical-development",
]


@dataclass(frozen=True)
class StudyEntry:
    """One generated study: its design, whether it counts towards the rating, and the
    findings' (direction, months after the intervention ended)."""

    design: str
    counts: bool
    independent: bool
    country: str
    ethnicity: str
    findings: tuple[tuple[str, int | None], ...]


@dataclass(frozen=True)
class Entry:
    """What the test knows of one generated intervention, in docs/guidebook-query.md's codes."""

    name: str
    slug: str
    summary: str
    description: str
    provider: str
    evidence: str | None
    mixed: bool
    cost: str | None
    outcomes: frozenset[str]
    published: bool
    age_groups: frozenset[str] = frozenset()
    need: frozenset[str] = frozenset()
    model: frozenset[str] = frozenset()
    setting: frozenset[str] = frozenset()
    uk_available: bool = False
    # As an editor set it; once the intervention has studies, they decide instead.
    uk_tested_set: bool = False
    studies: tuple[StudyEntry, ...] = ()
    # The clearinghouses that have rated it too.
    rated_by: frozenset[str] = frozenset()

    # What the studies show, read from them here, as docs/guidebook-query.md says.
    @property
    def counting(self) -> list[StudyEntry]:
        return [study for study in self.studies if study.counts]

    @property
    def counting_designs(self) -> set[str]:
        return {study.design for study in self.counting}

    @property
    def independent(self) -> bool:
        return any(study.independent for study in self.counting)

    @property
    def ethnicity_reported(self) -> bool:
        return any(study.ethnicity.strip() for study in self.counting)

    @property
    def long_term(self) -> bool:
        return any(
            direction == "favourable" and months is not None and months >= 12
            for study in self.studies
            for direction, months in study.findings
        )

    @property
    def tested_in_uk(self) -> bool:
        if not self.studies:
            return self.uk_tested_set
        return any(study.country.strip().lower() in UK_NAMES for study in self.counting)


def generate(seed: int, count: int, outcome_slugs: list[str]) -> list[Entry]:
    """Describe count interventions spread over every rating, cost and outcome."""
    rng = random.Random(seed)
    # Numbered names sort the same under every collation, and not in creation order.
    numbers = rng.sample(range(1, count + 1), count)
    entries = []
    for number in numbers:
        evidence = rng.choice([None, *EVIDENCE_CODES])
        first, second, third = rng.sample(WORDS, 3)
        entries.append(
            Entry(
                name=f"Programme {number:03d} {first.capitalize()}",
                slug=f"programme-{number:03d}",
                summary=f"A {second} programme for children and families.",
                description=f"Delivered with {third} support.",
                provider=rng.choice(PROVIDERS),
                evidence=evidence,
                mixed=evidence in LEVELS and rng.random() < 0.4,
                cost=rng.choice([None, *COST_CODES]),
                outcomes=frozenset(rng.sample(outcome_slugs, rng.randint(0, 3))),
                published=rng.random() < 0.85,
            )
        )
    # Drawn from a second generator, so that the fields above stay as they were.
    rng = random.Random(seed + 1)
    entries = [
        dataclasses.replace(
            entry,
            age_groups=frozenset(rng.sample(AGE_CODES, rng.randint(0, 3))),
            need=frozenset(rng.sample(NEED_CODES, rng.randint(0, 2))),
            model=frozenset(rng.sample(MODEL_CODES, rng.randint(0, 2))),
            setting=frozenset(rng.sample(SETTING_CODES, rng.randint(0, 3))),
            uk_available=rng.random() < 0.6,
            uk_tested_set=rng.random() < 0.5,
            studies=tuple(generate_study(rng) for _ in range(rng.choice([0, 0, 1, 1, 2, 3]))),
        )
        for entry in entries
    ]
    # A third generator, for the same reason.
    rng = random.Random(seed + 2)
    return [
        dataclasses.replace(
            entry,
            rated_by=frozenset(rng.sample(CLEARINGHOUSE_CODES, rng.choice([0, 0, 1, 1, 2]))),
        )
        for entry in entries
    ]


def generate_study(rng: random.Random) -> StudyEntry:
    return StudyEntry(
        design=rng.choice(DESIGN_CODES),
        counts=rng.random() < 0.7,
        independent=rng.random() < 0.4,
        country=rng.choice(COUNTRIES),
        ethnicity=rng.choice(ETHNICITIES),
        findings=tuple(
            (rng.choice(DIRECTIONS), rng.choice(MONTHS)) for _ in range(rng.randint(0, 2))
        ),
    )


def evidence_value(code: str | None) -> int | None:
    return None if code is None else EvidenceRating.from_code(code).value


def cost_value(code: str | None) -> int | None:
    return None if code is None else CostRating.from_code(code).value


def store(entries: list[Entry], outcomes: dict) -> None:
    """Write the entries to the database in a handful of queries."""
    interventions = Intervention.objects.bulk_create(
        [
            InterventionFactory.build(
                name=entry.name,
                slug=entry.slug,
                summary=entry.summary,
                description=entry.description,
                provider=entry.provider,
                evidence_rating=evidence_value(entry.evidence),
                mixed_findings=entry.mixed,
                cost_rating=cost_value(entry.cost),
                published=entry.published,
                # Stored in an order of their own: the filters must not depend on it.
                age_groups=sorted(entry.age_groups, reverse=True),
                level_of_need=sorted(entry.need),
                delivery_model=sorted(entry.model),
                setting=sorted(entry.setting, reverse=True),
                uk_available=entry.uk_available,
                uk_tested=entry.uk_tested_set,
            )
            for entry in entries
        ]
    )
    pairs = [
        (intervention, number, study)
        for entry, intervention in zip(entries, interventions, strict=True)
        for number, study in enumerate(entry.studies, start=1)
    ]
    studies = Study.objects.bulk_create(
        [
            Study(
                intervention=intervention,
                number=number,
                citation=f"Author {number} (2020). A study of {intervention.name}.",
                design=study.design,
                level=3,
                counts_towards_rating=study.counts,
                independent=study.independent,
                country=study.country,
                ethnicity=study.ethnicity,
            )
            for intervention, number, study in pairs
        ]
    )
    Finding.objects.bulk_create(
        [
            Finding(
                study=row,
                outcome=outcomes[FINDING_OUTCOME],
                sub_outcome="Improved wellbeing",
                direction=direction,
                months_after_end=months,
            )
            for row, (_, _, study) in zip(studies, pairs, strict=True)
            for direction, months in study.findings
        ]
    )
    # Bulk writes skip what saving through the admin keeps: the columns the filters read.
    Intervention.objects.refresh_evidence()
    OutcomeEvidence.objects.bulk_create(
        [
            OutcomeEvidence(
                content_object=intervention,
                tag=outcomes[slug],
                impact=f"{entry.name} improved {outcomes[slug].name.lower()}.",
            )
            for entry, intervention in zip(entries, interventions, strict=True)
            for slug in sorted(entry.outcomes)
        ]
    )
    ExternalRating.objects.bulk_create(
        [
            ExternalRatingFactory.build(
                intervention=intervention,
                clearinghouse=code,
                rating=next(iter(SCALES[code].ratings)),
            )
            for entry, intervention in zip(entries, interventions, strict=True)
            for code in sorted(entry.rated_by)
        ]
    )
    # Bulk writes send no signals: say the content changed, as the product's bulk writes do.
    bump_content_version()


def make_outcomes() -> dict:
    outcomes = {
        outcome.slug: outcome
        for outcome in (
            ChildOutcomeFactory(name=name, position=position)
            for position, name in enumerate(OUTCOME_NAMES, start=1)
        )
    }
    assert list(outcomes) == OUTCOME_SLUGS
    return outcomes


def normalise(code: str) -> str:
    """An evidence code as the query contract reads it: "3 " is a "+" that arrived as a space."""
    code = code.lower()
    if code.endswith(" ") and code.strip() in {"2", "3", "4"}:
        return code.strip() + "+"
    return code.strip()


def parse_query(query: str) -> dict[str, list[str]]:
    """Read a query string as Django does: "+" is a space."""
    return parse_qs(query, keep_blank_values=True)


def expected(entries: list[Entry], query: str | dict[str, list[str]]) -> list[str]:
    """The slugs docs/guidebook-query.md says the guidebook lists for query, in order."""
    params = parse_query(query) if isinstance(query, str) else query
    rows = [entry for entry in entries if entry.published]
    for word in " ".join(params.get("q", [])).lower().split():
        rows = [
            entry
            for entry in rows
            if any(
                word in text.lower()
                for text in (entry.name, entry.summary, entry.description, entry.provider)
            )
        ]
    evidence = {normalise(code) for code in params.get("evidence", []) if code}
    if evidence:
        rows = [entry for entry in rows if entry.evidence in evidence]
    else:
        rows = [entry for entry in rows if entry.evidence not in OTHER_PROGRAMMES]
    for code in filter(None, params.get("min_evidence", [])):
        floor = LEVELS.index(normalise(code))
        rows = [
            entry
            for entry in rows
            if entry.evidence in LEVELS and LEVELS.index(entry.evidence) >= floor
        ]
    for choice in filter(None, params.get("mixed", [])):
        if choice == "exclude":
            rows = [entry for entry in rows if not entry.mixed]
        elif choice == "only":
            rows = [entry for entry in rows if entry.mixed]
    costs = {code.lower() for code in params.get("cost", []) if code}
    if costs:
        rows = [entry for entry in rows if entry.cost in costs]
    for code in filter(None, params.get("max_cost", [])):
        rows = [
            entry for entry in rows if entry.cost in COST_LEVELS and int(entry.cost) <= int(code)
        ]
    outcomes = {slug for slug in params.get("outcome", []) if slug}
    if outcomes:
        rows = [entry for entry in rows if entry.outcomes & outcomes]
    for name, attribute in LIST_PARAMETERS.items():
        codes = {code.strip().lower() for code in params.get(name, []) if code.strip()}
        if codes:
            rows = [entry for entry in rows if getattr(entry, attribute) & codes]
    clearinghouses = {code.strip().lower() for code in params.get("rated_by", []) if code.strip()}
    if clearinghouses:
        rows = [entry for entry in rows if entry.rated_by & clearinghouses]
    for name, attribute in YES_PARAMETERS.items():
        # Not repeatable: the last value is the one in force.
        if (params.get(name) or [""])[-1].strip().lower() == "yes":
            rows = [entry for entry in rows if getattr(entry, attribute)]
    sort = (params.get("sort") or ["name"])[0] or "name"
    if sort == "-evidence":
        rows.sort(
            key=lambda entry: (
                entry.evidence is None,
                -EVIDENCE_CODES.index(entry.evidence) if entry.evidence else 0,
                entry.name,
            )
        )
    elif sort == "cost":
        rows.sort(
            key=lambda entry: (
                entry.cost is None,
                COST_CODES.index(entry.cost) if entry.cost else 0,
                entry.name,
            )
        )
    else:
        rows.sort(key=lambda entry: entry.name)
    return [entry.slug for entry in rows]


def guidebook_url(query: str = "") -> str:
    return reverse("catalogue:guidebook") + (f"?{query}" if query else "")


def parse_csv(data: bytes) -> list[dict[str, str]]:
    """The rows of a CSV file, each keyed by the column its header names."""
    reader = csv.reader(io.StringIO(data.decode(), newline=""))
    header = next(reader)
    return [dict(zip(header, row, strict=True)) for row in reader]


def csv_rows(response) -> list[dict[str, str]]:
    """The rows of a CSV export, each keyed by column."""
    assert response.status_code == 200, response.content
    return parse_csv(b"".join(response.streaming_content))


def exported_slugs(client, query: str = "") -> list[str]:
    """The slugs of the guidebook's CSV export for query, in order, across every page."""
    url = guidebook_url(f"{query}&format=csv" if query else "format=csv")
    return [row["slug"] for row in csv_rows(client.get(url))]


def listed_slugs(response) -> list[str]:
    """The slugs of the interventions on a page of cards, in the order shown."""
    assert response.status_code == 200
    return [
        # The link carries the way back to this page after its "?".
        resolve(card.find("a").attrs["href"].split("?")[0]).kwargs["slug"]
        for card in main(response).find_all("h3", class_="card__title")
    ]


def result_count(response) -> str:
    return main(response).find("h2", class_="results-count").text


def count_text(number: int) -> str:
    return f"{number} intervention{'s' if number != 1 else ''}"


def filter_group(page: Node, label: str) -> Node:
    """The filter panel's group for one filter, found by its label or legend."""
    groups = [
        group
        for tag in ("div", "fieldset")
        for group in page.find_all(tag, class_="filters__group")
        if any(
            caption.text == label for caption in group.find_all("label") + group.find_all("legend")
        )
    ]
    assert len(groups) == 1, f"expected one filter labelled {label!r}, found {len(groups)}"
    return groups[0]


def filter_error(page: Node, label: str) -> str:
    errors = filter_group(page, label).find_all("p", class_="field-error")
    return errors[0].text if errors else ""
