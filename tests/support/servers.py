"""The site served by a real gunicorn in production mode, for tests that need processes of
their own: several instances, a database that goes away, a worker that is killed."""

import contextlib
import email.message
import http.cookiejar
import os
import secrets
import select
import selectors
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CSV_EXPORT = "/interventions/?format=csv"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_is_up() -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", 6379)) == 0


def set_production_password(user, password: str) -> None:
    """Give user a password hashed as gunicorn in production mode hashes: the tests' own
    fast hasher is unknown to it."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt())
    user.save(update_fields=["password"])


def shared_database_url(host: str | None = None, port: int | None = None) -> str:
    """The URL of the tests' PostgreSQL database, optionally through another host and port."""
    database = connection.settings_dict
    return (
        f"postgres://{database['USER']}@{host or database['HOST']}:{port or database['PORT']}"
        f"/{database['NAME']}"
    )


def production_environment(database_url: str, static_root: Path, **extra: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATIC_ROOT": str(static_root),
        # The test database is dropped at the end; hold no connection open.
        "DJANGO_CONN_MAX_AGE": "0",
        **extra,
    }


def collect_static(env: dict) -> None:
    """Production serves collected, hashed static files."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


@dataclass
class Reply:
    status: int
    headers: email.message.Message
    text: str


class KeepRedirects(urllib.request.HTTPRedirectHandler):
    """Answer a redirect with the redirect itself, not the page it leads to."""

    def redirect_request(self, *args, **kwargs):
        return None


class Instance:
    """One gunicorn serving the site in production mode over plain HTTP."""

    def __init__(self, env: dict, workers: int = 1):
        self.base = f"http://127.0.0.1:{free_port()}"
        # A file, not a pipe: a pipe nobody reads would stop gunicorn once it filled.
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed by stop)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application",
             "--workers", str(workers), "--bind", self.base.removeprefix("http://")],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.log,
        )  # fmt: skip
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(cookies)
        self.opener_without_redirects = urllib.request.build_opener(cookies, KeepRedirects)
        for _ in range(100):
            try:
                self.get("/healthz")
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not start:\n{self.log_text()}")

    def log_text(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def open(
        self,
        path: str,
        data: dict | None = None,
        headers: dict | None = None,
        follow_redirects: bool = True,
    ):
        """The response to a request, whatever its status."""
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        opener = self.opener if follow_redirects else self.opener_without_redirects
        try:
            response = opener.open(request, timeout=20)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            return Reply(response.status, response.headers, response.read().decode())

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=20) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> int:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        with self.opener.open(self.base + path, data=body, timeout=20) as response:
            return response.status

    def workers(self) -> list[int]:
        """The process ids of gunicorn's workers."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)
        self.log.close()


class Cable:
    """A TCP connection to the database that a test can pull out and plug back in: while
    it is out, every connection through it is cut and new ones are refused."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = free_port()
        self.listener = None
        self.links: list[socket.socket] = []
        self.plug_in()

    def plug_in(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self.accept, args=(self.listener,), daemon=True).start()

    def pull_out(self) -> None:
        # shutdown() takes effect at once, even while another thread waits on the socket.
        for sock in [self.listener, *self.links]:
            with contextlib.suppress(OSError):  # already closed by the other side
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.links.clear()

    def accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.links += [client, server]
            threading.Thread(target=self.relay, args=(client, server), daemon=True).start()

    @staticmethod
    def relay(one: socket.socket, other: socket.socket) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(one, selectors.EVENT_READ, other)
            selector.register(other, selectors.EVENT_READ, one)
            try:
                while True:
                    for key, _ in selector.select():
                        data = key.fileobj.recv(65536)
                        if not data:
                            return
                        key.data.sendall(data)
            except (OSError, ValueError):
                return
            finally:
                one.close()
                other.close()


NGINX = Path("/usr/sbin/nginx")


class Proxy:
    """Debian's nginx in front of one Instance, over plain HTTP on a port of its own, with
    deploy/nginx/'s proxy settings and connection limit included as they are shipped."""

    def __init__(self, upstream: Instance, directory: Path):
        self.base = f"http://127.0.0.1:{free_port()}"
        shipped = ROOT / "deploy" / "nginx"
        directory.mkdir(parents=True, exist_ok=True)
        self.error_log = directory / "error.log"
        config = directory / "nginx.conf"
        config.write_text(f"""
            daemon off;
            # Started as root (as in CI), nginx's workers must still reach this directory;
            # started as anyone else, nginx ignores this line.
            user root;
            worker_processes 1;
            pid {directory}/nginx.pid;
            error_log {self.error_log};
            events {{ worker_connections 256; }}
            http {{
                access_log {directory}/access.log;
                client_body_temp_path {directory}/client_body;
                proxy_temp_path {directory}/proxy;
                fastcgi_temp_path {directory}/fastcgi;
                uwsgi_temp_path {directory}/uwsgi;
                scgi_temp_path {directory}/scgi;
                include {shipped}/portal-limits.conf;
                upstream gunicorn {{ server {upstream.base.removeprefix("http://")}; }}
                server {{
                    listen {self.base.removeprefix("http://")};
                    include {shipped}/portal-proxy.conf;
                    location / {{ proxy_pass http://gunicorn; }}
                }}
            }}
        """)
        self.process = subprocess.Popen(
            [NGINX, "-p", directory, "-c", config, "-e", self.error_log],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=20):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"nginx did not start:\n{self.error_log.read_text()}")

    def stop(self) -> None:
        # SIGTERM: nginx's fast shutdown, which closes the connections it still holds.
        self.process.terminate()
        self.process.wait(timeout=20)


