"""Past one machine: two gunicorn instances on different ports share one PostgreSQL and one
Redis, and an editor's change made through one is on the very next page from the other."""

import re

import pytest
from django.db import connection

from projects.models import Status
from tests.support.pages import form_data, parse
from tests.support.servers import (
    Instance,
    collect_static,
    production_environment,
    redis_is_up,
    set_production_password,
    shared_database_url,
)

REDIS_URL = "redis://127.0.0.1:6379/15"
PASSWORD = "a long and unguessable password"


pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not redis_is_up(), reason="needs Redis on 127.0.0.1:6379"),
]


@pytest.fixture
def instances(user_factory, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("scaling out needs PostgreSQL: SQLite cannot be shared by several hosts")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    env = production_environment(shared_database_url(), tmp_path / "static", REDIS_URL=REDIS_URL)
    collect_static(env)
    started = [Instance(env) for _ in range(2)]
    yield started
    for instance in started:
        instance.stop()


def status_shown(html: str) -> str:
    return re.search(r"<dt>Status</dt><dd>([^<]*)</dd>", html).group(1)


def test_an_edit_through_one_instance_shows_at_once_through_the_other(
    instances, project_factory, user_factory
):
    editor_host, public_host = instances
    project = project_factory(title="Shared project", status=Status.IN_PROGRESS)
    editor = user_factory(username="editor", is_staff=True, is_superuser=True)
    set_production_password(editor, PASSWORD)
    url = f"/projects/{project.slug}/"
    # The public instance has the page in the shared cache.
    assert status_shown(public_host.get(url)).endswith("In progress")
    assert status_shown(public_host.get(url)).endswith("In progress")

    login = parse(editor_host.get("/admin/login/")).find("form", id="login-form")
    editor_host.post(
        "/admin/login/", {**form_data(login), "username": "editor", "password": PASSWORD}
    )
    change = f"/admin/projects/project/{project.pk}/change/"
    data = form_data(parse(editor_host.get(change)).find("form", id="project_form"))
    assert editor_host.post(change, {**data, "status": Status.PAUSED, "_save": "Save"}) == 200

    assert status_shown(public_host.get(url)).endswith("Paused")
    assert status_shown(editor_host.get(url)).endswith("Paused")
