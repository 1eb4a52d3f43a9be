"""When Redis, the shared cache, is away or hangs: visitors' pages are made afresh without
waiting on it, and an editor's change that the cache cannot be told of is refused whole,
with a page that says so, never committed and then answered with a server error."""

import io
import socket
import threading
import time

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from catalogue.models import Intervention
from config.settings import redis_cache
from projects.models import Organisation, Project, Status
from tests.support.admin_pages import error_messages, form_on, messages, open_form, row_prefix
from tests.support.browsing import Browser
from tests.support.pages import form_data, parse
from tests.support.servers import (
    Cable,
    Instance,
    collect_static,
    free_port,
    production_environment,
    redis_is_up,
    set_production_password,
    shared_database_url,
)

NOTHING_SAVED = "The site's cache cannot be reached, so nothing was saved"


@pytest.fixture
def cut_cache(settings):
    """Point the site, with production's cache settings, at a Redis that refuses every
    connection (once the test's records are made)."""

    def cut() -> None:
        settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{free_port()}/0")}

    return cut


class HungServer:
    """A server that takes connections and never answers, as a Redis that is stuck."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        while True:
            try:
                self.connections.append(self.listener.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        for sock in [self.listener, *self.connections]:
            sock.close()


@pytest.fixture
def hung_server():
    server = HungServer()
    yield server
    server.close()


def point_cache_at(settings, server: HungServer, **options) -> None:
    cache = redis_cache(f"redis://127.0.0.1:{server.port}/0")
    settings.CACHES = {"default": {**cache, "OPTIONS": {**cache["OPTIONS"], **options}}}


def test_an_editors_change_form_is_refused_with_the_typing_kept(project_factory, editor, cut_cache):
    project = project_factory(title="Before")
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = open_form(editor, url, "project_form")
    cut_cache()
    response = editor.post(url, {**data, "title": "After"})
    assert response.status_code == 200
    assert any(NOTHING_SAVED in message for message in error_messages(response))
    assert form_on(response, "project_form")["title"] == "After"
    project.refresh_from_db()
    assert project.title == "Before"
    assert project.history.count() == 1


def test_a_list_edit_is_refused_and_nothing_saved(project_factory, editor, cut_cache):
    project = project_factory(status=Status.IN_PROGRESS)
    changelist = reverse("admin:projects_project_changelist")
    data = open_form(editor, changelist, "changelist-form")
    cut_cache()
    row = row_prefix(data, project.pk)
    response = editor.post(changelist, {**data, f"{row}-status": Status.PAUSED, "_save": "Save"})
    assert response.status_code == 200
    assert any(NOTHING_SAVED in message for message in error_messages(response))
    project.refresh_from_db()
    assert project.status == Status.IN_PROGRESS


def test_a_revert_is_refused_and_nothing_saved(project_factory, editor, cut_cache):
    project = project_factory(status=Status.IN_PROGRESS)
    project.status = Status.PAUSED
    project.save()
    url = reverse(
        "admin:projects_project_simple_history", args=[project.pk, project.history.earliest().pk]
    )
    data = open_form(editor, url, "historicalproject_form")
    cut_cache()
    response = editor.post(url, {**data, "_save": "Revert"})
    assert response.status_code == 200
    assert any(NOTHING_SAVED in message for message in error_messages(response))
    project.refresh_from_db()
    assert project.status == Status.PAUSED


@pytest.mark.parametrize("action", ["publish", "unpublish"])
def test_a_bulk_action_changes_nothing_and_says_why(project_factory, editor, cut_cache, action):
    published = action == "unpublish"
    projects = [project_factory(published=published) for _ in range(2)]
    changelist = reverse("admin:projects_project_changelist")
    data = open_form(editor, changelist, "changelist-form")
    cut_cache()
    data.update(action=action, _selected_action=[str(p.pk) for p in projects], index="0")
    response = editor.post(changelist, data, follow=True)
    assert response.status_code == 200
    (message,) = messages(response)
    assert message.startswith(f"{action.capitalize()}ed none of them. {NOTHING_SAVED}")
    assert [Project.objects.get(pk=p.pk).published for p in projects] == [published] * 2
    assert all(Project.objects.get(pk=p.pk).history.count() == 1 for p in projects)


def test_a_change_refused_deep_in_a_save_gets_a_page_saying_nothing_was_saved(
    organisation_factory, editor, cut_cache
):
    """A delete has no form to keep; the page says what happened, with a 503."""
    organisation = organisation_factory(name="Kept")
    url = reverse("admin:projects_organisation_delete", args=[organisation.pk])
    cut_cache()
    response = editor.post(url, {"post": "yes"})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = parse(response)
    assert page.find("h1").text == "Nothing was saved"
    assert NOTHING_SAVED in page.text
    assert Organisation.objects.filter(pk=organisation.pk).exists()


def test_the_import_command_writes_nothing_and_says_why(tmp_path, db, cut_cache):
    cut_cache()
    csv = tmp_path / "interventions.csv"
    csv.write_text(
        "name,slug,summary,evidence_rating,mixed_findings,cost_rating,outcomes\n"
        "New one,new-one,A new programme.,3,false,2,\n"
    )
    with pytest.raises(CommandError, match=NOTHING_SAVED):
        call_command("import_interventions", str(csv), stdout=io.StringIO())
    assert not Intervention.objects.exists()


def test_a_hung_cache_costs_a_page_a_fraction_of_a_second_and_is_then_left_alone(
    project_factory, visitor, hung_server, settings
):
    project = project_factory()
    point_cache_at(settings, hung_server)
    started = time.monotonic()
    assert visitor.get(project.get_absolute_url()).status_code == 200
    first = time.monotonic() - started
    assert first < 1.0, f"the first page took {first:.2f} s"
    tried = len(hung_server.connections)
    assert tried >= 1

    started = time.monotonic()
    for _ in range(5):
        assert visitor.get("/projects/").status_code == 200
    assert time.monotonic() - started < 1.0
    # Left alone: no new connection while it is paused.
    assert len(hung_server.connections) == tried


def test_a_failed_cache_is_tried_again_after_the_pause(
    project_factory, visitor, hung_server, settings
):
    project = project_factory()
    point_cache_at(settings, hung_server, pause_after_failure=0.5)
    visitor.get(project.get_absolute_url())
    tried = len(hung_server.connections)
    visitor.get(project.get_absolute_url())
    assert len(hung_server.connections) == tried
    time.sleep(0.6)
    visitor.get(project.get_absolute_url())
    assert len(hung_server.connections) > tried


@pytest.mark.django_db(transaction=True)
def test_with_redis_cut_off_a_bulk_unpublish_is_refused_and_both_servers_agree(
    project_factory, user_factory, tmp_path
):
    """Two gunicorns share PostgreSQL and Redis; the editor's server loses Redis."""
    if connection.vendor != "postgresql" or not redis_is_up():
        pytest.skip("two processes sharing a database and a cache need PostgreSQL and Redis")
    redis.Redis.from_url("redis://127.0.0.1:6379/10").flushdb()
    cable = Cable(("127.0.0.1", 6379))
    env = production_environment(
        shared_database_url(), tmp_path / "static", REDIS_URL=f"redis://127.0.0.1:{cable.port}/10"
    )
    collect_static(env)
    editor_site, public_site = Instance(env), Instance(env)
    try:
        project = project_factory(title="Still public")
        assert "Still public" in public_site.get(project.get_absolute_url())
        user = user_factory(username="editor", is_staff=True, is_superuser=True)
        set_production_password(user, "a long and unguessable password")
        editor = Browser(editor_site.base)
        editor.log_in("/admin/", "editor", "a long and unguessable password")
        changelist = reverse("admin:projects_project_changelist")
        data = editor.form(changelist, "changelist-form")

        cable.pull_out()
        data.update(action="unpublish", _selected_action=[str(project.pk)], index="0")
        page = editor.follow(editor.open(changelist, data))
        assert page.status == 200
        assert f"Unpublished none of them. {NOTHING_SAVED}" in parse(page.text).text
        project.refresh_from_db()
        assert project.published

        cable.plug_in()
        assert "Still public" in public_site.get(project.get_absolute_url())
    finally:
        cable.pull_out()
        editor_site.stop()
        public_site.stop()


def test_an_import_confirmed_while_the_cache_is_away_writes_nothing_and_can_be_confirmed_again(
    editor, cut_cache, settings
):
    url = reverse("admin:catalogue_intervention_import")
    content = (
        b"name,slug,summary,evidence_rating,mixed_findings,cost_rating,outcomes\r\n"
        b"New one,new-one,A new programme.,3,false,2,\r\n"
    )
    preview = editor.post(url, {"file": SimpleUploadedFile("new.csv", content)})
    (confirm,) = [f for f in parse(preview).find_all("form") if f.find_all("input", name="confirm")]
    working = settings.CACHES
    cut_cache()

    refused = editor.post(url, {**form_data(confirm), "confirm": "Confirm import"})
    assert refused.status_code == 200
    assert NOTHING_SAVED in parse(refused).find("p", class_="errornote").text
    assert not Intervention.objects.exists()

    settings.CACHES = working
    (again,) = [f for f in parse(refused).find_all("form") if f.find_all("input", name="confirm")]
    done = editor.post(url, {**form_data(again), "confirm": "Confirm import"})
    assert done.status_code == 302
    assert Intervention.objects.filter(slug="new-one").exists()
