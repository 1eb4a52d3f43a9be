"""nginx in front of gunicorn, with the shipped deploy/ configuration. Each of gunicorn's two
sync workers can be held by one slow client; nginx holds slow clients itself, so pages keep
coming, and it refuses an oversized upload before gunicorn reads a byte of it."""

import http.client
import socket
import statistics
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from catalogue.models import Intervention
from tests.support.factories import InterventionFactory
from tests.support.pages import form_data, parse
from tests.support.servers import (
    CSV_EXPORT,
    NGINX,
    Instance,
    Proxy,
    address,
    collect_static,
    production_environment,
    shared_database_url,
    slow_readers,
    slowloris,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="gunicorn shares the test database only on PostgreSQL",
    ),
    pytest.mark.skipif(
        not NGINX.exists(), reason="needs Debian's nginx at /usr/sbin/nginx (apt-get install nginx)"
    ),
]

SITE_URL = "https://127.0.0.1"
# What gunicorn's access log says of each request: the answer, and what nginx passed on.
ACCESS_LOG_FORMAT = (
    "%(r)s %(s)s %(B)s for=%({x-forwarded-for}i)s proto=%({x-forwarded-proto}i)s host=%({host}i)s"
)


@dataclass
class Site:
    """gunicorn, nginx in front of it, and what gunicorn logs of each request."""

    gunicorn: Instance
    nginx: Proxy
    access_log: Path

    def requests_served(self, containing: str = "") -> list[str]:
        """gunicorn's access log: a line for each request it has answered in full."""
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        return [line for line in lines if containing in line]


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> Path:
    """Collected once for the module: it takes seconds, and every test serves the same files."""
    root = tmp_path_factory.mktemp("static")
    collect_static(production_environment(shared_database_url(), root))
    return root


@pytest.fixture
def site(static_root, tmp_path):
    """gunicorn as deploy/gunicorn.conf.py sets it up, two workers, and nginx in front."""
    access_log = tmp_path / "gunicorn-access.log"
    env = production_environment(
        shared_database_url(),
        static_root,
        DJANGO_BEHIND_TLS_PROXY="true",
        DJANGO_PROXY_COUNT="1",
        DJANGO_SITE_URL=SITE_URL,
        # Instance's own --workers and --bind take precedence over the file's. No control
        # socket: its one path in the home directory would be shared with other instances.
        GUNICORN_CMD_ARGS=f"--config deploy/gunicorn.conf.py --no-control-socket"
        f" --access-logfile {access_log} --access-logformat '{ACCESS_LOG_FORMAT}'",
    )
    gunicorn = Instance(env, workers=2)
    try:
        nginx = Proxy(gunicorn, tmp_path / "nginx")
        try:
            yield Site(gunicorn, nginx, access_log)
        finally:
            nginx.stop()
    finally:
        gunicorn.stop()


def fetch(
    base: str,
    path: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict | None = None,
    timeout: float = 20,
    source: str = "127.0.0.1",
) -> tuple[int, http.client.HTTPMessage, str]:
    """One request on a connection of its own, from the source address given."""
    server = http.client.HTTPConnection(*address(base), timeout=timeout, source_address=(source, 0))
    try:
        server.request(method, path, body=body, headers=headers or {})
        response = server.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        server.close()


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def make_guidebook(count: int) -> None:
    """Enough interventions, with long enough summaries, for a CSV export of several MB."""
    summary = "What the programme offers children, their parents and the services around them. " * 5
    Intervention.objects.bulk_create(
        InterventionFactory.build_batch(count, summary=summary), batch_size=2000
    )


def page_times(base: str, paths: list[str], seconds: float) -> list[float]:
    """Fetch the pages in turn for that long; each must answer 200 within a second."""
    times = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in paths:
            start = time.monotonic()
            status, _, _ = fetch(base, path, timeout=1)
            times.append(time.monotonic() - start)
            assert status == 200, path
    return times


