from django import template

from ratings.scales import CostRating, EvidenceRating

register = template.Library()


@register.inclusion_tag("ratings/evidence_badge.html")
def evidence_badge(value: int | None, mixed_findings: bool = False) -> dict:
    """Show an evidence rating that reads the same to the eye and to a screen reader."""
    return {
        "rating": EvidenceRating(value) if value is not None else None,
        "mixed_findings": mixed_findings,
    }


@register.inclusion_tag("ratings/cost_badge.html")
def cost_badge(value: int | None) -> dict:
    """Show a cost rating as its number and five £ marks, the rating's number filled."""
    rating = CostRating(value) if value is not None else None
    marks = [rating is not None and rating.is_level and n <= rating for n in range(1, 6)]
    return {"rating": rating, "marks": marks}
