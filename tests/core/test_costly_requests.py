"""The costliest requests a visitor can make, bounded: a filtered download of the guidebook
is made once and kept until the content changes, and one address may ask for downloads
and site searches only so often (429, with Retry-After), so that a few greedy clients
cannot take the workers from everyone else."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalogue.models import Intervention
from core.cache import cached_stream


def download(client: Client, query: str = "") -> bytes:
    response = client.get(f"/interventions/?{query}&format=csv")
    assert response.status_code == 200, response.content[:500]
    return b"".join(response.streaming_content)


def intervention_queries(captured) -> list[str]:
    table = Intervention._meta.db_table
    return [query["sql"] for query in captured if table in query["sql"]]


def test_a_download_is_made_once_and_kept_until_the_content_changes(intervention_factory, visitor):
    first = intervention_factory(name="Alpha programme", evidence_rating=30)
    made = download(visitor, "min_evidence=3&sort=cost")
    assert b"Alpha programme" in made

    with CaptureQueriesContext(connection) as captured:
        again = download(visitor, "sort=cost&min_evidence=3")
    assert again == made
    assert intervention_queries(captured.captured_queries) == []

    first.name = "Alpha programme, renamed"
    first.save()
    assert b"Alpha programme, renamed" in download(visitor, "min_evidence=3&sort=cost")


def test_a_stream_is_kept_only_once_the_whole_of_it_was_sent(db):
    made = []

    def lines():
        made.append(True)
        yield from (f"line {number}\n" for number in range(1000))

    cut_off = cached_stream(("a stream",), lines)
    next(cut_off)
    cut_off.close()  # the reader went away
    assert b"".join(cached_stream(("a stream",), lines)).count(b"line ") == 1000
    assert len(made) == 2
    assert b"".join(cached_stream(("a stream",), lines)).count(b"line ") == 1000
    assert len(made) == 2


def test_downloads_from_one_address_are_limited_a_minute(intervention_factory, settings):
    settings.EXPORTS_PER_MINUTE = 3
    intervention_factory()
    greedy = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        download(greedy)
    refused = greedy.get("/interventions/?format=csv")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "at most 3 a minute" in refused.text
    # Another visitor is not held back.
    download(Client(REMOTE_ADDR="192.0.2.10"))


def test_one_address_runs_one_download_at_a_time(intervention_factory, settings):
    settings.EXPORTS_AT_ONCE = 1
    intervention_factory()
    greedy = Client(REMOTE_ADDR="203.0.113.9")
    running = greedy.get("/interventions/?format=csv")
    refused = greedy.get("/interventions/?format=csv")
    assert refused.status_code == 429
    assert "at most 1 at a time" in refused.text
    assert refused["Retry-After"] == "10"
    b"".join(running.streaming_content)  # read to the end, which closes it
    download(greedy)


def test_searches_from_one_address_are_limited_a_minute(project_factory, settings):
    settings.SEARCHES_PER_MINUTE = 2
    project_factory(title="Kinship care study")
    greedy = Client(REMOTE_ADDR="203.0.113.9")
    assert greedy.get("/search/", {"q": "kinship"}).status_code == 200
    assert greedy.get("/search/", {"q": "care"}).status_code == 200
    # A search already made comes from the cache and costs nothing; it is not counted.
    assert greedy.get("/search/", {"q": "kinship"}).status_code == 200
    refused = greedy.get("/search/", {"q": "study"})
    assert refused.status_code == 429
    assert "Please wait a moment" in refused.text
    assert Client(REMOTE_ADDR="192.0.2.10").get("/search/", {"q": "study"}).status_code == 200


@pytest.mark.parametrize("path", ["/search/?q=kinship", "/interventions/?format=csv"])
def test_behind_the_proxy_each_visitor_is_counted_apart(path, project_factory, settings):
    settings.PROXY_COUNT = 1
    settings.SEARCHES_PER_MINUTE = settings.EXPORTS_PER_MINUTE = 1
    project_factory(title="Kinship care study")
    for visitor in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        client = Client(REMOTE_ADDR="127.0.0.1", headers={"x-forwarded-for": visitor})
        response = client.get(path)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