def test_slow_clients_hold_gunicorns_workers_but_not_the_pages_behind_nginx(site, project_factory):
    pages = ["/projects/", "/interventions/", project_factory().get_absolute_url()]
    make_guidebook(10_000)
    quiet = page_times(site.nginx.base, pages, seconds=1)

    with slow_readers(site.nginx.base) as readers:
        # nginx takes each export from gunicorn as fast as gunicorn writes it.
        assert wait_for(lambda: len(site.requests_served(CSV_EXPORT)) == 2, seconds=20)
        handed_over = time.monotonic() - readers.opened
        export_bytes = int(site.requests_served(CSV_EXPORT)[0].split()[4])  # %(B)s
        with slowloris(site.nginx.base) as loris:
            busy = page_times(site.nginx.base, pages, seconds=4)
            assert len(loris.still_open) == 20
            assert len(readers.still_open) == 2
            assert sum(readers.received.values()) < export_bytes
            # client_header_timeout: nginx gives up on the unfinished headers.
            assert wait_for(lambda: not loris.still_open, seconds=15)
    assert max(busy) < 1
    loris_closed = sorted(loris.closed_after.values())

    with slow_readers(site.gunicorn.base) as readers:
        # Each worker is writing an export to a reader, and waits on it.
        assert wait_for(lambda: all(readers.received.values()), seconds=20)
        with slowloris(site.gunicorn.base):
            start = time.monotonic()
            with pytest.raises(TimeoutError):
                fetch(site.gunicorn.base, "/projects/", timeout=2)
            unanswered = time.monotonic() - start

    print(
        f"\nthrough nginx, no slow clients: {len(quiet)} pages, median"
        f" {1000 * statistics.median(quiet):.0f} ms, slowest {1000 * max(quiet):.0f} ms"
        f"\ngunicorn handed two {export_bytes / 1e6:.1f} MB CSV exports to nginx in"
        f" {handed_over:.1f} s; the slow readers then held nginx's connections"
        f"\nthrough nginx with 20 slowloris and 2 slow readers held: {len(busy)} pages, median"
        f" {1000 * statistics.median(busy):.0f} ms, slowest {1000 * max(busy):.0f} ms"
        f"\nnginx closed the slowloris connections after {loris_closed[0]:.1f}"
        f"-{loris_closed[-1]:.1f} s"
        f"\ngunicorn alone with the same slow clients: /projects/ unanswered after"
        f" {unanswered:.1f} s"
    )


def test_an_upload_over_the_limit_is_refused_before_gunicorn_reads_it(site):
    too_large = 30 * 1024 * 1024
    with socket.create_connection(address(site.nginx.base), timeout=5) as sock:
        sock.sendall(
            f"POST {reverse('admin:projects_project_add')} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {too_large}\r\n"
            "\r\n".encode()
        )
        start = time.monotonic()
        # Not a byte of the body is sent: the answer comes from the Content-Length alone.
        answer = sock.recv(1024)
        waited = time.monotonic() - start
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert site.requests_served("POST") == []
    print(f"\n30 MB upload: 413 from nginx {1000 * waited:.2f} ms after its headers, no body sent")


def test_a_document_at_the_limit_with_its_form_reaches_django(site):
    login = reverse("admin:login")
    _, headers, html = fetch(site.nginx.base, login)
    cookie = SimpleCookie(headers["Set-Cookie"])["csrftoken"].value
    form = form_data(parse(html).find("form", id="login-form"))
    parts = [
        f'--b\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in {**form, "username": "nobody", "password": "wrong"}.items()
    ]
    document = b"%PDF-1.4\n" + b"0" * (settings.DOCUMENT_MAX_BYTES - 9)
    parts.append(
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="report.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n" + document + b"\r\n--b--\r\n"
    )
    body = b"".join(parts)
    start = time.monotonic()
    status, _, html = fetch(
        site.nginx.base,
        login,
        method="POST",
        body=body,
        headers={
            "Content-Type": "multipart/form-data; boundary=b",
            "Cookie": f"csrftoken={cookie}",
        },
    )
    # Django read the whole form: its answer is the login page saying the password is wrong.
    assert status == 200
    assert "Please enter the correct" in html
    assert wait_for(lambda: site.requests_served(f"POST {login}"), seconds=5)
    print(
        f"\na {settings.DOCUMENT_MAX_BYTES:,}-byte document in a {len(body):,}-byte form:"
        f" through nginx and answered by Django in {time.monotonic() - start:.1f} s"
    )


def test_nginx_passes_the_host_the_visitors_address_and_its_own_scheme(site):
    status, _, html = fetch(
        site.nginx.base,
        "/projects/",
        # What a client may claim; nginx adds to the first and replaces the second.
        headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"},
    )
    assert status == 200
    # Full addresses come from the configured site address, whatever the request says.
    assert f'<link rel="canonical" href="{SITE_URL}/projects/">' in html
    # gunicorn writes its log line just after the answer.
    assert wait_for(lambda: site.requests_served("GET /projects/"), seconds=5)
    [line] = site.requests_served("GET /projects/")
    assert line.endswith("for=203.0.113.7, 127.0.0.1 proto=http host=127.0.0.1")


def test_one_address_holds_at_most_twenty_connections(site):
    uploads = []
    try:
        # Uploads that never send their body: nginx waits for it, gunicorn never hears of them.
        for _ in range(20):
            sock = socket.create_connection(address(site.nginx.base), timeout=5)
            sock.sendall(
                b"POST /projects/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n"
            )
            uploads.append(sock)
        assert wait_for(lambda: fetch(site.nginx.base, "/healthz")[0] == 429, seconds=5)
        assert fetch(site.nginx.base, "/healthz", source="127.0.0.2")[0] == 200
    finally:
        for sock in uploads:
            sock.close()
    assert site.requests_served("POST") == []
