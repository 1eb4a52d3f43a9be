"""Fill the database with realistic generated projects and interventions, for trying the
site at scale and for the benchmark. The seed content is never touched: every generated
record's slug starts with "demo-", and --clear removes only those."""

import datetime
import functools
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from catalogue.models import (
    LONG_TERM_MONTHS,
    AgeGroup,
    ChildOutcome,
    DeliveryModel,
    Direction,
    ExternalRating,
    Finding,
    Intervention,
    LevelOfNeed,
    OutcomeEvidence,
    Setting,
    Study,
    StudyDesign,
    StudyLevel,
    evidence_values,
)
from core.cache import announce_change
from core.text import render_markdown
from portal.demo import PREFIX, demo_records_exist
from projects.models import (
    Organisation,
    Partnership,
    Project,
    ResearchQuestion,
    Role,
    Status,
    StudyType,
    TaggedProject,
    Topic,
)
from ratings.crosswalk import Clearinghouse, our_tier
from ratings.scales import CostRating, EvidenceRating

BATCH = 2000

APPROACHES = [
    "Family",
    "Parenting",
    "Home visiting",
    "Mentoring",
    "Early help",
    "Youth",
    "School",
    "Kinship care",
    "Foster carer",
    "Attachment",
    "Trauma-informed",
    "Restorative",
    "Multisystemic",
    "Community",
    "Peer support",
    "Relationship",
    "Play",
    "Literacy",
]
FORMS = [
    "programme",
    "partnership",
    "service",
    "support",
    "group",
    "project",
    "network",
    "coaching",
    "therapy",
    "practice model",
]
PLACES = [
    "Leeds",
    "Bristol",
    "Camden",
    "Norfolk",
    "Cumbria",
    "Gateshead",
    "Stockport",
    "Kent",
    "Wirral",
    "Cornwall",
    "Sheffield",
    "Hackney",
    "Derby",
    "Swindon",
    "Walsall",
]
TOPICS = [
    "Domestic abuse",
    "Children in care",
    "Care leavers",
    "Kinship care",
    "Early help",
    "Adolescent neglect",
    "Child protection",
    "Family support",
    "Youth justice",
    "Mental health",
    "Special educational needs",
    "Parental conflict",
    "Fostering",
    "Adoption",
    "Exploitation",
    "School exclusion",
    "Social work practice",
    "Poverty",
]
PARTNER_KINDS = ["University of", "Council of", "Trust for", "Institute for", "Centre for"]
QUESTIONS = [
    "Can the {thing} be delivered as intended in {place}?",
    "Do families and practitioners find the {thing} acceptable?",
    "What outcomes for children does the {thing} aim to change, and how?",
    "Is a larger evaluation of the {thing} possible, and what would it need?",
    "What does the {thing} cost to set up and deliver?",
]
EVIDENCE_WEIGHTS = {
    None: 8,
    EvidenceRating.NOT_EFFECTIVE: 2,
    EvidenceRating.BELOW_LEVEL_2: 6,
    EvidenceRating.LEVEL_2: 20,
    EvidenceRating.LEVEL_2_PLUS: 15,
    EvidenceRating.LEVEL_3: 18,
    EvidenceRating.LEVEL_3_PLUS: 14,
    EvidenceRating.LEVEL_4: 10,
    EvidenceRating.LEVEL_4_PLUS: 7,
}
COST_WEIGHTS = {None: 10, 1: 15, 2: 25, 3: 22, 4: 15, 5: 8, CostRating.NOT_APPLICABLE: 5}
# The counting studies each rating rests on by the seed's definitions, as (level, long term
# favourable finding) pairs: a 4 rests on two level 4 studies with a long-term favourable
# finding, a 4+ on a third too (one of them independent), a 3+ on a further study at
# level 2 or above.
COUNTING_STUDIES = {
    None: [],
    EvidenceRating.NOT_EFFECTIVE: [(StudyLevel.LEVEL_3, False)],
    EvidenceRating.BELOW_LEVEL_2: [(StudyLevel.BELOW_2, False)],
    EvidenceRating.LEVEL_2: [(StudyLevel.LEVEL_2, False)],
    EvidenceRating.LEVEL_2_PLUS: [(StudyLevel.LEVEL_2, False), (StudyLevel.LEVEL_2, False)],
    EvidenceRating.LEVEL_3: [(StudyLevel.LEVEL_3, False)],
    EvidenceRating.LEVEL_3_PLUS: [(StudyLevel.LEVEL_3, False), (StudyLevel.LEVEL_2, False)],
    EvidenceRating.LEVEL_4: [(StudyLevel.LEVEL_4, True), (StudyLevel.LEVEL_4, True)],
    EvidenceRating.LEVEL_4_PLUS: [
        (StudyLevel.LEVEL_4, True), (StudyLevel.LEVEL_4, True), (StudyLevel.LEVEL_3, False),
    ],
}  # fmt: skip
DESIGNS_AT_LEVEL = {
    StudyLevel.LEVEL_4: [StudyDesign.RCT, StudyDesign.CLUSTER_RCT],
    StudyLevel.LEVEL_3: [StudyDesign.RCT, StudyDesign.CLUSTER_RCT, StudyDesign.QED],
    StudyLevel.LEVEL_2: [StudyDesign.QED, StudyDesign.PRE_POST],
    StudyLevel.BELOW_2: [StudyDesign.PRE_POST, StudyDesign.OTHER],
}
STUDY_COUNTRIES = ["England", "Scotland", "Wales", "United States", "Australia", "Norway"]
ETHNICITIES = [
    "White British 71%, Asian 12%, Black 9%, mixed 8%",
    "White 64%, Black 20%, Hispanic 16%",
    "",
]
# Every so many interventions one has ten studies, as a well-researched programme may.
WELL_RESEARCHED_EVERY = 1000
# The share of interventions another clearinghouse has rated too, the area each rates, and
# how often its rating falls in another tier than ours.
RATED_ELSEWHERE = 0.25
RATED_AREAS = {
    Clearinghouse.BLUEPRINTS: "Problem behaviour",
    Clearinghouse.CEBC: "Child welfare",
    Clearinghouse.IV_E: "Child well-being",
    Clearinghouse.WWC: "Literacy",
    Clearinghouse.EEF: "Attainment",
    Clearinghouse.XCHANGE: "Substance use",
}
RATED_DIFFERENTLY = 0.3


