"""Links from the words the pages use to their definitions in the glossary."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from portal.glossary import FILTER_TERMS, WORD_TERMS

register = template.Library()


@register.filter
def filter_term_url(filter_name: str) -> str:
    """The glossary's definition of what a filter of the guidebook filters by, or ""."""
    anchor = FILTER_TERMS.get(filter_name)
    return reverse("portal:glossary") + f"#{anchor}" if anchor else ""


@register.filter
def defined(words: str) -> str:
    """words, linked to their definition if the glossary has them."""
    anchor = WORD_TERMS.get(words)
    if anchor is None:
        return words
    return format_html('<a href="{}#{}">{}</a>', reverse("portal:glossary"), anchor, words)
