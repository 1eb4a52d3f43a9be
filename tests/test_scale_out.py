"""Past one machine: two gunicorn instances on different ports share one PostgreSQL and one
Redis, and an editor's change made through one is on the very next page from the other."""

import http.cookiejar
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from projects.models import Status
from tests.pages import form_data, parse

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/15"
PASSWORD = "a long and unguessable password"


def redis_is_up() -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", 6379)) == 0


pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not redis_is_up(), reason="needs Redis on 127.0.0.1:6379"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_environment(database_url: str, secret_key: str, static_root: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secret_key,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATIC_ROOT": str(static_root),
        # The test database is dropped at the end; hold no connection open.
        "DJANGO_CONN_MAX_AGE": "0",
    }


class Instance:
    """One gunicorn serving the site in production mode over plain HTTP."""

    def __init__(self, env: dict):
        self.base = f"http://127.0.0.1:{free_port()}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", "1",
             "--bind", self.base.removeprefix("http://")],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        for _ in range(100):
            try:
                self.get("/")
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=20) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> int:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        with self.opener.open(self.base + path, data=body, timeout=20) as response:
            return response.status

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


@pytest.fixture
def instances(user_factory, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("scaling out needs PostgreSQL: SQLite cannot be shared by several hosts")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    database = connection.settings_dict
    database_url = (
        f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    )
    env = production_environment(database_url, secrets.token_urlsafe(50), tmp_path / "static")
    # Production serves collected, hashed static files.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
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
    # Hashed as production hashes it: the tests' own fast hasher is unknown to gunicorn.
    editor.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    editor.save(update_fields=["password"])
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
