"""The rating badges used on every page. They are built in code rather than from a template
because a guidebook page shows forty of them, and each template render costs; and each is
built once per process, since a badge depends on nothing but its rating."""

from functools import cache

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from ratings.scales import NOT_YET_RATED_ANCHOR, CostRating, EvidenceRating

register = template.Library()


def badge(kind: str, name: str, anchor: str, value: SafeString) -> SafeString:
    return format_html(
        '<a class="rating rating--{}" href="{}#{}"><span class="rating__name">{}</span> '
        '<span class="rating__value">{}</span></a>',
        kind,
        reverse("ratings:explained"),
        anchor,
        name,
        value,
    )


@register.simple_tag
@cache
def evidence_badge(value: int | None, mixed_findings: bool = False) -> SafeString:
    """An evidence rating that reads the same to the eye and to a screen reader:
    "Evidence rating 3+*" is read as "Evidence rating 3+, with mixed findings"."""
    if value is None:
        return badge(
            "evidence", "Evidence rating", NOT_YET_RATED_ANCHOR, mark_safe("not yet rated")
        )
    rating = EvidenceRating(value)
    shown = format_html(
        "{}{}{}",
        rating.label,
        mark_safe(
            '<span aria-hidden="true">*</span>'
            '<span class="visually-hidden">, with mixed findings</span>'
        )
        if mixed_findings
        else "",
        ""
        if rating.is_level
        else format_html('<span class="visually-hidden"> ({})</span>', rating.description),
    )
    return badge("evidence", "Evidence rating", rating.anchor, shown)


@register.simple_tag
@cache
def cost_badge(value: int | None) -> SafeString:
    """A cost rating as its number and five £ marks, as many filled as the rating."""
    if value is None:
        return badge("cost", "Cost rating", NOT_YET_RATED_ANCHOR, mark_safe("not yet rated"))
    rating = CostRating(value)
    if not rating.is_level:
        return badge("cost", "Cost rating", rating.anchor, mark_safe("not applicable"))
    marks = format_html_join(
        "",
        "<span{}>£</span>",
        ((mark_safe(' class="cost-marks__on"') if n <= rating else "",) for n in range(1, 6)),
    )
    shown = format_html(
        '{}<span class="visually-hidden"> of 5, {}</span> '
        '<span class="cost-marks" aria-hidden="true">{}</span>',
        rating.label,
        rating.cost_label,
        marks,
    )
    return badge("cost", "Cost rating", rating.anchor, shown)
