import json
from urllib.parse import urlencode

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.http import QueryDict
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.addresses import absolute_url
from core.cache import declared_query

register = template.Library()


# Characters that could end a script element early, written as JSON escapes instead.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def read_query(request) -> dict[str, list[str]]:
    """The parameters the page's view reads, in their order, without empty values: what
    the page cache keeps it under, never what else a visitor added."""
    values = {
        name: [v for v in request.GET.getlist(name) if v] for name in declared_query(request) or ()
    }
    return {name: given for name, given in values.items() if given}


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """The page's address for search engines: the parameters its view reads, in their
    order, without paging, export or empty values, and with the values sorted."""
    query = QueryDict(mutable=True)
    for name, values in read_query(context["request"]).items():
        if name not in ("page", "format"):
            query.setlist(name, sorted(values))
    suffix = f"?{query.urlencode()}" if query else ""
    return absolute_url(context["request"].path) + suffix


@register.simple_tag(takes_context=True)
def report_problem_url(context) -> str:
    """The form for reporting a problem with this page, naming the page as it is shown."""
    request = context["request"]
    query = urlencode(read_query(request), doseq=True)
    page = request.path + (f"?{query}" if query else "")
    return reverse("feedback:report") + "?" + urlencode({"page": page})


@register.simple_tag(takes_context=True)
def structured_data(context, record) -> str:
    """A schema.org description of record as JSON-LD, for search engines."""
    data = {
        "@context": "https://schema.org",
        **{key: value for key, value in record.structured_data().items() if value},
        "url": absolute_url(record.get_absolute_url()),
    }
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(JSON_SCRIPT_ESCAPES)),
    )
