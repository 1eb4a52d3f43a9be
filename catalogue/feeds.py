from django.core.exceptions import BadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from core.addresses import SiteFeed, absolute_url
from core.filtering import query_without

from .filters import GuidebookFilter
from .models import Intervention

FEED_LENGTH = 30


class GuidebookFeed(SiteFeed):
    """New and changed interventions for any guidebook filter, so a person can follow, say,
    new level 3+ interventions for preventing child maltreatment."""

    feed_type = Atom1Feed
    query_parameters = tuple(GuidebookFilter.base_filters)

    def get_object(self, request) -> GuidebookFilter:
        filterset = GuidebookFilter(request.GET, queryset=Intervention.objects.published())
        if not filterset.is_valid():
            raise BadRequest("A filter of this feed is not valid.")
        return filterset

    def title(self, filterset: GuidebookFilter) -> str:
        described = filterset.description()
        return "Guidebook: new and changed interventions" + (f" ({described})" if described else "")

    def subtitle(self, filterset: GuidebookFilter) -> str:
        return "Interventions of the guidebook matching these filters, newest changes first."

    def link(self, filterset: GuidebookFilter) -> str:
        query = query_without(filterset.data, "format")
        return absolute_url(
            reverse("catalogue:guidebook") + (f"?{query.urlencode()}" if query else "")
        )

    def feed_url(self, filterset: GuidebookFilter) -> str:
        query = filterset.data.urlencode()
        return absolute_url(reverse("catalogue:guidebook-feed") + (f"?{query}" if query else ""))

    def items(self, filterset: GuidebookFilter):
        return filterset.qs.order_by("-updated", "pk")[:FEED_LENGTH]

    def item_title(self, intervention: Intervention) -> str:
        return f"{intervention.name} (evidence {intervention.rating_display})"

    def item_description(self, intervention: Intervention) -> str:
        return intervention.summary

    def item_pubdate(self, intervention: Intervention):
        return intervention.created

    def item_updateddate(self, intervention: Intervention):
        return intervention.updated
