"""A few hostile clients beside ordinary readers, against gunicorn in production mode on
PostgreSQL and Redis: downloads of the whole guidebook on many connections, searches of
a hundred one-letter words, and made-up query strings by the thousand. Ordinary pages
keep answering within a second, and the cache does not grow with the junk.

Bounded in time (a few seconds of traffic) and in count, to 127.0.0.1 only; the figures
are printed (pytest -s shows them)."""

import io
import random
import statistics
import string
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest
import redis
from django.core.management import call_command
from django.db import connection

from config import settings as production
from projects.models import Project
from tests.support.servers import (
    Instance,
    collect_static,
    production_environment,
    redis_is_up,
    shared_database_url,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="gunicorn shares the database only on PostgreSQL"
    ),
    pytest.mark.skipif(not redis_is_up(), reason="needs Redis on 127.0.0.1:6379"),
]

REDIS_URL = "redis://127.0.0.1:6379/9"
HOSTILE_SECONDS = 5
ONE_LETTER_WORDS = " ".join(string.ascii_lowercase * 4)[:199]


def get(base: str, path: str, timeout: float = 10) -> tuple[int, float]:
    """The status of one request on a new connection, and how long the answer took."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(base + path, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.monotonic() - started


def hostile_paths(kind: str):
    """An endless run of one kind of hostile request."""
    words = random.Random(kind)
    while True:
        if kind == "download":
            yield "/interventions/?format=csv"
        elif kind == "long search":
            yield f"/projects/?q={ONE_LETTER_WORDS.replace(' ', '+')}"
            yield f"/search/?q={words.choice(string.ascii_lowercase)}{words.randrange(10**6)}"
        else:
            yield f"/?x={words.randrange(10**9)}"
            yield f"/sitemap.xml?{words.randrange(10**9)}"


@pytest.fixture
def site(tmp_path):
    call_command("loaddata", "seed", verbosity=0)
    call_command(
        "seed_demo", projects=500, interventions=3000, stdout=io.StringIO(), stderr=io.StringIO()
    )
    server = redis.Redis.from_url(REDIS_URL)
    server.flushdb()
    env = production_environment(shared_database_url(), tmp_path / "static", REDIS_URL=REDIS_URL)
    collect_static(env)
    instance = Instance(env, workers=2)
    yield instance, server
    instance.stop()


def test_hostile_clients_do_not_slow_ordinary_pages_or_grow_the_cache(site):
    instance, server = site
    project = Project.objects.published().order_by("pk").first()
    pages = ["/", "/projects/", "/interventions/", project.get_absolute_url()]
    for path in pages * 2:
        assert get(instance.base, path)[0] == 200
    quiet = [get(instance.base, path)[1] for path in pages * 5]
    memory_before = server.info("memory")["used_memory"]

    stop = threading.Event()
    answered: dict[str, Counter] = {}

    def attack(kind: str) -> None:
        statuses = answered.setdefault(kind + str(threading.get_ident()), Counter())
        for path in hostile_paths(kind):
            if stop.is_set():
                return
            try:
                statuses[get(instance.base, path, timeout=30)[0]] += 1
            except OSError:
                statuses["no answer"] += 1

    kinds = ["download"] * 12 + ["long search"] * 4 + ["junk query"] * 4
    attackers = [threading.Thread(target=attack, args=(kind,), daemon=True) for kind in kinds]
    for attacker in attackers:
        attacker.start()
    busy = []
    deadline = time.monotonic() + HOSTILE_SECONDS
    while time.monotonic() < deadline:
        for path in pages:
            status, took = get(instance.base, path)
            assert status == 200, path
            busy.append(took)
    stop.set()
    for attacker in attackers:
        attacker.join(timeout=60)

    totals = {kind: Counter() for kind in set(kinds)}
    for key, statuses in answered.items():
        totals[next(kind for kind in totals if key.startswith(kind))].update(statuses)
    page_keys = [key for key in server.scan_iter("*page:*")]
    grown = server.info("memory")["used_memory"] - memory_before
    print(
        f"\nordinary pages, quiet: median {1000 * statistics.median(quiet):.0f} ms,"
        f" slowest {1000 * max(quiet):.0f} ms"
        f"\nordinary pages beside {len(kinds)} hostile clients for {HOSTILE_SECONDS} s:"
        f" {len(busy)} pages, median {1000 * statistics.median(busy):.0f} ms,"
        f" slowest {1000 * max(busy):.0f} ms"
        + "".join(f"\n  {kind}: {dict(statuses)}" for kind, statuses in sorted(totals.items()))
        + f"\nRedis: {len(page_keys)} pages kept, memory grown by {grown / 1e6:.1f} MB"
    )
    assert max(busy) < 1
    assert totals["download"][429] > 0
    assert set(totals["junk query"]) == {200}
    # The junk shared the entries of / and /sitemap.xml, the long searches were refused,
    # and the site searches kept were those one address may make in a minute.
    assert len(page_keys) <= len(pages) + 2 + production.SEARCHES_PER_MINUTE
    assert grown < 20e6
