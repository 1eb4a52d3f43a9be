"""The latest migrations, the ones a release that goes wrong would roll back, run backward
and forward again on a copy of the seed content, and every record comes back as it was."""

import io
import json

import pytest
from django.core.management import call_command

from tests.support.admin_pages import open_form

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

APPS = ["ratings", "catalogue", "projects"]
# Each app's migration before its latest, as a rollback of the latest release goes.
ROLLBACK_TO = {"catalogue": "0005", "projects": "0005"}


def everything() -> list[dict]:
    out = io.StringIO()
    # Groups by name: the editors' group is made again when its migration is rerun.
    call_command(
        "dumpdata", *APPS, "auth.group", natural_foreign=True, natural_primary=True, stdout=out
    )
    return sorted(
        json.loads(out.getvalue()),
        key=lambda row: (row["model"], str(row.get("pk")), str(row["fields"])),
    )


@pytest.fixture
def seeded_with_history(editor, project_factory):
    """The seed content, and an admin change so that the history holds a full version."""
    call_command("loaddata", "seed", verbosity=0)
    project = project_factory(body="A *Markdown* body.")
    url = f"/admin/projects/project/{project.pk}/change/"
    data = open_form(editor, url, "project_form")
    assert editor.post(url, {**data, "summary": "Changed", "_save": "Save"}).status_code == 302


def test_rolling_back_the_latest_migrations_and_forward_again_loses_nothing(seeded_with_history):
    before = everything()
    for app, migration in ROLLBACK_TO.items():
        call_command("migrate", app, migration, verbosity=0)
    call_command("migrate", verbosity=0)
    assert everything() == before
