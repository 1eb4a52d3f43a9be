"""Trigram indexes for the guidebook's text filter, on PostgreSQL.

The filter finds any part of a word ("parent" finds "parenting") in an intervention's name,
summary, description or provider: `UPPER(column) LIKE UPPER('%word%')` on each. Neither a
b-tree nor the full-text index answers that, so every filtered page read the whole table.
A trigram index on each column's upper-cased text does; PostgreSQL combines the four."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations
from django.db.models.functions import Upper

COLUMNS = ["name", "summary", "description", "provider"]


def indexes() -> list[GinIndex]:
    return [
        GinIndex(OpClass(Upper(column), name="gin_trgm_ops"), name=f"intervention_{column}_trgm")
        for column in COLUMNS
    ]


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # A trusted extension since PostgreSQL 13: the database's owner may create it.
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for index in indexes():
            schema_editor.add_index(apps.get_model("catalogue", "Intervention"), index)


def remove(apps, schema_editor):
    # The extension stays: it holds no data, and something else may use it.
    if schema_editor.connection.vendor == "postgresql":
        for index in indexes():
            schema_editor.remove_index(apps.get_model("catalogue", "Intervention"), index)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0006_search_document"),
    ]

    operations = [
        migrations.RunPython(add, remove),
    ]
