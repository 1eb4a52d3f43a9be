"""Faults, under gunicorn against PostgreSQL: the database goes away and comes back, and a
worker is killed. Visitors get a friendly 503 rather than an error, and the site recovers
by itself, without a restart."""

import json
import os
import signal
import time

import pytest
from django.db import connection

from tests.support.servers import (
    Cable,
    Instance,
    collect_static,
    production_environment,
    shared_database_url,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cable():
    """The gunicorn's only way to the database."""
    if connection.vendor != "postgresql":
        pytest.skip("these faults are those of a database server; SQLite is a file")
    database = connection.settings_dict
    plug = Cable((database["HOST"], int(database["PORT"])))
    yield plug
    plug.pull_out()


@pytest.fixture
def production(tmp_path):
    def environment(database_url: str) -> dict:
        # Connections kept between requests, as in production: they break when the
        # database goes away, and must be replaced when it returns.
        env = production_environment(database_url, tmp_path / "static", DJANGO_CONN_MAX_AGE="60")
        collect_static(env)
        return env

    return environment


def wait_for(condition, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_when_the_database_goes_away_visitors_get_a_503_and_the_site_recovers(
    cable, production, project_factory
):
    project = project_factory(title="A project read before the outage")
    site = Instance(production(shared_database_url(port=cable.port)))
    try:
        assert site.open(project.get_absolute_url()).status == 200
        worker = site.workers()

        cable.pull_out()
        page = site.open("/projects/")
        body = page.text
        assert page.status == 503
        assert page.headers["Retry-After"] == "30"
        assert "the portal is briefly unavailable" in body
        assert "Traceback" not in body and "OperationalError" not in body
        # A page already in the cache is still served.
        assert site.open(project.get_absolute_url()).status == 200
        assert site.open("/healthz").status == 200
        ready = site.open("/readyz")
        assert ready.status == 503
        assert json.loads(ready.text) == {"database": "unavailable", "cache": "ok"}

        cable.plug_in()
        assert wait_for(lambda: site.open("/projects/").status == 200)
        assert site.open("/readyz").status == 200
        assert "A project read before the outage" in site.get("/projects/")
        # Recovered by the same worker: nothing was restarted.
        assert site.workers() == worker
    finally:
        site.stop()


def test_a_killed_worker_is_replaced_and_requests_keep_being_served(production, project_factory):
    if connection.vendor != "postgresql":
        pytest.skip("gunicorn shares the test database only on PostgreSQL")
    project = project_factory()
    site = Instance(production(shared_database_url()), workers=2)
    try:
        killed, survivor = site.workers()
        os.kill(killed, signal.SIGKILL)
        statuses = [site.open(project.get_absolute_url()).status for _ in range(30)]
        assert statuses == [200] * 30
        assert wait_for(lambda: len(site.workers()) == 2 and killed not in site.workers())
        assert survivor in site.workers()
    finally:
        site.stop()