DEMO_BODY = (
    "## Aims\n\n- Understand how the work is delivered\n"
    "- Explore its promise and acceptability\n- Prepare an impact evaluation"
)
DEMO_BODY_HTML = render_markdown(DEMO_BODY)
# The few descriptions the demo uses, each rendered once.
rendered = functools.lru_cache(render_markdown)


class Progress:
    """A one-line progress bar on standard error."""

    def __init__(self, stream, label: str, total: int):
        self.stream, self.label, self.total, self.done = stream, label, total, 0
        self.started = time.monotonic()

    def advance(self, count: int) -> None:
        self.done += count
        filled = int(30 * self.done / max(self.total, 1))
        self.stream.write(
            f"\r{self.label:<14} [{'#' * filled}{'.' * (30 - filled)}] "
            f"{self.done:>7,}/{self.total:,} {time.monotonic() - self.started:5.1f}s"
        )
        if self.done >= self.total:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Add generated demo projects and interventions (slugs starting demo-) using bulk "
        "writes. The seed content is left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, default=1000, help="How many projects to add.")
        parser.add_argument(
            "--interventions", type=int, default=1000, help="How many interventions to add."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed, for repeatable data.")
        parser.add_argument(
            "--clear", action="store_true", help="Remove earlier demo records first."
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="Add them only if there are no demo records yet (what `make run` does).",
        )

    def handle(
        self,
        *args,
        projects: int,
        interventions: int,
        seed: int,
        clear: bool,
        once: bool,
        **options,
    ):
        if projects < 0 or interventions < 0:
            raise CommandError("The numbers of projects and interventions cannot be negative.")
        if once and demo_records_exist():
            self.stdout.write("Demo records are here already; none added.")
            return
        if not ChildOutcome.objects.exists():
            raise CommandError(
                "There are no child outcomes to give the interventions: load the seed "
                "first with `python manage.py load_seed`."
            )
        self.random = random.Random(seed)
        # A generator of their own for the external ratings, so that adding them left the
        # rest of the demo as it was for the same seed.
        self.ratings_random = random.Random(seed)
        started = time.monotonic()
        with transaction.atomic():
            announce_change()
            if clear:
                self.clear()
            outcomes = list(ChildOutcome.objects.all())
            intervention_ids = self.make_interventions(interventions, outcomes)
            self.make_projects(projects, intervention_ids)
        if connection.vendor == "postgresql":
            # Fresh statistics and visibility maps, so that the planner knows the new rows
            # and can answer a page from the indexes alone.
            with connection.cursor() as cursor:
                # VACUUM cannot run inside a transaction, such as a test's.
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self.stdout.write(
            f"Added {interventions:,} interventions and {projects:,} projects "
            f"in {time.monotonic() - started:.1f}s."
        )

    def clear(self) -> None:
        for model in (Project, Intervention, Organisation, Topic):
            model.objects.filter(slug__startswith=PREFIX).delete()

    def pick(self, weights: dict):
        return self.random.choices(list(weights), weights=list(weights.values()))[0]

    def sample(self, choices: list, low: int, high: int) -> list:
        return self.random.sample(choices, self.random.randint(low, min(high, len(choices))))

    def name(self, index: int) -> str:
        # "Demo" first, so that nobody takes a generated programme for a real one.
        return (
            f"Demo {self.random.choice(APPROACHES).lower()} {self.random.choice(FORMS)} {index + 1}"
        )

    def make_interventions(self, count: int, outcomes: list[ChildOutcome]) -> list[int]:
        progress = Progress(self.stderr, "Interventions", count)
        offset = Intervention.objects.filter(slug__startswith=PREFIX).count()
        ids = []
        now = timezone.now()
        for start in range(0, count, BATCH):
            batch = []
            for index in range(start, min(start + BATCH, count)):
                name = self.name(offset + index)
                evidence = self.pick(EVIDENCE_WEIGHTS)
                batch.append(
                    Intervention(
                        name=name,
                        slug=f"{PREFIX}i{offset + index}",
                        summary=f"{name} helps children and families in {self.random.choice(PLACES)} "
                        f"through {self.random.choice(FORMS)} sessions with trained practitioners.",
                        description=(
                            description := f"Delivered over {self.random.randint(6, 40)} weeks."
                        ),
                        description_html=rendered(description),
                        provider=f"{self.random.choice(PLACES)} {self.random.choice(FORMS).title()} Trust",
                        evidence_rating=evidence,
                        mixed_findings=bool(evidence and evidence >= EvidenceRating.LEVEL_2)
                        and self.random.random() < 0.15,
                        cost_rating=self.pick(COST_WEIGHTS),
                        age_groups=self.sample(AgeGroup.values, 1, 3),
                        level_of_need=self.sample(LevelOfNeed.values, 1, 2),
                        delivery_model=self.sample(DeliveryModel.values, 1, 2),
                        setting=self.sample(Setting.values, 1, 2),
                        workforce="Family support workers",
                        country=self.random.choice(
                            ["England", "Wales", "Scotland", "United States"]
                        ),
                        uk_available=self.random.random() < 0.8,
                        # Set from its studies, where it has any.
                        uk_tested=self.random.random() < 0.5,
                        published=self.random.random() < 0.97,
                        first_published=datetime.date(2020, 1, 1),
                        last_reviewed=datetime.date(2024, 1, 1)
                        + datetime.timedelta(days=self.random.randint(0, 600)),
                        created=now,
                        updated=now,
                    )
                )
            chosen = [self.sample(outcomes, 1, 3) for _ in batch]
            studies = [
                self.make_studies(intervention, index, picked)
                for index, (intervention, picked) in enumerate(
                    zip(batch, chosen, strict=True), start=start
                )
            ]
            created = Intervention.objects.bulk_create(batch, batch_size=BATCH)
            links = [
                OutcomeEvidence(
                    content_object_id=intervention.pk,
                    tag_id=outcome.pk,
                    impact=f"Improved {outcome.name.lower()} in one or more studies.",
                )
                for intervention, picked in zip(created, chosen, strict=True)
                for outcome in picked
            ]
            OutcomeEvidence.objects.bulk_create(links, batch_size=BATCH)
            for intervention, planned in zip(created, studies, strict=True):
                for study, _ in planned:
                    study.intervention_id = intervention.pk
            Study.objects.bulk_create(
                [study for planned in studies for study, _ in planned], batch_size=BATCH
            )
            findings = []
            for planned in studies:
                for study, study_findings in planned:
                    for finding in study_findings:
                        finding.study_id = study.pk
                        findings.append(finding)
            Finding.objects.bulk_create(findings, batch_size=BATCH)
            ExternalRating.objects.bulk_create(
                [
                    rating
                    for intervention in created
                    for rating in self.rated_elsewhere(intervention)
                ],
                batch_size=BATCH,
            )
            ids += [intervention.pk for intervention in created]
            progress.advance(len(batch))
        return ids

    def make_studies(
        self, intervention: Intervention, index: int, outcomes: list[ChildOutcome]
    ) -> list[tuple[Study, list[Finding]]]:
        """Studies and findings that bear out the intervention's rating (COUNTING_STUDIES),
        with a few that do not count; sets the evidence columns they give it."""
        rating = intervention.evidence_rating
        plan = [(level, long_term, True) for level, long_term in COUNTING_STUDIES[rating]]
        extra = 10 - len(plan) if index % WELL_RESEARCHED_EVERY == 0 else self.random.randint(0, 1)
        if rating is not None or index % WELL_RESEARCHED_EVERY == 0:
            plan += [(self.random.choice([StudyLevel.BELOW_2, StudyLevel.LEVEL_2]), False, False)]
            plan += [(StudyLevel.BELOW_2, False, False)] * max(extra - 1, 0)
        independent = rating == EvidenceRating.LEVEL_4_PLUS or self.random.random() < 0.3
        made = []
        for number, (level, long_term, counts) in enumerate(plan, start=1):
            year = self.random.randint(2005, 2024)
            design = self.random.choice(DESIGNS_AT_LEVEL[level])
            study = Study(
                number=number,
                citation=f"Researcher, A., and Colleague, B. ({year}). An evaluation of "
                f"{intervention.name}. Journal of Children's Services, {number}({year % 12 + 1}).",
                year=year,
                doi=f"10.5555/demo.{index}.{number}",
                design=design,
                level=level,
                counts_towards_rating=counts,
                rating_note=""
                if counts
                else "Its design does not reach the level the rating needs.",
                independent=counts and number == 1 and independent,
                country=self.random.choice(STUDY_COUNTRIES),
                sample_intervention=self.random.randint(20, 600),
                sample_comparison=self.random.randint(20, 600)
                if design != StudyDesign.PRE_POST
                else None,
                population_ages=self.random.choice(
                    ["3 to 5 years", "6 to 11 years", "11 to 16 years"]
                ),
                population_need=self.random.choice(LevelOfNeed.labels),
                ethnicity=self.random.choice(ETHNICITIES),
                measures="Strengths and Difficulties Questionnaire; a reading test",
                limitations="High attrition in the comparison group." if not counts else "",
                created=intervention.created,
                updated=intervention.updated,
            )
            unfavourable = rating == EvidenceRating.NOT_EFFECTIVE
            findings = [
                Finding(
                    outcome=outcome,
                    sub_outcome=f"Improved {outcome.name.lower()}",
                    measure="Strengths and Difficulties Questionnaire",
                    statement=f"A {self.random.randint(2, 12)}-point change on the questionnaire.",
                    direction=Direction.NO_EFFECT if unfavourable else Direction.FAVOURABLE,
                    months_after_end=LONG_TERM_MONTHS
                    if long_term
                    else self.random.choice([0, 3, 6]),
                )
                for outcome in outcomes[: self.random.randint(1, len(outcomes))]
            ]
            if intervention.mixed_findings and number == 1:
                # Mixed findings: one result that went the other way.
                findings.append(
                    Finding(
                        outcome=outcomes[-1],
                        sub_outcome=f"No change in {outcomes[-1].name.lower()}",
                        measure="A parent-reported measure",
                        statement="No difference between the groups.",
                        direction=Direction.NO_EFFECT,
                        months_after_end=6,
                    )
                )
            made.append((study, findings))
        columns = evidence_values(
            [
                {
                    "counts_towards_rating": study.counts_towards_rating,
                    "independent": study.independent,
                    "country": study.country,
                    "design": study.design,
                    "ethnicity": study.ethnicity,
                }
                for study, _ in made
            ],
            any(finding.long_term_favourable for _, found in made for finding in found),
        )
        for name, value in columns.items():
            setattr(intervention, name, value)
        if made:
            intervention.uk_tested = columns["uk_study_count"] > 0
        return made

    def rated_elsewhere(self, intervention: Intervention) -> list[ExternalRating]:
        """Other clearinghouses' ratings of some interventions, mostly in the tier of ours."""
        rng = self.ratings_random
        if rng.random() >= RATED_ELSEWHERE:
            return []
        ours = our_tier(intervention.evidence_rating)
        ratings = []
        for house in rng.sample(list(Clearinghouse), rng.randint(1, 2)):
            scale = house.scale.ratings
            same_tier = [rating for rating, tier in scale.items() if tier == ours]
            choices = same_tier if same_tier and rng.random() >= RATED_DIFFERENTLY else list(scale)
            ratings.append(
                ExternalRating(
                    intervention_id=intervention.pk,
                    clearinghouse=house,
                    rating=rng.choice(choices),
                    area=RATED_AREAS[house],
                    checked_on=datetime.date(2025, 1, 1)
                    + datetime.timedelta(days=rng.randint(0, 365)),
                    url=f"https://example.org/{house.value}/{intervention.slug}/",
                )
            )
        return ratings

    def pool(self, model, wanted: list) -> list:
        """The demo organisations or topics, made once and shared by later runs."""
        model.objects.bulk_create(wanted, ignore_conflicts=True)
        return list(model.objects.filter(slug__in=[record.slug for record in wanted]))

    def make_projects(self, count: int, intervention_ids: list[int]) -> None:
        if not count:
            return
        progress = Progress(self.stderr, "Projects", count)
        offset = Project.objects.filter(slug__startswith=PREFIX).count()
        organisations = self.pool(
            Organisation,
            [
                Organisation(
                    name=f"{PARTNER_KINDS[index % len(PARTNER_KINDS)]} {place} (demo {index + 1})",
                    slug=f"{PREFIX}o{index}",
                )
                for index, place in enumerate(PLACES * max(1, count // 400))
            ],
        )
        topics = self.pool(
            Topic,
            [
                Topic(name=f"{name} (demo)", slug=f"{PREFIX}t{index}")
                for index, name in enumerate(TOPICS)
            ],
        )
        today = timezone.localdate()
        made: list[int] = []
        for start in range(0, count, BATCH):
            batch = []
            for index in range(start, min(start + BATCH, count)):
                title = (
                    f"A study of the {self.name(offset + index)} in {self.random.choice(PLACES)}"
                )
                begun = today - datetime.timedelta(days=self.random.randint(30, 2000))
                finish = (begun + datetime.timedelta(days=self.random.randint(180, 900))).replace(
                    day=1
                )
                status = self.random.choice(list(Status))
                completed_on = (
                    min(finish, today.replace(day=1)) if status == Status.COMPLETED else None
                )
                batch.append(
                    Project(
                        title=title,
                        slug=f"{PREFIX}p{offset + index}",
                        summary=f"{title.capitalize()}: what it achieves for children and whether "
                        "a larger trial is possible.",
                        body=DEMO_BODY,
                        body_html=DEMO_BODY_HTML,
                        study_type=self.random.choice(list(StudyType)),
                        status=status,
                        start_date=begun,
                        estimated_completion=finish,
                        due_date=finish + datetime.timedelta(days=90),
                        completed_on=completed_on,
                        published=self.random.random() < 0.95,
                    )
                )
            created = Project.objects.bulk_create(batch, batch_size=BATCH)
            Partnership.objects.bulk_create(
                [
                    Partnership(project_id=project.pk, organisation_id=organisation.pk, role=role)
                    for project in created
                    for organisation, role in zip(
                        self.sample(organisations, 1, 3),
                        [Role.DELIVERY, Role.EVALUATION, Role.DELIVERY],
                        strict=False,
                    )
                ],
                batch_size=BATCH,
            )
            ResearchQuestion.objects.bulk_create(
                [
                    ResearchQuestion(
                        project_id=project.pk,
                        position=position,
                        text=question.format(thing="service", place=self.random.choice(PLACES)),
                    )
                    for project in created
                    for position, question in enumerate(self.sample(QUESTIONS, 2, 4), start=1)
                ],
                batch_size=BATCH,
            )
            TaggedProject.objects.bulk_create(
                [
                    TaggedProject(content_object_id=project.pk, tag_id=topic.pk)
                    for project in created
                    for topic in self.sample(topics, 1, 3)
                ],
                batch_size=BATCH,
            )
            if intervention_ids:
                Project.interventions.through.objects.bulk_create(
                    [
                        Project.interventions.through(project_id=project.pk, intervention_id=pk)
                        for project in created
                        for pk in set(
                            self.random.sample(intervention_ids, min(2, len(intervention_ids)))
                        )
                    ],
                    batch_size=BATCH,
                )
            if made:
                related = Project.related_projects.through
                pairs = {
                    tuple(sorted((project.pk, self.random.choice(made))))
                    for project in created
                    if self.random.random() < 0.3
                }
                related.objects.bulk_create(
                    [related(from_project_id=a, to_project_id=b) for a, b in pairs]
                    + [related(from_project_id=b, to_project_id=a) for a, b in pairs],
                    batch_size=BATCH,
                    ignore_conflicts=True,
                )
            made += [project.pk for project in created]
            progress.advance(len(batch))
