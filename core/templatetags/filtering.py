"""The options of a list page's filter group, written in Python: a panel has a hundred
and more, and Django's template language costs several times as much for each."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from core.filtering import Control, FilterGroup

register = template.Library()

CHECKED = mark_safe(" checked")
SELECTED = mark_safe(" selected")
NOTHING = mark_safe("")


@register.simple_tag
def filter_options(group: FilterGroup, counted: str = "") -> SafeString:
    """Each option of group: an <option> of its select, or a check box or radio button
    with its label and, where the page counts them, how many results it would give."""
    if group.control == Control.SELECT:
        return format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option.value, SELECTED if option.chosen else NOTHING, option.label)
                for option in group.options
            ),
        )
    kind = "checkbox" if group.multiple else "radio"
    return format_html_join(
        "",
        '<div class="check"><input type="{}" name="{}" value="{}" id="{}"{}>'
        '<label for="{}">{}{}</label></div>',
        (
            (
                kind,
                group.name,
                option.value,
                option.id,
                CHECKED if option.chosen else NOTHING,
                option.id,
                option.label,
                count(option.count, counted),
            )
            for option in group.options
        ),
    )


def count(number: int | None, counted: str) -> SafeString:
    if number is None:
        return NOTHING
    return format_html(
        ' <span class="count">({}<span class="visually-hidden"> {}{}</span>)</span>',
        number,
        counted,
        "" if number == 1 else "s",
    )
