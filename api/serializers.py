"""The API's records as JSON: every code with its label, every link absolute, ids for the
records they point to. What each record holds is read from the querysets in views.py, which
preload it, so that no serializer makes a query of its own."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalogue.models import (
    AgeGroup,
    DeliveryModel,
    Direction,
    LevelOfNeed,
    ReviewStage,
    Setting,
    StudyDesign,
    StudyLevel,
)
from projects.models import DocumentKind, Role, Status, StudyType
from ratings.crosswalk import Clearinghouse, Tier, our_tier
from ratings.models import Scale
from ratings.scales import CostRating, EvidenceRating

EVIDENCE_CODES = [rating.code for rating in EvidenceRating]
COST_CODES = [rating.code for rating in CostRating]


def absolute(path: str) -> str:
    """The full address of a path on this site: the site's own, never the request's Host,
    which would be kept in cached responses for everyone."""
    return settings.SITE_URL + path


def coded(name: str, choices, code_of=str) -> type[serializers.Serializer]:
    """A serializer of one stored value as {"code": …, "label": …}, from (code, label)
    choices; code_of turns the stored value into its code."""
    labels = {str(code): str(label) for code, label in choices}

    class Coded(serializers.Serializer):
        code = serializers.ChoiceField(choices=list(labels))
        label = serializers.CharField()

        def to_representation(self, value):
            code = code_of(value)
            return {"code": code, "label": labels[code]}

    Coded.__name__ = Coded.__qualname__ = name
    return Coded


AgeGroupCode = coded("AgeGroup", AgeGroup.choices)
LevelOfNeedCode = coded("LevelOfNeed", LevelOfNeed.choices)
DeliveryModelCode = coded("DeliveryModel", DeliveryModel.choices)
SettingCode = coded("Setting", Setting.choices)
StudyDesignCode = coded("StudyDesign", StudyDesign.choices)
StudyLevelCode = coded(
    "StudyLevel",
    [(level.code, level.label) for level in StudyLevel],
    code_of=lambda value: StudyLevel(value).code,
)
DirectionCode = coded("Direction", Direction.choices)
StatusCode = coded("ProjectStatus", Status.choices)
StudyTypeCode = coded("StudyType", StudyType.choices)
RoleCode = coded("PartnerRole", Role.choices)
DocumentKindCode = coded("DocumentKind", DocumentKind.choices)
ReviewStageCode = coded("ReviewStage", ReviewStage.choices)
ClearinghouseCode = coded("Clearinghouse", Clearinghouse.choices)
TierCode = coded("Tier", Tier.choices)


def definition(context: dict, scale: Scale, value: int) -> str:
    """What a rating means, in the editors' words, as the intervention page shows it."""
    found = context["definitions"].get((scale, value))
    return found.definition if found else ""


class EvidenceRatingSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=EVIDENCE_CODES,
        allow_null=True,
        help_text="The guidebook's code (the `evidence` parameter's values); null while not yet rated.",
    )
    label = serializers.CharField(help_text="As the page prints it: “3+*”, “NL2”, “not yet rated”.")
    mixed_findings = serializers.BooleanField(
        help_text="The star: the evidence includes studies that show no effect or a negative one."
    )
    description = serializers.CharField(help_text="What the rating means.")
    mixed_findings_description = serializers.CharField(
        help_text="What the star means, when the rating carries it; otherwise empty."
    )
    tier = TierCode(
        allow_null=True,
        help_text="The rating's tier on the crosswalk shared with other clearinghouses.",
    )

    def to_representation(self, intervention):
        rating = intervention.evidence_rating
        tier = our_tier(rating)
        return {
            "code": EvidenceRating(rating).code if rating is not None else None,
            "label": intervention.rating_display,
            "mixed_findings": intervention.mixed_findings,
            "description": definition(
                self.context,
                *((Scale.EVIDENCE, rating) if rating is not None else (Scale.NOT_YET_RATED, 0)),
            ),
            "mixed_findings_description": definition(self.context, Scale.MIXED_FINDINGS, 0)
            if intervention.mixed_findings
            else "",
            "tier": TierCode().to_representation(tier) if tier else None,
        }


class CostRatingSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=COST_CODES,
        allow_null=True,
        help_text="The guidebook's code (the `cost` parameter's values); null while not yet rated.",
    )
    label = serializers.CharField(help_text="“3: medium cost (£500–£999)”, or “not yet rated”.")
    description = serializers.CharField(help_text="What the rating means.")

    def to_representation(self, intervention):
        rating = intervention.cost_rating
        if rating is None:
            return {
                "code": None,
                "label": "not yet rated",
                "description": definition(self.context, Scale.NOT_YET_RATED, 0),
            }
        return {
            "code": CostRating(rating).code,
            "label": CostRating(rating).description,
            "description": definition(self.context, Scale.COST, rating),
        }


class DescriptionSerializer(serializers.Serializer):
    text = serializers.CharField(source="description", help_text="As written, in Markdown.")
    html = serializers.CharField(source="description_html", help_text="Rendered and made safe.")
    supplied_by_provider = serializers.SerializerMethodField(
        help_text="Always true: the page marks the description as supplied by the provider."
    )

    def get_supplied_by_provider(self, intervention) -> bool:
        return True


class OutcomeLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="tag.id", help_text="The outcome's id.")
    slug = serializers.CharField(source="tag.slug")
    name = serializers.CharField(source="tag.name")
    impact = serializers.CharField(help_text="The impact found on this outcome.")
    finding_ids = serializers.SerializerMethodField(
        help_text="The findings of its studies on this outcome."
    )

    def get_finding_ids(self, link) -> list[int]:
        return [
            finding.pk
            for study in link.content_object.studies.all()
            for finding in study.findings.all()
            if finding.outcome_id == link.tag_id
        ]


class CharacteristicsSerializer(serializers.Serializer):
    age_groups = AgeGroupCode(many=True, help_text="Who it is for, as the provider intends it.")
    level_of_need = LevelOfNeedCode(many=True, help_text="As the provider intends it.")
    delivery_model = DeliveryModelCode(many=True)
    setting = SettingCode(many=True)
    workforce = serializers.CharField()
    country = serializers.CharField(help_text="The country it was developed in.")
    uk_available = serializers.BooleanField()
    uk_tested = serializers.BooleanField(
        help_text="At least one UK study counts towards its rating."
    )


class ImplementationSerializer(serializers.Serializer):
    delivery = serializers.CharField(help_text="How it is delivered.")
    training = serializers.CharField(help_text="Training and supervision.")
    fidelity = serializers.CharField(help_text="Licensing and fidelity.")
    cost_description = serializers.CharField(help_text="What it costs to set up and deliver.")
    unit_cost = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        allow_null=True,
        help_text="The estimated cost for each child or family, in pounds; null if not known.",
    )


class EvidenceSummarySerializer(serializers.Serializer):
    sentence = serializers.CharField(source="evidence_summary")
    study_count = serializers.IntegerField()
    counting_study_count = serializers.IntegerField(
        help_text="Studies counting towards the rating."
    )
    independent_study_count = serializers.IntegerField(
        help_text="Of those counting, conducted independently of the provider."
    )
    uk_study_count = serializers.IntegerField(help_text="Of those counting, in the UK.")
    counting_designs = StudyDesignCode(many=True, help_text="The designs of the counting studies.")
    ethnicity_reported = serializers.BooleanField(
        help_text="A counting study reports the ethnicity of its sample."
    )
    long_term_finding = serializers.BooleanField(
        help_text="A favourable finding 12 or more months after the intervention ended."
    )


class ExternalRatingSerializer(serializers.Serializer):
    clearinghouse = ClearinghouseCode()
    rating = serializers.CharField(help_text="Exactly as the clearinghouse words it.")
    tier = TierCode(help_text="The rating's tier on the crosswalk (see /ratings/).")
    area = serializers.CharField(help_text="What it was rated for.")
    checked_on = serializers.DateField(help_text="When an editor last checked it.")
    url = serializers.URLField(help_text="The rating on the clearinghouse's site.")


@extend_schema_field(OpenApiTypes.URI)
class PageField(serializers.Field):
    """The record's page on the site, as a full address."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record):
        return absolute(record.get_absolute_url())


class InterventionSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Its stable id: never changed, never reused.")
    slug = serializers.CharField(help_text="Its address on the site; an editor may change it.")
    name = serializers.CharField()
    url = PageField()
    summary = serializers.CharField()
    description = DescriptionSerializer(source="*")
    provider = serializers.CharField()
    website = serializers.CharField(help_text="The provider's site, if known.")
    evidence_rating = EvidenceRatingSerializer(source="*")
    cost_rating = CostRatingSerializer(source="*")
    outcomes = OutcomeLinkSerializer(source="outcome_links.all", many=True)
    characteristics = CharacteristicsSerializer(source="*")
    implementation = ImplementationSerializer(source="*")
    evidence_summary = EvidenceSummarySerializer(source="*")
    study_ids = serializers.SerializerMethodField(help_text="Its studies, in number order.")
    project_ids = serializers.SerializerMethodField(help_text="Research projects that studied it.")
    external_ratings = ExternalRatingSerializer(
        source="external_ratings.all", many=True, help_text="Other clearinghouses' ratings."
    )
    first_published = serializers.DateField(allow_null=True)
    last_reviewed = serializers.DateField(allow_null=True)
    updated = serializers.DateTimeField(help_text="When the record itself was last saved.")

    def get_study_ids(self, intervention) -> list[int]:
        return [study.pk for study in intervention.studies.all()]

    def get_project_ids(self, intervention) -> list[int]:
        return [project.pk for project in intervention.projects.all()]


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField(
        source="label",
        help_text="The field that changed, in words; empty for a correction after a "
        "reader's report, which the sentence says.",
    )
    old = serializers.CharField(help_text="Its value before, as the page words it; empty if none.")
    new = serializers.CharField(help_text="Its value after; empty if removed.")
    date = serializers.DateField(help_text="The day of the change, in the UK.")
    sentence = serializers.CharField(help_text="The change as the page says it.")


class InterventionHistorySerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The intervention's id.")
    changes = ChangeSerializer(source="change_log", many=True, help_text="Newest first.")


class RegistryLinkSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="As the study gives it: “ISRCTN12345678”.")
    url = serializers.CharField(
        help_text="Its record in the registry, where the registry is known."
    )

    def to_representation(self, pair):
        code, url = pair
        return {"id": code, "url": url}


class StudySerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Its stable id.")
    intervention_id = serializers.IntegerField()
    number = serializers.IntegerField(help_text="Its number on the intervention: “Study 2”.")
    url = serializers.SerializerMethodField(help_text="Where the intervention's page shows it.")
    citation = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    doi = serializers.CharField()
    doi_url = serializers.CharField(help_text="The DOI as an address; empty without one.")
    registry_ids = RegistryLinkSerializer(source="registry_links", many=True)
    design = StudyDesignCode()
    level = StudyLevelCode(help_text="The level of evidence it reached.")
    counts_towards_rating = serializers.BooleanField()
    rating_note = serializers.CharField(help_text="Why it counts towards the rating or not.")
    independent = serializers.BooleanField(help_text="Conducted independently of the provider.")
    country = serializers.CharField()
    in_uk = serializers.BooleanField()
    sample_intervention = serializers.IntegerField(allow_null=True)
    sample_comparison = serializers.IntegerField(allow_null=True)
    population_ages = serializers.CharField(help_text="Ages as evaluated; empty if not reported.")
    population_need = serializers.CharField(help_text="Level of need as evaluated.")
    ethnicity = serializers.CharField(help_text="As the study reports it; empty if it does not.")
    measures = serializers.CharField()
    limitations = serializers.CharField()
    finding_ids = serializers.SerializerMethodField()
    updated = serializers.DateTimeField()

    def get_url(self, study) -> str:
        return absolute(study.intervention.get_absolute_url() + "#" + study.anchor)

    def get_finding_ids(self, study) -> list[int]:
        return [finding.pk for finding in study.findings.all()]


class OutcomeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class FindingSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Its stable id.")
    study_id = serializers.IntegerField()
    intervention_id = serializers.IntegerField(source="study.intervention_id")
    outcome = OutcomeRefSerializer(help_text="The child outcome it is a result on.")
    sub_outcome = serializers.CharField(help_text="The result in a few words.")
    measure = serializers.CharField()
    statement = serializers.CharField()
    direction = DirectionCode()
    effect_size = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    improvement_index = serializers.IntegerField(allow_null=True, help_text="From −50 to 50.")
    months_after_end = serializers.IntegerField(
        allow_null=True, help_text="Months after the intervention ended; null if not reported."
    )
    long_term = serializers.BooleanField(help_text="12 or more months after the end.")
    timeframe = serializers.CharField(help_text="When it was measured, in words.")


class OutcomeSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Its stable id.")
    slug = serializers.CharField()
    name = serializers.CharField()
    url = PageField()
    description = serializers.CharField()
    position = serializers.IntegerField(help_text="Outcomes are listed in this order.")
    intervention_ids = serializers.SerializerMethodField(
        help_text="Published interventions with evidence for it."
    )

    def get_intervention_ids(self, outcome) -> list[int]:
        return [link.content_object_id for link in outcome.published_links]


class PartnerSerializer(serializers.Serializer):
    organisation_id = serializers.IntegerField()
    name = serializers.CharField(source="organisation.name")
    role = RoleCode()


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = DocumentKindCode()
    file_type = serializers.SerializerMethodField(help_text="“PDF”, “DOCX”; empty without a file.")
    size = serializers.IntegerField(allow_null=True, help_text="In bytes.")
    download_url = serializers.SerializerMethodField(
        allow_null=True, help_text="Null while the document has no file yet."
    )
    updated = serializers.DateTimeField()

    def get_file_type(self, document) -> str:
        return document.file_type if document.file else ""

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, document) -> str | None:
        return absolute(document.get_absolute_url()) if document.file else None


class TopicSerializer(serializers.Serializer):
    slug = serializers.CharField(help_text="The project list's `topic` parameter.")
    name = serializers.CharField()


def month(value) -> str | None:
    return value.strftime("%Y-%m") if value else None


class ProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Its stable id: never changed, never reused.")
    slug = serializers.CharField()
    title = serializers.CharField()
    url = PageField()
    summary = serializers.CharField()
    body = serializers.CharField(help_text="In Markdown.")
    body_html = serializers.CharField()
    study_type = StudyTypeCode()
    status = StatusCode()
    overdue = serializers.BooleanField(
        source="is_overdue", help_text="Still in progress after its estimated completion."
    )
    start_date = serializers.DateField(allow_null=True)
    estimated_completion = serializers.SerializerMethodField(help_text="A month: “2023-04”.")
    due_date = serializers.DateField(allow_null=True)
    completed_on = serializers.SerializerMethodField(help_text="The month it was completed.")
    partners = PartnerSerializer(source="partnerships.all", many=True)
    research_questions = serializers.SerializerMethodField(help_text="In their order.")
    documents = DocumentSerializer(source="documents.all", many=True)
    topics = TopicSerializer(source="topics.all", many=True)
    intervention_ids = serializers.SerializerMethodField(
        help_text="Published interventions it studies."
    )
    updated = serializers.DateTimeField()

    def get_estimated_completion(self, project) -> str | None:
        return month(project.estimated_completion)

    def get_completed_on(self, project) -> str | None:
        return month(project.completed_on)

    def get_research_questions(self, project) -> list[str]:
        return [question.text for question in project.research_questions.all()]

    def get_intervention_ids(self, project) -> list[int]:
        return [intervention.pk for intervention in project.interventions.all()]


class ProjectRecordSerializer(ProjectSerializer):
    related_project_ids = serializers.SerializerMethodField(
        help_text="Related published projects, best first: those an editor linked, then "
        "those sharing the most topics, partners and interventions. On the record only."
    )

    def get_related_project_ids(self, project) -> list[int]:
        return self.context["related_ids"]


class OrganisationProjectSerializer(serializers.Serializer):
    project_id = serializers.IntegerField()
    role = RoleCode()


class OrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Its stable id.")
    slug = serializers.CharField(help_text="The project list's `partner` parameter.")
    name = serializers.CharField()
    url = PageField()
    website = serializers.CharField()
    projects = OrganisationProjectSerializer(
        source="published_partnerships", many=True, help_text="Published projects, by role."
    )


class StageEntrySerializer(serializers.Serializer):
    stage = ReviewStageCode()
    entered_on = serializers.DateField()
    note = serializers.CharField()


class ReviewItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Its stable id.")
    name = serializers.CharField()
    provider = serializers.CharField()
    intervention_id = serializers.SerializerMethodField(
        help_text="Its guidebook entry, once one is published."
    )
    stage = ReviewStageCode()
    expected = serializers.CharField(help_text="When a decision is expected: “2027 Q1”, or empty.")
    expected_year = serializers.IntegerField(allow_null=True)
    expected_quarter = serializers.IntegerField(allow_null=True, min_value=1, max_value=4)
    public_note = serializers.CharField()
    stages = StageEntrySerializer(source="stages.all", many=True, help_text="Oldest first.")
    updated = serializers.DateTimeField()

    def get_intervention_id(self, item) -> int | None:
        intervention = item.intervention
        return intervention.pk if intervention and intervention.published else None
