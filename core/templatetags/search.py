from django import template

from core.search import SEARCH_MAX_LENGTH

register = template.Library()


@register.simple_tag
def search_max_length() -> int:
    """The most characters a search may have, as the search's own form field says."""
    return SEARCH_MAX_LENGTH