PGBOUNCER = Path("/usr/sbin/pgbouncer")


class PgBouncer:
    """Debian's PgBouncer on a port of its own in front of the tests' PostgreSQL, in
    transaction mode: each transaction may go to another of its `pool_size` server
    connections. Its admin console answers SHOW commands."""

    def __init__(self, directory: Path, pool_size: int = 2):
        database = connection.settings_dict
        self.port = free_port()
        self.database = database["NAME"]
        # PgBouncer refuses to run as root, and drops to another user that must read this.
        directory.mkdir(parents=True, exist_ok=True)
        directory.chmod(0o755)
        users = directory / "users.txt"
        users.write_text(f'"{database["USER"]}" ""\n')
        config = directory / "pgbouncer.ini"
        config.write_text(f"""
[databases]
{self.database} = host={database["HOST"]} port={database["PORT"]} dbname={self.database}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = trust
auth_file = {users}
admin_users = {database["USER"]}
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 100
""")
        for path in (users, config):
            path.chmod(0o644)
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed by stop)
        run_as = ["-u", "postgres"] if os.geteuid() == 0 else []
        self.process = subprocess.Popen(
            [PGBOUNCER, *run_as, config], stdout=subprocess.DEVNULL, stderr=self.log
        )
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("PgBouncer did not start")

    def show(self, what: str) -> list[dict]:
        """The rows of the admin console's SHOW what, as dicts."""
        import psycopg2

        admin = psycopg2.connect(
            host="127.0.0.1", port=self.port, dbname="pgbouncer",
            user=connection.settings_dict["USER"],
        )  # fmt: skip
        admin.autocommit = True
        try:
            with admin.cursor() as cursor:
                cursor.execute(f"SHOW {what}")
                names = [column.name for column in cursor.description]
                return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            admin.close()

    def stop(self) -> None:
        # SIGTERM: a fast shutdown, which closes its server connections.
        self.process.terminate()
        self.process.wait(timeout=20)
        self.log.close()


def address(base: str) -> tuple[str, int]:
    host, port = base.removeprefix("http://").split(":")
    return host, int(port)


class SlowClients:
    """Connections that each send a request, then, once a second, read a few bytes of the
    answer and send `trickle` more of the request, until the server closes them or the
    test ends."""

    def __init__(self, base: str, count: int, request: bytes, trickle: bytes = b""):
        self.trickle = trickle
        self.opened = time.monotonic()
        self.sockets = []
        for number in range(count):
            sock = socket.socket()
            # A small window, so that the server waits on the reader rather than filling
            # buffers in the kernel.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            # Each from an address of its own, as different people's are: the site lets one
            # address download one export at a time.
            sock.bind((f"127.0.1.{number + 1}", 0))
            sock.connect(address(base))
            sock.sendall(request)
            self.sockets.append(sock)
        self.received = dict.fromkeys(self.sockets, 0)
        self.closed_after: dict[socket.socket, float] = {}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.keep_going, daemon=True)
        self.thread.start()

    @property
    def still_open(self) -> list[socket.socket]:
        return [sock for sock in self.sockets if sock not in self.closed_after]

    def keep_going(self) -> None:
        while not self.stopping.wait(1):
            readable, _, _ = select.select(self.still_open, [], [], 0)
            for sock in readable:
                try:
                    data = sock.recv(16)
                except OSError:
                    data = b""
                self.received[sock] += len(data)
                if not data:
                    self.closed_after[sock] = time.monotonic() - self.opened
            for sock in self.still_open if self.trickle else []:
                try:
                    sock.send(self.trickle)
                except OSError:
                    self.closed_after[sock] = time.monotonic() - self.opened

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.stopping.set()
        self.thread.join()
        for sock in self.sockets:
            sock.close()


def slowloris(base: str, count: int = 20) -> SlowClients:
    """Requests whose headers come a byte a second and never end."""
    return SlowClients(base, count, b"GET /projects/ HTTP/1.1\r\nHost: 127.0.0.1\r\n", b"X")


def slow_readers(base: str, count: int = 2) -> SlowClients:
    """Downloads of the guidebook's CSV export, read 16 bytes a second."""
    request = f"GET {CSV_EXPORT} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    return SlowClients(base, count, request.encode())
