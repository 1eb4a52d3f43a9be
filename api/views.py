"""The read-only JSON API: published records only, each list filtered by a FilterSet (the
guidebook's and the project list's own) and paged by a cursor, each record by its id."""

import re

from django.conf import settings
from django.db.models import Prefetch
from django.http import QueryDict
from django.utils.http import http_date
from django.views.generic import TemplateView
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework import exceptions, generics
from rest_framework.response import Response
from rest_framework.reverse import reverse

from catalogue.models import (
    ChildOutcome,
    Finding,
    Intervention,
    OutcomeEvidence,
    ReviewItem,
    Study,
)
from core.cache import content_version
from core.clients import AddressLimit
from projects.models import Organisation, Partnership, Project
from ratings.models import RatingDefinition

from . import serializers
from .errors import ErrorSerializer, UnknownParameters
from .filters import (
    FindingFilter,
    InterventionFilter,
    ProjectFilter,
    ReviewItemFilter,
    StudyFilter,
)
from .pagination import PositionPagination
from .schema import FilterBackend

# An id as the URL gives it; anything else names no record.
ID = re.compile(r"[0-9]{1,18}")

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A query parameter is unknown or not valid."),
    429: OpenApiResponse(ErrorSerializer, description="Too many text searches from one address."),
}
ID_PARAMETER = OpenApiParameter(
    "id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="The record's stable id: it never changes and is never reused.",
)
RECORD_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="The record takes no query parameters."),
    404: OpenApiResponse(ErrorSerializer, description="No published record has this id."),
}


class ApiView(generics.GenericAPIView):
    """What every endpoint shares: only the query parameters it declares (the page cache
    keeps its responses under those), Last-Modified from the content, no sessions."""

    # The page cache passes a request with other parameters through to the view, so that
    # it is refused with a 400 rather than answered from a cached response without them.
    unknown_query_refused = True
    query_parameters: tuple[str, ...] = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # As sent, not as the page cache normalised them.
        sent = QueryDict(request.META.get("QUERY_STRING", ""))
        unknown = [name for name in sent if name not in self.query_parameters]
        if unknown:
            raise UnknownParameters(unknown, self.query_parameters)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # The time of the last change to any public record: a response that names related
        # records (a study's findings, a project's partners) changes when they do, which
        # its own `updated` would not show. The page cache sets the same for what it keeps.
        version = content_version()
        if response.status_code == 200 and version is not None:
            response["Last-Modified"] = http_date(version / 1e9)
        return response


class ListView(ApiView, generics.ListAPIView):
    filter_backends = [FilterBackend]
    pagination_class = PositionPagination

    def filter_queryset(self, queryset):
        # A text search costs a pass over the table for each word: limited for each
        # address as the site search is.
        if self.request.query_params.get("q", "").strip():
            admission = AddressLimit("search", per_minute=settings.SEARCHES_PER_MINUTE).admit(
                self.request
            )
            if admission.refused:
                raise exceptions.Throttled(
                    wait=admission.retry_after,
                    detail=f"Too many text searches from your address ({admission.refused}).",
                )
        return super().filter_queryset(queryset)


def list_parameters(filterset_class) -> tuple[str, ...]:
    return (*filterset_class.base_filters, "cursor", "page_size")


class RecordView(ApiView, generics.RetrieveAPIView):
    def get_object(self):
        if not ID.fullmatch(self.kwargs["pk"]):
            raise exceptions.NotFound("There is no record with this id: an id is a number.")
        found = self.filter_queryset(self.get_queryset()).filter(pk=int(self.kwargs["pk"]))
        record = found.first()
        if record is None:
            raise exceptions.NotFound("No published record has this id.")
        return record


def rating_definitions() -> dict:
    return RatingDefinition.objects.lookup()


class InterventionMixin:
    serializer_class = serializers.InterventionSerializer

    def get_queryset(self):
        return Intervention.objects.published().prefetch_related(
            Prefetch("outcome_links", queryset=OutcomeEvidence.objects.select_related("tag")),
            Prefetch("studies", queryset=Study.objects.order_by("number").only("intervention")),
            Prefetch("studies__findings", queryset=Finding.objects.only("study", "outcome")),
            "external_ratings",
            Prefetch("projects", queryset=Project.objects.published().only("pk")),
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "definitions": rating_definitions()}


