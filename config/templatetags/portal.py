import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """Render an editor's Markdown as HTML, keeping only safe tags."""
    return mark_safe(nh3.clean(markdown_lib.markdown(text or "")))


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """Return the current query string with some parameters replaced (None removes one)."""
    query = context["request"].GET.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return query.urlencode()
