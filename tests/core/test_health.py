"""/healthz and /readyz: what a load balancer asks before sending visitors to a process."""

import json

import pytest


def states(response) -> dict:
    return json.loads(response.content)


def test_healthz_answers_any_host_without_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    assert states(response) == {"process": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_reports_the_database_and_the_cache(client, db):
    response = client.get("/readyz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    assert states(response) == {"database": "ok", "cache": "ok"}


def point_the_cache_nowhere(settings) -> None:
    # Nothing listens on port 9 (discard) on the test machines.
    settings.CACHES = {
        "default": {"BACKEND": "core.cache.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    }


@pytest.fixture
def unreachable_cache(settings):
    point_the_cache_nowhere(settings)


def test_readyz_says_when_the_cache_does_not_answer(client, db, unreachable_cache):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert states(response) == {"database": "ok", "cache": "unavailable"}


def test_public_pages_are_made_afresh_while_the_cache_does_not_answer(
    client, intervention_factory, project_factory, settings
):
    project = project_factory(title="Shown without the cache")
    intervention_factory(name="Counted without the cache")
    point_the_cache_nowhere(settings)
    for address in ("/", "/interventions/?min_evidence=3", "/projects/"):
        assert client.get(address).status_code == 200
    assert "Shown without the cache" in client.get(project.get_absolute_url()).text
    assert "Counted without the cache" in client.get("/interventions/").text
    assert "1 intervention" in client.get("/interventions/").text
