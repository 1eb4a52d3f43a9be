"""A stored, indexed search document for projects, kept by a trigger on PostgreSQL.

The search used to rank its matches by parsing each matching row's text again; at 10,000
records a common word took over 100 ms. The weights are those of
Project.SEARCH_WEIGHTS when this was written."""

import django.contrib.postgres.search
from django.db import migrations

from core.search import add_search_document, remove_search_document

WEIGHTS = {"title": "A", "summary": "B", "body": "C"}
INDEX = "project_search"


def add(apps, schema_editor):
    add_search_document(schema_editor, apps.get_model("projects", "Project"), WEIGHTS, INDEX)


def remove(apps, schema_editor):
    remove_search_document(schema_editor, apps.get_model("projects", "Project"), WEIGHTS, INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0005_rendered_html"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(add, remove),
    ]
