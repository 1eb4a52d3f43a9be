"""Ranked text search shared by the site search: full-text search on PostgreSQL (English
stemming, weighted fields, a GIN index per model), plain word matching elsewhere."""

import re
from functools import reduce
from operator import add

import django_filters
from django import forms
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Concat
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# Weights as PostgreSQL names them, strongest first, and what each is worth elsewhere.
WEIGHT_SCORES = {"A": 1.0, "B": 0.4, "C": 0.2, "D": 0.1}
# Markers PostgreSQL puts around matches; they cannot occur in text an editor types.
START, STOP = "\x02", "\x03"
EXCERPT_LENGTH = 240

# What one search may ask for: every word is another pass over an index, or over the table.
SEARCH_MAX_LENGTH = 200
SEARCH_MAX_WORDS = 10


class SearchField(forms.CharField):
    """Search text, at most SEARCH_MAX_LENGTH characters in SEARCH_MAX_WORDS words."""

    default_error_messages = {
        "max_length": f"Search text can be at most {SEARCH_MAX_LENGTH} characters long; "
        "shorten it and search again.",
        "too_many_words": f"Search with at most {SEARCH_MAX_WORDS} words; "
        "leave out the less telling ones and search again.",
    }

    def __init__(self, **kwargs):
        super().__init__(max_length=SEARCH_MAX_LENGTH, **kwargs)

    def validate(self, value):
        super().validate(value)
        if len(search_words(value)) > SEARCH_MAX_WORDS:
            raise ValidationError(self.error_messages["too_many_words"], code="too_many_words")


def search_words(text: str) -> list[str]:
    """The different words of text, in order and in lower case (matching ignores case):
    a repeated word asks for nothing more."""
    return list(dict.fromkeys(word.casefold() for word in text.split()))


class SearchFilter(django_filters.CharFilter):
    """A FilterSet's search text, bounded as the site search's is."""

    field_class = SearchField


def word_matches(fields: dict[str, str], word: str) -> Q:
    """Rows with word in any of these fields: from the stored search document on
    PostgreSQL, whose GIN index finds them, and by plain matching elsewhere."""
    if connection.vendor == "postgresql":
        return Q(search_document=SearchQuery(word, config="english", search_type="plain"))
    return reduce(lambda q, field: q | Q(**{f"{field}__icontains": word}), fields, Q())


def search_vector(weights: dict[str, str]) -> SearchVector:
    """The weighted document of a model, identical in queries and in its GIN index."""
    return reduce(
        add,
        [SearchVector(field, weight=weight, config="english") for field, weight in weights.items()],
    )


def document_sql(weights: dict[str, str], row: str) -> str:
    """SQL for the weighted document of a row, the same as `search_vector` makes."""
    return " || ".join(
        f"setweight(to_tsvector('english', coalesce({row}.{field}::text, '')), '{weight}')"
        for field, weight in weights.items()
    )


def add_search_document(schema_editor, model, weights: dict[str, str], index: str) -> None:
    """On PostgreSQL, fill the model's search_document column from its weighted fields
    with a trigger, and put the search's GIN index on it. A search then ranks its matches
    from the stored document instead of parsing every matching row's text again."""
    if schema_editor.connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    schema_editor.execute(
        f"""
        CREATE FUNCTION {table}_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.search_document := {document_sql(weights, "NEW")};
            RETURN NEW;
        END $$;
        CREATE TRIGGER {table}_search_document
            BEFORE INSERT OR UPDATE OF {", ".join(weights)} ON {table}
            FOR EACH ROW EXECUTE FUNCTION {table}_search_document();
        UPDATE {table} SET search_document = {document_sql(weights, table)};
        DROP INDEX IF EXISTS {index};
        CREATE INDEX {index} ON {table} USING gin (search_document);
        """
    )


