"""The open-data parts as a deployment serves them: gunicorn in production mode (debug off,
collected and hashed static files) on a database made by the commands a deployment runs,
outside any test transaction. The API answers every list in full by its
`next` links, refuses junk with JSON rather than a server error, and answers a revisit
with 304; its docs page loads its own files; /data/ serves its files to any origin."""

import json
import re
import subprocess
import sys
import urllib.parse

import psycopg2
import pytest
from django.db import connection
from openapi_spec_validator import validate

from api.views import ENDPOINTS as LISTS
from tests.support.servers import (
    ROOT,
    Instance,
    collect_static,
    production_environment,
)

# What a person might type or a script might send wrong, for every list.
JUNK = [
    "page_size=1000",
    "page_size=0",
    "page_size=-1",
    "page_size=%00",
    "cursor=made-up",
    "cursor=%00",
    "colour=blue",
    "q=%00",
    "evidence=9",
    "sort=cheapest-first%00",
    "outcome=%00",
    "stage=finished",
    "intervention=x",
    "study=99999999999999999999999",
]


def manage(env: dict, *command: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A database of its own, made by the commands a deployment runs: on PostgreSQL when
    the tests run there (beside the test database), else a SQLite file."""
    workdir = tmp_path_factory.mktemp("open-data")
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        name = f"{database['NAME']}_open_data"
        server = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
        postgres(server, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
        url = f"{server}/{name}"
    else:
        url = f"sqlite:///{workdir / 'site.sqlite3'}"
    env = production_environment(
        url, workdir / "static", DJANGO_DATA_FILES_ROOT=str(workdir / "data")
    )
    manage(env, "migrate", "--no-input")
    manage(env, "loaddata", "seed")
    manage(env, "seed_demo", "--projects", "40", "--interventions", "120")
    collect_static(env)
    instance = Instance(env, workers=2)
    yield instance
    instance.stop()
    if connection.vendor == "postgresql":
        postgres(server, f'DROP DATABASE "{name}"')


def postgres(server: str, *statements: str) -> None:
    session = psycopg2.connect(f"{server}/postgres")
    session.autocommit = True
    try:
        with session.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        session.close()


def get_json(site: Instance, path: str, **headers):
    reply = site.open(path, headers=headers)
    content_type = reply.headers["Content-Type"]
    assert re.fullmatch(r"application/(vnd\.oai\.openapi\+)?json.*", content_type), path
    return reply, json.loads(reply.text) if reply.text else None


def walk(site: Instance, path: str) -> list[dict]:
    """Every record of a list, by its `next` links."""
    records, address = [], f"{site.base}{path}"
    while address:
        reply, body = get_json(site, address.removeprefix(site.base))
        assert reply.status == 200, (address, body)
        records += body["results"]
        # The link is on the site's public address (SITE_URL); follow it on this server.
        address = (
            body["next"]
            and site.base
            + urllib.parse.urlsplit(body["next"])._replace(scheme="", netloc="").geturl()
        )
    return records


def test_the_api_answers_every_list_in_full_and_junk_with_a_json_400(site):
    for name in LISTS:
        records = walk(site, f"/api/v1/{name}/?page_size=100")
        ids = [record["id"] for record in records]
        assert len(ids) == len(set(ids)), name
        if name != "review-items":
            assert ids, f"the demo content has {name}"
        for junk in JUNK:
            reply, body = get_json(site, f"/api/v1/{name}/?{junk}")
            assert reply.status == 400, (name, junk, reply.status)
            assert body["detail"] and body["errors"], (name, junk)
        reply, body = get_json(site, f"/api/v1/{name}/{ids[0] if ids else 1}0000000/")
        assert reply.status == 404 and body["detail"]

    # The intervention list is the guidebook's: as many records as its CSV has rows.
    csv = site.open("/interventions/?format=csv")
    assert csv.status == 200
    rows = len(csv.text.strip().splitlines()) - 1
    assert len(walk(site, "/api/v1/interventions/?page_size=100")) == rows > 0


def test_a_record_its_history_and_a_revisit_that_gets_304(site):
    reply, listed = get_json(site, "/api/v1/interventions/?page_size=1")
    summary = listed["results"][0]
    reply, record = get_json(site, f"/api/v1/interventions/{summary['id']}/")
    assert reply.status == 200
    assert record == summary
    reply, history = get_json(site, f"/api/v1/interventions/{summary['id']}/history/")
    assert reply.status == 200 and history["id"] == summary["id"]

    path = "/api/v1/interventions/?page_size=5"
    first = site.open(path)
    assert first.status == 200 and first.headers["ETag"]
    again = site.open(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status == 304
    assert again.text == ""


def test_the_document_is_valid_and_the_docs_page_loads_the_sites_own_files(site):
    reply, document = get_json(site, "/api/v1/openapi.json")
    assert reply.status == 200
    validate(document)
    page = site.open("/api/v1/docs/")
    assert page.status == 200
    assets = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="(/static/[^"]+)"', page.text)
    assert any("swagger-ui-bundle" in asset for asset in assets)
    for asset in assets:
        # Hashed by the manifest, so that a new release's files are never a stale copy.
        assert re.search(r"\.[0-9a-f]{12}\.(js|css|svg)$", asset), asset
        assert site.open(asset).status == 200, asset


def test_data_serves_every_file_it_lists_to_any_origin(site):
    page = site.open("/data/")
    assert page.status == 200
    files = sorted(set(re.findall(r'href="(/data/[^"/]+)"', page.text)))
    assert files, "/data/ lists its files"
    for path in files:
        reply = site.open(path, headers={"Origin": "https://council.example.gov.uk"})
        assert reply.status == 200, path
        assert reply.headers["Access-Control-Allow-Origin"] == "*"
        assert reply.text.strip(), path
    assert site.open("/data/no-such-file.csv").status == 404
    assert site.open("/data/" + urllib.parse.quote("../config/settings.py")).status == 404
