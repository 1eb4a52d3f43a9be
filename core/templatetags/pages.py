import functools
import json
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
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
def layout_part(context, template_name: str) -> str:
    """A part of the layout that is the same on every page but for the section it marks
    as current (the header, the footer): made once a process for each section."""
    match = context["request"].resolver_match
    current = match.view_name if match else None
    if settings.DEBUG:
        # Edits to the templates show at once while developing.
        return render_to_string(template_name, {"current": current})
    return rendered_layout_part(template_name, current, get_script_prefix())


@functools.cache
def rendered_layout_part(template_name: str, current: str | None, script_prefix: str) -> str:
    return render_to_string(template_name, {"current": current})


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """The page's address for search engines: the parameters its view reads, in their
    order, without paging, export, the way back to a list, a reader's ticks or empty
    values, and with the values sorted."""
    query = QueryDict(mutable=True)
    for name, values in read_query(context["request"]).items():
        if name not in ("page", "format", "back", "compare"):
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


# The pages a trail of breadcrumbs passes through, by URL name, and what each is called.
TRAIL_PAGES = {
    "projects:project-list": "Research projects",
    "catalogue:guidebook": "Guidebook",
    "catalogue:under-review": "Programmes under review",
    "portal:help": "Help",
}


@register.inclusion_tag("includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context, *trail):
    """The way from the home page to this one: the URL names of the pages between (or a
    record, whose page is one), then this page's own name; with a schema.org
    BreadcrumbList for search engines."""
    *between, here = trail
    crumbs = [("Home", reverse("portal:home"))]
    for step in between:
        if isinstance(step, str):
            crumbs.append((TRAIL_PAGES[step], reverse(step)))
        else:
            crumbs.append((str(step), step.get_absolute_url()))
    elements = [
        {"@type": "ListItem", "position": number, "name": name, "item": absolute_url(url)}
        for number, (name, url) in enumerate(crumbs, start=1)
    ]
    elements.append({"@type": "ListItem", "position": len(crumbs) + 1, "name": str(here)})
    data = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": elements,
    }
    text = json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return {"crumbs": crumbs, "here": here, "json_ld": mark_safe(text)}


@register.simple_tag
def page_numbers(page_obj) -> list:
    """The numbers of the pages to link to: the first and last, and two either side of
    this one, with Paginator.ELLIPSIS for the gaps."""
    return list(
        page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
    )
