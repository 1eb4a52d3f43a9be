"""A stored, indexed search document for interventions, kept by a trigger on PostgreSQL.

The search used to rank its matches by parsing each matching row's text again; at 10,000
records a common word took over 100 ms. The weights are those of
Intervention.SEARCH_WEIGHTS when this was written."""

import django.contrib.postgres.search
from django.db import migrations

from core.search import add_search_document, remove_search_document

WEIGHTS = {"name": "A", "summary": "B", "description": "C", "provider": "C"}
INDEX = "intervention_search"


def add(apps, schema_editor):
    add_search_document(schema_editor, apps.get_model("catalogue", "Intervention"), WEIGHTS, INDEX)


def remove(apps, schema_editor):
    remove_search_document(
        schema_editor, apps.get_model("catalogue", "Intervention"), WEIGHTS, INDEX
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0005_sort_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="intervention",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(add, remove),
    ]
