"""factory-boy factories for research projects and the guidebook, offered as fixtures in
conftest.py."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils.text import slugify

from catalogue.models import (
    ChildOutcome,
    Direction,
    ExternalRating,
    Finding,
    Intervention,
    OutcomeEvidence,
    ReviewItem,
    ReviewStage,
    Study,
    StudyDesign,
    StudyLevel,
)
from projects.models import (
    Document,
    DocumentKind,
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
from ratings.crosswalk import Clearinghouse
from ratings.models import RatingDefinition, Scale
from ratings.scales import CostRating, EvidenceRating

# The smallest file a PDF reader recognises as one; enough for upload and download tests.
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

# The password editors set for themselves in these tests; Django's validators accept it.
EDITOR_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("a long and unguessable password")

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True


class OrganisationFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Partner organisation {n}")
    slug = factory.LazyAttribute(lambda organisation: slugify(organisation.name))
    website = factory.LazyAttribute(
        lambda organisation: f"https://{organisation.slug}.example.org/"
    )

    class Meta:
        model = Organisation


class TopicFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda topic: slugify(topic.name))

    class Meta:
        model = Topic
        django_get_or_create = ["name"]


def as_topic(topic: Topic | str) -> Topic:
    """Return topic itself, or the topic of that name, creating it if need be."""
    return topic if isinstance(topic, Topic) else TopicFactory(name=topic)


class ProjectFactory(factory.django.DjangoModelFactory):
    """A published project; pass topics=["Domestic abuse", topic] to tag it."""

    title = factory.Sequence(lambda n: f"Research project {n}")
    slug = factory.LazyAttribute(lambda project: slugify(project.title))
    summary = factory.LazyAttribute(lambda project: f"What {project.title} is asking, and why.")
    body = "The project works with families and the services that support them."
    study_type = StudyType.FEASIBILITY
    status = Status.IN_PROGRESS
    start_date = datetime.date(2022, 6, 1)
    estimated_completion = datetime.date(2023, 4, 1)
    due_date = None
    # A completed project carries the month it finished, as the database requires.
    completed_on = factory.LazyAttribute(
        lambda project: datetime.date(2024, 6, 1) if project.status == Status.COMPLETED else None
    )
    published = True

    class Meta:
        model = Project
        skip_postgeneration_save = True

    @classmethod
    def _create(cls, model_class, *args, created: datetime.datetime | None = None, **kwargs):
        """Create the project; created=... backdates it, which auto_now_add would not allow."""
        project = super()._create(model_class, *args, **kwargs)
        if created is not None:
            model_class.objects.filter(pk=project.pk).update(created=created)
            project.created = created
        return project

    @factory.post_generation
    def topics(project, create, extracted, **kwargs):
        if create and extracted:
            project.topics.add(*[as_topic(topic) for topic in extracted])

    @factory.post_generation
    def delivery_partners(project, create, extracted, **kwargs):
        for organisation in extracted or []:
            PartnershipFactory(project=project, organisation=organisation, role=Role.DELIVERY)

    @factory.post_generation
    def evaluation_partners(project, create, extracted, **kwargs):
        for organisation in extracted or []:
            PartnershipFactory(project=project, organisation=organisation, role=Role.EVALUATION)

    @factory.post_generation
    def related_projects(project, create, extracted, **kwargs):
        if create and extracted:
            project.related_projects.add(*extracted)

    @factory.post_generation
    def interventions(project, create, extracted, **kwargs):
        if create and extracted:
            project.interventions.add(*extracted)


class PartnershipFactory(factory.django.DjangoModelFactory):
    project = factory.SubFactory(ProjectFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.DELIVERY

    class Meta:
        model = Partnership


class ResearchQuestionFactory(factory.django.DjangoModelFactory):
    project = factory.SubFactory(ProjectFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.LazyAttribute(
        lambda question: f"What does research question {question.position} ask?"
    )

    class Meta:
        model = ResearchQuestion


class DocumentFactory(factory.django.DjangoModelFactory):
    """A document with a real uploaded PDF; without_file=True gives one not yet ready."""

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Study protocol {n}")
    kind = DocumentKind.PROTOCOL
    file = factory.django.FileField(filename="protocol.pdf", data=PDF_BYTES)

    class Meta:
        model = Document

    class Params:
        without_file = factory.Trait(file="")


class TaggedProjectFactory(factory.django.DjangoModelFactory):
    content_object = factory.SubFactory(ProjectFactory)
    tag = factory.SubFactory(TopicFactory)

    class Meta:
        model = TaggedProject


class ChildOutcomeFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Child outcome {n}")
    slug = factory.LazyAttribute(lambda outcome: slugify(outcome.name))
    description = factory.LazyAttribute(
        lambda outcome: f"What the outcome “{outcome.name}” covers for children."
    )
    position = factory.Sequence(lambda n: n + 1)

    class Meta:
        model = ChildOutcome
        django_get_or_create = ["name"]


def as_outcome(outcome: ChildOutcome | str) -> ChildOutcome:
    """Return outcome itself, or the outcome of that name, creating it if need be."""
    return outcome if isinstance(outcome, ChildOutcome) else ChildOutcomeFactory(name=outcome)


class InterventionFactory(factory.django.DjangoModelFactory):
    """A published intervention rated 3 for evidence and cost; pass
    outcomes=[outcome, (outcome, "impact found")] to link child outcomes."""

    name = factory.Sequence(lambda n: f"Intervention {n}")
    slug = factory.LazyAttribute(lambda intervention: slugify(intervention.name))
    summary = factory.LazyAttribute(
        lambda intervention: f"What {intervention.name} offers children and families."
    )
    evidence_rating = EvidenceRating.LEVEL_3
    mixed_findings = False
    cost_rating = CostRating.MEDIUM
    published = True

    class Meta:
        model = Intervention
        skip_postgeneration_save = True

    @factory.post_generation
    def outcomes(intervention, create, extracted, **kwargs):
        if not create or not extracted:
            return
        for item in extracted:
            outcome, impact = item if isinstance(item, tuple) else (item, "")
            OutcomeEvidence.objects.create(
                content_object=intervention, tag=as_outcome(outcome), impact=impact
            )


class StudyFactory(factory.django.DjangoModelFactory):
    """A counting randomised controlled trial at level 3 in England; create studies
    through this factory (or call refresh_evidence() after) so that the intervention's
    evidence columns follow."""

    intervention = factory.SubFactory(InterventionFactory)
    number = factory.LazyAttribute(
        lambda study: (study.intervention.studies.aggregate(Max("number"))["number__max"] or 0) + 1
    )
    citation = factory.Sequence(lambda n: f"Author {n}, A. (2020). A trial of it. Journal, 1(1).")
    year = 2020
    design = StudyDesign.RCT
    level = StudyLevel.LEVEL_3
    counts_towards_rating = True
    independent = False
    country = "England"
    sample_intervention = 120
    sample_comparison = 118

    class Meta:
        model = Study

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        study = super()._create(model_class, *args, **kwargs)
        Intervention.objects.filter(pk=study.intervention_id).refresh_evidence()
        study.intervention.refresh_from_db()
        return study


class FindingFactory(factory.django.DjangoModelFactory):
    study = factory.SubFactory(StudyFactory)
    outcome = factory.SubFactory(ChildOutcomeFactory)
    sub_outcome = "Improved reading"
    measure = "A reading test"
    statement = "A 9-point improvement on the reading test."
    direction = Direction.FAVOURABLE
    months_after_end = 0

    class Meta:
        model = Finding

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        finding = super()._create(model_class, *args, **kwargs)
        Intervention.objects.filter(pk=finding.study.intervention_id).refresh_evidence()
        finding.study.intervention.refresh_from_db()
        return finding


class ExternalRatingFactory(factory.django.DjangoModelFactory):
    intervention = factory.SubFactory(InterventionFactory)
    clearinghouse = Clearinghouse.CEBC
    rating = "Well-Supported by Research Evidence"
    area = "Child welfare"
    checked_on = datetime.date(2026, 9, 1)
    url = factory.Sequence(lambda n: f"https://clearinghouse.example.org/programmes/{n}")

    class Meta:
        model = ExternalRating


class ReviewItemFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Suggested programme {n}")
    provider = "A provider"
    stage = ReviewStage.SCREENING
    expected_year = 2027
    expected_quarter = 2
    published = True

    class Meta:
        model = ReviewItem


class RatingDefinitionFactory(factory.django.DjangoModelFactory):
    scale = Scale.EVIDENCE
    value = EvidenceRating.LEVEL_3
    definition = factory.LazyAttribute(lambda row: f"What {row.scale} rating {row.value} means.")

    class Meta:
        model = RatingDefinition
        django_get_or_create = ["scale", "value"]