def remove_search_document(schema_editor, model, weights: dict[str, str], index: str) -> None:
    """Undo `add_search_document`, putting back the index on the weighted text."""
    if schema_editor.connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    schema_editor.execute(
        f"""
        DROP INDEX IF EXISTS {index};
        DROP TRIGGER {table}_search_document ON {table};
        DROP FUNCTION {table}_search_document();
        """
    )
    schema_editor.add_index(model, GinIndex(search_vector(weights), name=index))


def ranked(
    queryset: models.QuerySet,
    text: str,
    weights: dict[str, str],
    excerpt_from: list[str],
    limit: int = 100,
) -> models.QuerySet:
    """The limit best rows matching text, with `rank` and `headline` annotations."""
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config="english", search_type="websearch")
        stored = any(field.name == "search_document" for field in queryset.model._meta.fields)
        vector = F("search_document") if stored else search_vector(weights)
        best = (
            queryset.annotate(document=vector)
            .filter(document=query)
            .annotate(rank=SearchRank(vector, query))
            .order_by("-rank", "pk")
            .values("pk")[:limit]
        )
        # Excerpts cost the most: make them only for the rows that will be shown.
        return (
            queryset.filter(pk__in=best)
            .annotate(
                rank=SearchRank(vector, query),
                headline=SearchHeadline(
                    excerpt_expression(excerpt_from),
                    query,
                    config="english",
                    start_sel=START,
                    stop_sel=STOP,
                    max_words=40,
                    min_words=20,
                ),
            )
            .order_by("-rank", "pk")
        )
    words = search_words(text)
    for word in words:
        queryset = queryset.filter(
            reduce(lambda q, field: q | Q(**{f"{field}__icontains": word}), weights, Q())
        )
    score = balanced_sum(
        [
            Case(
                When(**{f"{field}__icontains": word}, then=Value(WEIGHT_SCORES[weight])),
                default=Value(0.0),
            )
            for word in words
            for field, weight in weights.items()
        ]
        or [Value(0.0)]
    )
    return queryset.annotate(rank=score, headline=excerpt_expression(excerpt_from)).order_by(
        "-rank", "pk"
    )[:limit]


def balanced_sum(terms: list):
    """Add terms pairwise: a long query's hundreds of terms summed one after another nest
    too deeply for Python's recursion limit and SQLite's expression depth."""
    while len(terms) > 1:
        terms = [reduce(add, terms[start : start + 2]) for start in range(0, len(terms), 2)]
    return terms[0]


def excerpt_expression(fields: list[str]):
    if len(fields) == 1:
        return models.F(fields[0])
    parts = []
    for field in fields:
        parts += [models.F(field), Value(" ")]
    return Concat(*parts[:-1], output_field=models.TextField())


def highlight(headline: str, text: str) -> SafeString:
    """The excerpt as safe HTML, with the matching words marked."""
    if START in headline:
        return mark_safe(escape(headline).replace(START, "<mark>").replace(STOP, "</mark>"))
    words = [re.escape(word) for word in text.split() if word.strip()]
    excerpt = headline
    if words:
        pattern = re.compile("|".join(words), re.IGNORECASE)
        first = pattern.search(headline)
        if first and first.start() > EXCERPT_LENGTH // 2:
            start = headline.rfind(" ", 0, first.start() - EXCERPT_LENGTH // 3) + 1
            excerpt = "…" + headline[start:]
    if len(excerpt) > EXCERPT_LENGTH:
        excerpt = excerpt[: excerpt.rfind(" ", 0, EXCERPT_LENGTH)] + "…"
    if not words:
        return escape(excerpt)
    # Match the text before escaping it, so that a word never matches inside "&amp;".
    pieces, end = [], 0
    for match in re.finditer("|".join(words), excerpt, re.IGNORECASE):
        pieces += [escape(excerpt[end : match.start()]), format_html("<mark>{}</mark>", match[0])]
        end = match.end()
    pieces.append(escape(excerpt[end:]))
    return mark_safe("".join(pieces))
