from django.views.generic import TemplateView

from .crosswalk import Clearinghouse, Tier, our_ratings_in
from .models import RatingDefinition, Scale
from .scales import MIXED_FINDINGS_ANCHOR, NOT_YET_RATED_ANCHOR, CostRating, EvidenceRating


class RatingsExplainedView(TemplateView):
    """What each cost and evidence rating means, with an anchor per rating, and the
    crosswalk: the common tiers, and how each clearinghouse's ratings and ours map to them."""

    template_name = "ratings/explained.html"
    query_parameters = ()

    def get_context_data(self, **kwargs):
        definitions = RatingDefinition.objects.lookup()

        def entries(scale, ratings):
            return [
                {"rating": rating, "definition": definitions.get((scale, rating.value))}
                for rating in ratings
            ]

        return super().get_context_data(
            evidence_levels=entries(Scale.EVIDENCE, EvidenceRating.levels()),
            evidence_other=entries(
                Scale.EVIDENCE, [EvidenceRating.BELOW_LEVEL_2, EvidenceRating.NOT_EFFECTIVE]
            ),
            cost_ratings=entries(Scale.COST, CostRating),
            mixed_findings=definitions.get((Scale.MIXED_FINDINGS, 0)),
            not_yet_rated=definitions.get((Scale.NOT_YET_RATED, 0)),
            mixed_findings_anchor=MIXED_FINDINGS_ANCHOR,
            not_yet_rated_anchor=NOT_YET_RATED_ANCHOR,
            tiers=[{"tier": tier, "ours": our_ratings_in(tier)} for tier in Tier],
            clearinghouses=list(Clearinghouse),
            **kwargs,
        )
