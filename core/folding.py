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
from dataclasses import dataclass

from django.db import connections, models, router
from django.db.backends.signals import connection_created
from django.db.models import Aggregate, OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.dispatch import receiver
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


@dataclass(frozen=True)
class Compiled:
    """A query's model, SQL and parameters, compiled once a process, with where its varying
    value goes and the name it is prepared under on PostgreSQL."""

    model: type[models.Model]
    sql: str
    params: tuple
    at: int
    name: str

    def params_with(self, value) -> tuple:
        return (*self.params[: self.at], value, *self.params[self.at + 1 :])


COMPILED: dict[tuple, Compiled] = {}
# What compiled_once() compiles in the place of the value, to find it among the parameters.
MARKER = "compiled-once-marker"


def compiled_once(key: tuple, query: Callable[[str], models.QuerySet], value: str):
    """The records of query(value), with the SQL Django compiles for query() made once a
    process under key: the query must be the same whatever the value, and the value one of
    its parameters. The records' annotations come as the database gives them.

    On PostgreSQL the statement is also planned once a connection (PREPARE, then EXECUTE),
    since planning a page's query costs more than running it; not where the connection
    says it goes through a pooler in transaction mode (DISABLE_SERVER_SIDE_CURSORS, which
    Django needs there too), where the next transaction may be on another server
    connection that never saw the PREPARE."""
    if key not in COMPILED:
        queryset = query(MARKER)
        sql, params = queryset.query.sql_with_params()
        COMPILED[key] = Compiled(
            queryset.model, sql, params, params.index(MARKER), name=f"compiled_{len(COMPILED)}"
        )
    compiled = COMPILED[key]
    alias = router.db_for_read(compiled.model)
    connection = connections[alias]
    records = compiled.model.objects.db_manager(alias)
    if not plans_once(connection):
        return records.raw(compiled.sql, compiled.params_with(value))
    if compiled.name not in prepared_on(connection):
        prepare(connection, compiled)
    return records.raw(f"EXECUTE {compiled.name}(%s)", [value])


def plans_once(connection) -> bool:
    """Whether statements may be prepared on this connection: on PostgreSQL, not behind a
    pooler in transaction mode."""
    return connection.vendor == "postgresql" and not connection.settings_dict.get(
        "DISABLE_SERVER_SIDE_CURSORS"
    )


def prepared_on(connection) -> set[str]:
    """The names of the statements prepared on connection's current database session,
    after the health check that may open a new one."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    return connection.__dict__.setdefault("prepared_statements", set())


@receiver(connection_created)
def forget_prepared_statements(sender, connection, **kwargs):
    """A new session knows none of the statements the last one prepared."""
    connection.prepared_statements = set()


def prepare(connection, compiled: Compiled) -> None:
    """PREPARE compiled's statement with its fixed parameters written in and the varying
    value as $1. Like Django's own setting up of a new connection, on the driver's cursor:
    it is once a session, not part of any page's queries (a PREPARE also outlasts a
    rolled-back transaction)."""
    with connection.connection.cursor() as cursor:
        text = cursor.mogrify(compiled.sql, compiled.params).decode()
        quoted = cursor.mogrify("%s", [MARKER]).decode()
        if text.count(quoted) != 1:
            raise ValueError(f"{compiled.name}: the varying value is not one parameter")
        cursor.execute(f"PREPARE {compiled.name} AS {text.replace(quoted, '$1')}")
    connection.prepared_statements.add(compiled.name)


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