@extend_schema(
    summary="Interventions, as the guidebook filters and sorts them",
    description="The guidebook's query parameters with their meaning (docs/guidebook-query.md): "
    "the same query string gives the same records in the same order as the guidebook's "
    "CSV download. NL2 and NE programmes appear only when `evidence` names them.",
    responses={200: serializers.InterventionSerializer(many=True), **ERRORS},
)
class InterventionList(InterventionMixin, ListView):
    filterset_class = InterventionFilter
    query_parameters = list_parameters(InterventionFilter)


@extend_schema(
    summary="One intervention",
    responses={200: serializers.InterventionSerializer, **RECORD_ERRORS},
    parameters=[ID_PARAMETER],
)
class InterventionRecord(InterventionMixin, RecordView):
    pass


@extend_schema(
    summary="An intervention's public change log",
    description="The changes to its ratings, newest first, as its page lists them: what "
    "changed and when, never who changed it.",
    responses={200: serializers.InterventionHistorySerializer, **RECORD_ERRORS},
    parameters=[ID_PARAMETER],
)
class InterventionHistory(RecordView):
    serializer_class = serializers.InterventionHistorySerializer

    def get_queryset(self):
        return Intervention.objects.published().only("pk")


@extend_schema(
    summary="Studies of published interventions",
    responses={200: serializers.StudySerializer(many=True), **ERRORS},
)
class StudyList(ListView):
    serializer_class = serializers.StudySerializer
    filterset_class = StudyFilter
    query_parameters = list_parameters(StudyFilter)

    def get_queryset(self):
        return (
            Study.objects.published()
            .select_related("intervention")
            .only(*STUDY_FIELDS, "intervention__slug")
            .prefetch_related(Prefetch("findings", queryset=Finding.objects.only("study")))
            .order_by("intervention", "number")
        )


STUDY_FIELDS = [field.name for field in Study._meta.concrete_fields]


@extend_schema(
    summary="One study",
    responses={200: serializers.StudySerializer, **RECORD_ERRORS},
    parameters=[ID_PARAMETER],
)
class StudyRecord(RecordView):
    serializer_class = serializers.StudySerializer
    get_queryset = StudyList.get_queryset


@extend_schema(
    summary="Findings of studies of published interventions",
    responses={200: serializers.FindingSerializer(many=True), **ERRORS},
)
class FindingList(ListView):
    serializer_class = serializers.FindingSerializer
    filterset_class = FindingFilter
    query_parameters = list_parameters(FindingFilter)

    def get_queryset(self):
        return Finding.objects.published().select_related("outcome", "study").order_by("pk")


@extend_schema(
    summary="One finding",
    responses={200: serializers.FindingSerializer, **RECORD_ERRORS},
    parameters=[ID_PARAMETER],
)
class FindingRecord(RecordView):
    serializer_class = serializers.FindingSerializer
    get_queryset = FindingList.get_queryset


@extend_schema(
    summary="Child outcomes, in their order",
    responses={200: serializers.OutcomeSerializer(many=True), **ERRORS},
)
class OutcomeList(ListView):
    serializer_class = serializers.OutcomeSerializer
    query_parameters = ("cursor", "page_size")
    filter_backends = []

    def get_queryset(self):
        # By the interventions' names, as a project's are; the links' own order is by outcome.
        published = (
            OutcomeEvidence.objects.filter(content_object__published=True)
            .only("tag", "content_object")
            .order_by("content_object__name", "content_object")
        )
        return ChildOutcome.objects.prefetch_related(
            Prefetch("intervention_links", queryset=published, to_attr="published_links")
        ).order_by("position", "name", "pk")


@extend_schema(
    summary="One child outcome",
    responses={200: serializers.OutcomeSerializer, **RECORD_ERRORS},
    parameters=[ID_PARAMETER],
)
class OutcomeRecord(RecordView):
    serializer_class = serializers.OutcomeSerializer
    get_queryset = OutcomeList.get_queryset


class ProjectMixin:
    def get_queryset(self):
        return (
            Project.objects.published()
            .with_overdue()
            .prefetch_related(
                Prefetch(
                    "partnerships", queryset=Partnership.objects.select_related("organisation")
                ),
                "research_questions",
                "documents",
                "topics",
                Prefetch("interventions", queryset=Intervention.objects.published().only("pk")),
            )
            # The project list's order, newest first, with the id to settle a tie.
            .order_by(*Project._meta.ordering, "pk")
        )


