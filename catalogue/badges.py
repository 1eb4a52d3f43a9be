"""The embeddable badge: an intervention's ratings and the date it was last reviewed, as a
small SVG image that other sites show in place of a copy that would go stale."""

import re
from functools import cached_property

from csp.constants import NONE
from csp.decorators import csp
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.html import format_html
from django.views.generic import DetailView

from core.addresses import absolute_url
from editors.addresses import FollowsFormerSlugsMixin
from ratings.scales import CostRating, EvidenceRating

from .models import Intervention

# Text sizes in pixels: none under 11, so that it stays readable when small.
RATINGS_SIZE = 13
REVIEWED_SIZE = 11
# An allowance per character wide enough for Arial and for DejaVu Sans, the usual fallback,
# so that the longest wording never runs past the edge.
BOLD_EM, REGULAR_EM = 0.66, 0.6
PADDING, GAP = 10, 12
WIDTH_MIN, HEIGHT = 200, 40

# Characters XML 1.0 does not allow, which a name pasted into an import could carry.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Badge:
    """What the badge of an intervention says, in text and in words, and its size."""

    def __init__(self, intervention: Intervention):
        self.intervention = intervention

    @property
    def name(self) -> str:
        return NOT_XML.sub("", self.intervention.name)

    @property
    def evidence(self) -> str:
        return f"Evidence {self.intervention.rating_display}"

    @property
    def cost(self) -> str:
        rating = self.intervention.cost_rating
        return f"Cost {CostRating(rating).label if rating is not None else 'not yet rated'}"

    @property
    def reviewed(self) -> str:
        reviewed = self.intervention.last_reviewed
        return f"Reviewed {date_format(reviewed, 'F Y')}" if reviewed else "Not yet reviewed"

    @property
    def words(self) -> str:
        """Both ratings in words, for a screen reader: the badge's title and alt text."""
        intervention = self.intervention
        if intervention.evidence_rating is None:
            evidence = "evidence not yet rated"
        else:
            evidence = f"evidence rating {EvidenceRating(intervention.evidence_rating).description}"
            if intervention.mixed_findings:
                evidence += ", with mixed findings"
        if intervention.cost_rating is None:
            cost = "cost not yet rated"
        else:
            cost = f"cost rating {CostRating(intervention.cost_rating).description}"
        return f"{self.name}: {evidence}; {cost}. {self.reviewed}."

    @cached_property
    def cost_x(self) -> int:
        return round(PADDING + len(self.evidence) * RATINGS_SIZE * BOLD_EM + GAP)

    @cached_property
    def width(self) -> int:
        ratings = self.cost_x + len(self.cost) * RATINGS_SIZE * BOLD_EM
        reviewed = PADDING + len(self.reviewed) * REVIEWED_SIZE * REGULAR_EM
        return max(WIDTH_MIN, round(max(ratings, reviewed) + PADDING))

    height = HEIGHT
    ratings_size, reviewed_size = RATINGS_SIZE, REVIEWED_SIZE

    @property
    def page_url(self) -> str:
        return absolute_url(self.intervention.get_absolute_url())

    @property
    def image_url(self) -> str:
        return absolute_url(reverse("catalogue:intervention-badge", args=[self.intervention.slug]))

    @property
    def image(self) -> str:
        return self.img(self.image_url)

    @property
    def preview(self) -> str:
        """The badge on this site's own page, from this site's own address: the site
        address in the snippet may be another origin than the one serving the page."""
        return self.img(reverse("catalogue:intervention-badge", args=[self.intervention.slug]))

    def img(self, src: str) -> str:
        return format_html(
            '<img src="{}" alt="{}" width="{}" height="{}">',
            src, self.words, self.width, self.height,
        )  # fmt: skip

    @property
    def snippet(self) -> str:
        """The HTML another site copies: the badge, linked to the intervention's page."""
        return format_html('<a href="{}">{}</a>', self.page_url, self.image)


class WithdrawnBadge(Badge):
    """The badge of an intervention taken out of the guidebook: no rating any more."""

    status = "No longer listed in the guidebook"

    @property
    def words(self) -> str:
        return f"{self.name}: no longer listed in the guidebook."

    @cached_property
    def width(self) -> int:
        return max(WIDTH_MIN, round(2 * PADDING + len(self.status) * RATINGS_SIZE * BOLD_EM))


# The image needs nothing from anywhere, and runs no script.
BADGE_POLICY = {"default-src": [NONE], "base-uri": [NONE], "form-action": [NONE]}


@method_decorator(csp(BADGE_POLICY), name="dispatch")
class InterventionBadgeView(FollowsFormerSlugsMixin, DetailView):
    """An intervention's badge, which any site may embed; drafts and withdrawn
    interventions answer as their page does."""

    template_name = "catalogue/intervention_badge.svg"
    content_type = "image/svg+xml"
    query_parameters = ()
    slug_model = Intervention

    def get_queryset(self):
        return Intervention.objects.visible_to(self.request.user).only(
            "name", "slug", "evidence_rating", "mixed_findings", "cost_rating",
            "last_reviewed", "published",
        )  # fmt: skip

    def get_context_data(self, **kwargs):
        return super().get_context_data(badge=Badge(self.object), **kwargs)

    def render_to_response(self, context, **response_kwargs):
        return embeddable(super().render_to_response(context, **response_kwargs))

    def gone(self, request, record):
        """Still an image, so that a page embedding the badge says the intervention is no
        longer listed rather than showing a broken image or its last rating."""
        badge = WithdrawnBadge(record)
        response = TemplateResponse(
            request, "catalogue/intervention_badge_gone.svg", {"badge": badge},
            content_type=self.content_type, status=410,
        )  # fmt: skip
        return embeddable(response)


def embeddable(response):
    # The site's pages may be read by this site alone; the badge is made to be shown on
    # others'.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
