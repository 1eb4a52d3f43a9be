"""The site behind Debian's PgBouncer in transaction mode, as the scale-out puts it in
front of PostgreSQL: with DJANGO_DATABASE_TRANSACTION_POOLING set, pages, the API and the
CSV export (no server-side cursor, no statement prepared once a connection) all answer
while two gunicorn workers share two server connections."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from tests.support.servers import (
    PGBOUNCER,
    Instance,
    PgBouncer,
    collect_static,
    production_environment,
    shared_database_url,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PgBouncer pools PostgreSQL connections"
    ),
    pytest.mark.skipif(
        not PGBOUNCER.exists(),
        reason="needs Debian's PgBouncer at /usr/sbin/pgbouncer (apt-get install pgbouncer)",
    ),
]


@pytest.fixture
def pooled_site(tmp_path):
    pooler = PgBouncer(tmp_path / "pgbouncer", pool_size=2)
    env = production_environment(
        shared_database_url(port=pooler.port),
        tmp_path / "static",
        DJANGO_DATABASE_TRANSACTION_POOLING="true",
        # Connections kept between requests, as in production; every page made afresh.
        DJANGO_CONN_MAX_AGE="60",
        DJANGO_PAGE_CACHE_SECONDS="0",
        # The test is one address asking for several exports at once.
        DJANGO_EXPORTS_PER_MINUTE="1000",
        DJANGO_EXPORTS_AT_ONCE="10",
    )
    collect_static(env)
    site = Instance(env, workers=2)
    yield site, pooler
    site.stop()
    pooler.stop()


def test_pages_the_api_and_the_export_answer_through_pgbouncer_in_transaction_mode(
    pooled_site, intervention_factory, project_factory
):
    site, pooler = pooled_site
    interventions = [intervention_factory(name=f"Programme {n}") for n in range(3)]
    projects = [project_factory(title=f"Project {n}") for n in range(3)]
    pages = {
        **{f"/interventions/{i.slug}/": f"<h1>{i.name}</h1>" for i in interventions},
        **{f"/projects/{p.slug}/": f"<h1>{p.title}</h1>" for p in projects},
        "/interventions/": "Programme 2",
        f"/api/v1/interventions/{interventions[0].pk}/": '"name":"Programme 0"',
        "/interventions/?format=csv": "Programme 1",
    }

    def fetch(path: str) -> tuple[str, int, bool]:
        reply = site.open(path)
        return path, reply.status, pages[path] in reply.text

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(fetch, [*pages] * 15))

    assert [answer for answer in answers if answer[1:] != (200, True)] == []
    # Both server connections served the two workers' transactions.
    servers = [row for row in pooler.show("SERVERS") if row["database"] == pooler.database]
    assert len(servers) == 2
