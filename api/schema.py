"""The OpenAPI parameters of the API's FilterSets, read from each filter's own choices, so
that the document lists exactly the values each filter accepts."""

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.extensions import OpenApiFilterExtension

from core.search import SEARCH_MAX_LENGTH, SEARCH_MAX_WORDS

from .filters import IdFilter


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, described by FilterParameters below."""


class FilterParameters(OpenApiFilterExtension):
    target_class = FilterBackend
    # Before drf-spectacular's own extension for django-filter, which guesses.
    priority = 1

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        filterset_class = getattr(auto_schema.view, "filterset_class", None)
        if filterset_class is None:
            return []
        # An empty value is no filter, as the guidebook's form sends one for "any".
        return [
            {"in": "query", "required": False, "allowEmptyValue": True, **parameter(name, each)}
            for name, each in filterset_class.base_filters.items()
        ]


def parameter(name: str, each: django_filters.Filter) -> dict:
    label = str(each.label or name)
    if isinstance(each, IdFilter):
        return {"name": name, "schema": {"type": "integer", "minimum": 1}, "description": label}
    if isinstance(each, django_filters.ModelMultipleChoiceFilter):
        return repeatable(name, {"type": "string"}, f"{label}: a slug")
    if isinstance(each, django_filters.ModelChoiceFilter):
        return {"name": name, "schema": {"type": "string"}, "description": f"{label}: a slug"}
    choices = each.extra.get("choices")
    if choices:
        enum = {"type": "string", "enum": [str(code) for code, _ in choices]}
        words = "\n".join(f"* `{code}`: {text}" for code, text in choices)
        if isinstance(each, django_filters.MultipleChoiceFilter):
            return repeatable(name, enum, f"{label}\n\n{words}")
        return {"name": name, "schema": enum, "description": f"{label}\n\n{words}"}
    return {
        "name": name,
        "schema": {"type": "string", "maxLength": SEARCH_MAX_LENGTH},
        "description": f"{label}: every word must match; at most {SEARCH_MAX_LENGTH} "
        f"characters in {SEARCH_MAX_WORDS} different words.",
    }


def repeatable(name: str, item: dict, description: str) -> dict:
    return {
        "name": name,
        "schema": {"type": "array", "items": item},
        "description": f"{description}. Repeat the parameter for several; any of them matches.",
        "style": "form",
        "explode": True,
    }
