from django import template
from django.urls import reverse

from projects.models import Project

register = template.Library()


@register.inclusion_tag("admin/projects/overdue_notice.html", takes_context=True)
def overdue_notice(context) -> dict:
    """How many projects are overdue, for editors who can see projects."""
    if not context["request"].user.has_perm("projects.view_project"):
        return {"count": 0}
    return {
        "count": Project.objects.overdue().count(),
        "url": reverse("admin:projects_project_changelist") + "?overdue=yes",
    }
