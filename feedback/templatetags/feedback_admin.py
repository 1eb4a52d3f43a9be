from django import template
from django.urls import reverse

from feedback.models import ReaderReport, State

register = template.Library()


@register.inclusion_tag("admin/feedback/new_reports_notice.html", takes_context=True)
def new_reports_notice(context) -> dict:
    """How many readers' reports no editor has looked at yet, for editors who answer them."""
    if not context["request"].user.has_perm("feedback.view_readerreport"):
        return {"count": 0}
    return {
        "count": ReaderReport.objects.new().count(),
        "url": reverse("admin:feedback_readerreport_changelist") + f"?state__exact={State.NEW}",
    }
