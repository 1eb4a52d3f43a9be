"""Nothing lost: export_site and import_site carry every record, outcome text,
document file and history record to an empty site, which then shows the same pages."""

import re
import shutil

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from catalogue.models import ChildOutcome, Intervention
from projects.models import Document, Organisation, Project, Status
from tests.support.admin_pages import open_form

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def catalogue(document_factory, intervention_factory, user_factory):
    """The seed content, a document, and changes made by an editor through the admin."""
    call_command("loaddata", "seed", verbosity=0)
    document = document_factory(
        project=Project.objects.get(slug__startswith="working-with-domestic-abuse-perpetrators")
    )
    intervention_factory(name="Family Nurse Partnership", outcomes=ChildOutcome.objects.all()[:2])
    editor = Client()
    editor.force_login(user_factory(username="sam", is_staff=True, is_superuser=True))
    project = document.project
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = open_form(editor, url, "project_form")
    # Followed, so that its "changed successfully" message is shown and gone.
    saved = editor.post(url, {**data, "status": Status.PAUSED, "_save": "Save"}, follow=True)
    assert saved.redirect_chain
    return editor


def public_addresses() -> list[str]:
    addresses = ["/", "/projects/", "/interventions/", "/ratings/", "/sitemap.xml"]
    addresses += ["/projects/feed/", "/interventions/feed/", "/search/?q=family"]
    for model in (Project, Intervention, ChildOutcome, Organisation):
        addresses += [record.get_absolute_url() for record in model.objects.all()]
    addresses += [
        reverse("projects:document-download", args=[document.project.slug, document.pk])
        for document in Document.objects.exclude(file="")
    ]
    return addresses


def history_addresses() -> list[str]:
    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[pk])
        for model in (Project, Intervention, Organisation)
        for pk in model.objects.values_list("pk", flat=True)
    ]


def snapshot(client: Client, addresses: list[str]) -> dict[str, bytes]:
    pages = {}
    for address in addresses:
        response = client.get(address)
        assert response.status_code == 200, address
        content = b"".join(response) if response.streaming else response.content
        # The sign-out form's CSRF token is made anew for every page.
        pages[address] = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
    return pages


def first_difference(one: bytes, other: bytes) -> str:
    at = next(
        (i for i, (a, b) in enumerate(zip(one, other, strict=False)) if a != b),
        min(len(one), len(other)),
    )
    return f"{one[max(0, at - 150) : at + 150]!r}\n{other[max(0, at - 150) : at + 150]!r}"


def test_export_wipe_and_import_gives_back_every_page_and_the_history(catalogue, tmp_path):
    public = public_addresses()
    history = history_addresses()
    before = snapshot(Client(), public), snapshot(catalogue, history)
    assert len(before[1]) >= 4

    call_command("export_site", tmp_path / "export", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT)
    cache.clear()
    assert not Project.objects.exists()

    call_command("import_site", tmp_path / "export", verbosity=0)
    editor = Client()
    editor.force_login(get_user_model().objects.get(username="sam"))
    after = snapshot(Client(), public), snapshot(editor, history)
    for address in public:
        assert after[0][address] == before[0][address], first_difference(
            before[0][address], after[0][address]
        )
    for address in history:
        assert after[1][address] == before[1][address], first_difference(
            before[1][address], after[1][address]
        )
    project = Project.objects.get(slug__startswith="working-with-domestic-abuse-perpetrators")
    assert project.history.first().history_user.username == "sam"


def test_import_refuses_a_site_that_already_holds_content(catalogue, tmp_path):
    call_command("export_site", tmp_path / "export", verbosity=0)
    titles = sorted(Project.objects.values_list("title", flat=True))
    with pytest.raises(CommandError, match="already holds"):
        call_command("import_site", tmp_path / "export", verbosity=0)
    assert sorted(Project.objects.values_list("title", flat=True)) == titles


def test_export_refuses_a_directory_that_is_not_empty(tmp_path, db):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(CommandError, match="not empty"):
        call_command("export_site", tmp_path, verbosity=0)
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_import_explains_a_directory_that_is_not_an_export(tmp_path, db):
    with pytest.raises(CommandError, match="not found"):
        call_command("import_site", tmp_path, verbosity=0)
