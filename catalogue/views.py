from functools import cached_property

from django.conf import settings
from django.core.validators import slug_re
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.views.generic import DetailView, ListView

from core.cache import cached_stream, depends_on, depends_on_list, reads_query, record_tag
from core.clients import AddressLimit, released_after, too_many_requests
from core.filtering import BackToResultsMixin, FilteredListView, FilterGroup, query_without
from editors.addresses import FollowsFormerSlugsMixin
from ratings.models import RatingDefinition, Scale

from .badges import Badge
from .facets import GuidebookFacets
from .filters import GuidebookFilter
from .models import ChildOutcome, Intervention, OutcomeEvidence
from .spreadsheet import export_lines

# The most interventions compared side by side.
COMPARE_MAX = 4


class GuidebookView(FilteredListView):
    """The guidebook: interventions filtered by rating, outcome, who they are for, how they
    are delivered and the studies behind them, as a page or a CSV."""

    filterset_class = GuidebookFilter
    template_name = "catalogue/guidebook.html"
    # `compare`: the interventions ticked for comparison on other pages, kept while the
    # reader moves between pages of results (the compare form's "next page" button).
    query_parameters = (*GuidebookFilter.base_filters, "page", "compare")
    paginate_by = settings.INTERVENTIONS_PER_PAGE

    def get_queryset(self):
        return Intervention.objects.published()

    def paginate_queryset(self, queryset, page_size):
        # Find the page's rows by their ids first, which the sort indexes answer alone,
        # then load just those, with what their cards show, in one query: a deep page
        # costs about what the first one does.
        paginator, page, ids, is_paginated = super().paginate_queryset(
            queryset.values_list("pk", flat=True), page_size
        )
        page.object_list = Intervention.objects.cards(list(ids))
        return paginator, page, page.object_list, is_paginated

    def get_paginator(self, queryset, per_page, **kwargs):
        # The count comes from the facet counts' cached cube, not a COUNT of the table.
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        paginator.count = self.facets.result_count()
        return paginator

    def get_filterset_kwargs(self, filterset_class):
        # Always bound, so that the defaults (NL2 and NE left out) apply to a bare URL too.
        return {**super().get_filterset_kwargs(filterset_class), "data": self.request.GET}

    def get_filterset(self, filterset_class):
        # Made once a request, though get() looks at it before FilterView.get asks again.
        if not hasattr(self, "filterset"):
            self.filterset = super().get_filterset(filterset_class)
        return self.filterset

    def get(self, request, *args, **kwargs):
        filterset = self.get_filterset(self.get_filterset_class())
        if filterset.wants_csv:
            return self.csv_response(filterset)
        return super().get(request, *args, **kwargs)

    def csv_response(self, filterset: GuidebookFilter):
        if not filterset.is_valid():
            problems = "\n".join(
                f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()
            )
            return HttpResponse(
                f"The export was not made because a filter is not valid.\n{problems}\n",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        admission = AddressLimit(
            "guidebook-export",
            per_minute=settings.EXPORTS_PER_MINUTE,
            at_once=settings.EXPORTS_AT_ONCE,
        ).admit(self.request)
        if admission.refused:
            return too_many_requests(self.request, admission, "downloads of the guidebook")
        # One kept copy for each filtered, sorted list, however its query was written.
        parts = (
            "guidebook-export",
            *(sorted(filterset.data.getlist(name)) for name in self.filterset.filters),
        )
        lines = cached_stream(parts, lambda: export_lines(filterset.qs))
        response = StreamingHttpResponse(
            released_after(lines, admission.release), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="interventions.csv"'
        return response

    @cached_property
    def facets(self) -> GuidebookFacets:
        return GuidebookFacets(self.filterset)

    def get_filter_groups(self) -> list[FilterGroup]:
        return self.facets.groups()

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if "compare" in self.request.GET:
            # A reader's own ticks: not kept in the shared cache, one entry a combination.
            patch_cache_control(response, private=True)
        return response

    def get_context_data(self, **kwargs):
        filterset = self.filterset
        context = super().get_context_data(
            filter_sections=self.facets.sections(),
            active_filters=filterset.active_filters(),
            # The feed that follows this page: without an invalid filter (the page leaves
            # it out, the feed would refuse it), paging or sorting.
            feed_query=query_without(
                filterset.data, *filterset.errors, "format", "page", "sort"
            ).urlencode(),
            # The page's own query, as typed, to which the template adds format=csv.
            csv_query=query_without(self.request.GET, "format", "page", "compare"),
            ticked=self.ticked(),
            # What the compare form sends on with its ticks to another page of results.
            kept_filters=[
                (name, value)
                for name, values in query_without(self.request.GET, "page", "compare").lists()
                for value in values
            ],
            **kwargs,
        )
        depends_on_list(
            self.request, Intervention, context["page_obj"], searched=bool(filterset.data.get("q"))
        )
        shown = {intervention.slug for intervention in context["page_obj"]}
        context["ticked_elsewhere"] = [slug for slug in context["ticked"] if slug not in shown]
        return context

    def ticked(self) -> list[str]:
        """The interventions ticked for comparison so far: slugs, at most COMPARE_MAX."""
        slugs = [slug for slug in self.request.GET.getlist("compare") if slug_re.match(slug)]
        return list(dict.fromkeys(slugs))[:COMPARE_MAX]


class OtherProgrammesView(ListView):
    """Programmes assessed as NL2 or NE, which the guidebook leaves out unless asked."""

    template_name = "catalogue/other_programmes.html"
    query_parameters = ("page",)
    paginate_by = settings.INTERVENTIONS_PER_PAGE

    def get_queryset(self):
        return Intervention.objects.published().other_programmes().for_cards().strongest_first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        depends_on_list(self.request, Intervention, context["object_list"])
        return context


class InterventionDetailView(FollowsFormerSlugsMixin, BackToResultsMixin, DetailView):
    template_name = "catalogue/intervention_detail.html"
    slug_model = Intervention
    results_url_name = "catalogue:guidebook"
    results_parameters = GuidebookView.query_parameters

    def get_object(self, queryset=None):
        try:
            return Intervention.objects.page(self.kwargs["slug"], drafts=self.request.user.is_staff)
        except Intervention.DoesNotExist:
            raise Http404("No intervention has this address.") from None

    def get_context_data(self, **kwargs):
        intervention = self.object
        # The projects it lists are told of its changes, and it of theirs.
        depends_on(self.request, record_tag(Intervention, intervention.pk))
        studies = intervention.studies.all()
        definitions = RatingDefinition.objects.lookup()
        return super().get_context_data(
            evidence_definition=definitions.get(
                (Scale.EVIDENCE, intervention.evidence_rating)
                if intervention.evidence_rating is not None
                else (Scale.NOT_YET_RATED, 0)
            ),
            cost_definition=definitions.get(
                (Scale.COST, intervention.cost_rating)
                if intervention.cost_rating is not None
                else (Scale.NOT_YET_RATED, 0)
            ),
            mixed_definition=definitions.get((Scale.MIXED_FINDINGS, 0)),
            studies=studies,
            counting_studies=[study for study in studies if study.counts_towards_rating],
            outcome_findings=intervention.findings_by_outcome(),
            badge=Badge(intervention),
            **kwargs,
        )


class OutcomeDetailView(ListView):
    """One child outcome and its interventions, strongest evidence first."""

    template_name = "catalogue/outcome_detail.html"
    query_parameters = ("page",)
    paginate_by = settings.INTERVENTIONS_PER_PAGE

    def get_queryset(self):
        self.outcome = get_object_or_404(ChildOutcome, slug=self.kwargs["slug"])
        impact = OutcomeEvidence.objects.filter(content_object=OuterRef("pk"), tag=self.outcome)
        return (
            Intervention.objects.published()
            .in_guidebook()
            .with_any_outcome([self.outcome])
            .annotate(impact=Subquery(impact.values("impact")[:1]))
            .for_cards()
            .strongest_first()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(outcome=self.outcome, **kwargs)
        depends_on_list(self.request, Intervention, context["object_list"])
        return context


@reads_query("compare")
def compare(request):
    """Up to four interventions side by side, chosen by slug in a shareable address."""
    slugs = list(dict.fromkeys(slug for slug in request.GET.getlist("compare") if slug))
    problems = []
    if len(slugs) > COMPARE_MAX:
        problems.append(
            f"You can compare up to {COMPARE_MAX} interventions at once; "
            f"these are the first {COMPARE_MAX} you chose."
        )
        slugs = slugs[:COMPARE_MAX]
    found = {
        intervention.slug: intervention
        for intervention in Intervention.objects.published()
        # Only slug-shaped values can name an intervention; the rest are reported missing.
        .filter(slug__in=[slug for slug in slugs if slug_re.match(slug)])
        .prefetch_related(
            Prefetch("outcome_links", queryset=OutcomeEvidence.objects.select_related("tag"))
        )
    }
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        problems.append(
            "We could not find "
            + ", ".join(f"“{slug}”" for slug in missing)
            + ": it may have been renamed or withdrawn."
        )
    interventions = [found[slug] for slug in slugs if slug in found]
    return render(
        request,
        "catalogue/compare.html",
        {
            "interventions": interventions,
            "outcomes": ChildOutcome.objects.all(),
            "problems": problems,
        },
    )
