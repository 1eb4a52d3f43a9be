"""The site search's GIN index over interventions' weighted text, on PostgreSQL only.

It is made here rather than in Meta.indexes because SQLite has no GIN indexes; the
expression is the one the search uses (`core.search.search_vector`), so that
PostgreSQL can answer a search from the index."""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

from core.search import search_vector

WEIGHTS = {"name": "A", "summary": "B", "description": "C", "provider": "C"}
INDEX = GinIndex(search_vector(WEIGHTS), name="intervention_search")


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("catalogue", "Intervention"), INDEX)


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("catalogue", "Intervention"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_history_version")]

    operations = [migrations.RunPython(add_index, remove_index)]