@extend_schema(
    summary="Research projects, as the project list filters them",
    description="The project list's query parameters with their meaning, and its order "
    "(newest first). Related projects are on each project's record.",
    responses={200: serializers.ProjectSerializer(many=True), **ERRORS},
)
class ProjectList(ProjectMixin, ListView):
    serializer_class = serializers.ProjectSerializer
    filterset_class = ProjectFilter
    query_parameters = list_parameters(ProjectFilter)


@extend_schema(
    summary="One research project",
    responses={200: serializers.ProjectRecordSerializer, **RECORD_ERRORS},
    parameters=[ID_PARAMETER],
)
class ProjectRecord(ProjectMixin, RecordView):
    serializer_class = serializers.ProjectRecordSerializer

    def get_object(self):
        project = super().get_object()
        self.related_ids = Project.objects.related_ids(project)
        return project

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "related_ids": getattr(self, "related_ids", [])}


@extend_schema(
    summary="Organisations that are partners of a published project",
    description="Only organisations with a part in at least one published project are listed.",
    responses={200: serializers.OrganisationSerializer(many=True), **ERRORS},
)
class OrganisationList(ListView):
    serializer_class = serializers.OrganisationSerializer
    query_parameters = ("cursor", "page_size")
    filter_backends = []

    def get_queryset(self):
        # As the partner page lists them: by role, newest first.
        partnerships = Partnership.objects.filter(project__published=True).order_by(
            "role", "-project__created", "project__title", "project"
        )
        return (
            Organisation.objects.with_published_projects()
            .prefetch_related(
                Prefetch("partnerships", queryset=partnerships, to_attr="published_partnerships")
            )
            .order_by("name", "pk")
        )


@extend_schema(
    summary="One organisation",
    responses={200: serializers.OrganisationSerializer, **RECORD_ERRORS},
    parameters=[ID_PARAMETER],
)
class OrganisationRecord(RecordView):
    serializer_class = serializers.OrganisationSerializer
    get_queryset = OrganisationList.get_queryset


@extend_schema(
    summary="The review pipeline: programmes suggested or under review",
    responses={200: serializers.ReviewItemSerializer(many=True), **ERRORS},
)
class ReviewItemList(ListView):
    serializer_class = serializers.ReviewItemSerializer
    filterset_class = ReviewItemFilter
    query_parameters = list_parameters(ReviewItemFilter)

    def get_queryset(self):
        return (
            ReviewItem.objects.published()
            .with_stages()
            .select_related("intervention")
            .only(*REVIEW_ITEM_FIELDS, "intervention__published")
            .order_by("name", "pk")
        )


REVIEW_ITEM_FIELDS = [field.name for field in ReviewItem._meta.concrete_fields]


@extend_schema(
    summary="One review item",
    responses={200: serializers.ReviewItemSerializer, **RECORD_ERRORS},
    parameters=[ID_PARAMETER],
)
class ReviewItemRecord(RecordView):
    serializer_class = serializers.ReviewItemSerializer
    get_queryset = ReviewItemList.get_queryset


ENDPOINTS = [
    "interventions",
    "studies",
    "findings",
    "outcomes",
    "projects",
    "organisations",
    "review-items",
]


class Root(ApiView):
    """Where each list is, and the document that describes them."""

    @extend_schema(exclude=True)
    def get(self, request):
        links = {name: serializers.absolute(reverse(f"api:{name}-list")) for name in ENDPOINTS}
        return Response(
            {
                **links,
                "openapi": serializers.absolute(reverse("api:openapi")),
                "docs": serializers.absolute(reverse("api:docs")),
            }
        )


class OpenApiDocument(SpectacularJSONAPIView):
    query_parameters = ()


class Docs(TemplateView):
    """The OpenAPI document for people, drawn by Swagger UI from the site's own static
    files (drf-spectacular-sidecar), started by a script file of the site: nothing inline."""

    template_name = "api/docs.html"
    query_parameters = ()


class NotFound(ApiView):
    """Any other address under /api/v1/: a 404 in JSON, as the API's own are."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        raise exceptions.NotFound("There is no such endpoint; /api/v1/ lists them.")
