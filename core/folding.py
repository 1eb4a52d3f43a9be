"""Related rows folded into their record's query as JSON lists: a page that shows a record
and several kinds of related rows makes one query rather than one for each kind, which
costs a round trip to the database and Django's compiling of a query each.

The same expressions run on PostgreSQL (jsonb_agg) and SQLite (json_group_array); the rows
come back as JSON, and are made into model instances with each field's value as the
ORM's own query would give it."""

import datetime
import decimal
import json
from collections.abc import Callable

from django.db import models
from django.db.models import Aggregate, OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.utils.dateparse import parse_datetime


class JSONList(Aggregate):
    """The JSON list of an expression's values over a group of rows."""

    function = "JSON_GROUP_ARRAY"
    output_field = models.JSONField()

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="JSONB_AGG", **extra)


def folded_rows(queryset: models.QuerySet, link: str, fields: dict[str, str]) -> Subquery:
    """The rows of queryset whose `link` is the outer query's record, as a JSON list of
    objects with these keys and the values of these fields (None when there are none)."""
    rows = (
        queryset.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(rows=JSONList(JSONObject(**fields)))
        .values("rows")
    )
    return Subquery(rows, output_field=models.JSONField())


def own_fields(model, *, leave_out: tuple[str, ...] = ()) -> dict[str, str]:
    """Keys and fields for folded_rows(): each of model's own columns, by its attribute
    name, but those left out."""
    return {
        field.attname: field.attname
        for field in model._meta.concrete_fields
        if field.name not in leave_out and not field.generated
    }


# A query's model, SQL and parameters, compiled once a process, with where its varying
# value goes.
COMPILED: dict[tuple, tuple[type[models.Model], str, tuple, int]] = {}
# What compiled_once() compiles in the place of the value, to find it among the parameters.
MARKER = "compiled-once-marker"


def compiled_once(key: tuple, query: Callable[[str], models.QuerySet], value: str):
    """The records of query(value), with the SQL Django compiles for query() made once a
    process under key: the query must be the same whatever the value, and the value one of
    its parameters. The records' annotations come as the database gives them."""
    if key not in COMPILED:
        queryset = query(MARKER)
        sql, params = queryset.query.sql_with_params()
        COMPILED[key] = (queryset.model, sql, params, params.index(MARKER))
    model, sql, params, at = COMPILED[key]
    return model.objects.raw(sql, (*params[:at], value, *params[at + 1 :]))


def folded_page(queryset, slug: str, *, drafts: bool, unfold: Callable) -> models.Model:
    """The record of this slug on a record's page: published (or any, with drafts), with
    the related rows queryset.with_page_rows() folds in made records by unfold(), in one
    query compiled once a process; the model's DoesNotExist when there is none."""
    model = queryset.model

    def query(value: str) -> models.QuerySet:
        return (queryset if drafts else queryset.published()).with_page_rows().filter(slug=value)

    found = list(compiled_once((model._meta.label, "page", drafts), query, slug))
    if not found:
        raise model.DoesNotExist(f"No {model._meta.verbose_name} {slug!r}.")
    unfold(found[0])
    return found[0]


def folded(value: str | None) -> list[dict]:
    """The rows of a folded list as a raw query gives it: JSON, or None for no rows."""
    return json.loads(value) if value else []


def unfolded(model, rows: list[dict], db: str = "default") -> list[models.Model]:
    """Instances of model from folded rows, with their values converted as a query of the
    model would convert them; fields the rows leave out are deferred."""
    fields = {field.attname: field for field in model._meta.concrete_fields}
    instances = []
    for row in rows:
        # In the model's order of fields, which from_db() expects (jsonb orders its keys).
        names = [name for name in fields if name in row]
        values = [from_json(fields[name], row[name]) for name in names]
        instances.append(model.from_db(db, names, values))
    return instances


def from_json(field: models.Field, value):
    """A field's value from JSON, as the database driver and Django would have given it."""
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(value)
        # SQLite keeps times in UTC without saying so; PostgreSQL's JSON gives the offset.
        return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
    if isinstance(field, models.DecimalField):
        return decimal.Decimal(str(value)).quantize(
            decimal.Decimal(1).scaleb(-field.decimal_places)
        )
    return field.to_python(value)


def keep_related(instance: models.Model, name: str, related: list[models.Model]) -> None:
    """Give instance's related manager `name` these records, as prefetch_related() would:
    its all() answers from them without a query."""
    queryset = getattr(instance, name).all()
    queryset._result_cache = related
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset
