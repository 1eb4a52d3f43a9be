"""Sustained load while an editor works: wrk drives the guidebook with filters, project
pages and search for 60 seconds against gunicorn (production settings, PostgreSQL, Redis)
while an editor saves a project through the admin every second. Prints wrk's errors,
whether every save was on the very next public request, and the workers' memory over the
run. Run with `make load`; `--help` lists the options."""

import argparse
import http.cookiejar
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from run import ROOT, Server, environment, fresh_database, manage

sys.path.insert(0, str(ROOT))
from tests.pages import form_data, parse  # noqa: E402

PASSWORD = "a long password for the load test"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--interventions", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=60, help="Seconds of load.")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers.")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    return parser.parse_args()


class Editor:
    """An editor in the admin, saving a project's title through its change form."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        login = parse(self.get("/admin/login/")).find("form", id="login-form")
        self.post(
            "/admin/login/", {**form_data(login), "username": "loadtest", "password": PASSWORD}
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> str:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        with self.opener.open(self.base + path, data=body, timeout=30) as response:
            return response.read().decode()

    def rename(self, project_id: int, title: str) -> None:
        change = f"/admin/projects/project/{project_id}/change/"
        data = form_data(parse(self.get(change)).find("form", id="project_form"))
        self.post(change, {**data, "title": title, "_save": "Save"})


def worker_memory(master: int) -> int:
    """The resident memory of gunicorn's workers together, in kB."""
    total = 0
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    return total


def main() -> None:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="portal-load-"))
    env = environment(fresh_database("postgresql", workdir), REDIS_URL=args.redis)
    manage(env, "migrate", "--no-input")
    manage(env, "loaddata", "seed")
    manage(env, "seed_demo", "--interventions", str(args.interventions),
           "--projects", str(args.interventions // 5))  # fmt: skip
    manage(env, "collectstatic", "--no-input")
    subprocess.run(
        [sys.executable, "manage.py", "createsuperuser", "--no-input", "--username", "loadtest",
         "--email", "loadtest@example.org"],
        cwd=ROOT, env={**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD}, check=True,
    )  # fmt: skip
    probe = manage(
        env, "shell", "-v", "0", "-c",
        "from projects.models import Project; from catalogue.models import ChildOutcome;"
        "p = Project.objects.published().filter(slug__startswith='demo-').order_by('pk')[:50];"
        "print(' '.join(x.slug for x in p)); print(p[0].pk);"
        "print(ChildOutcome.objects.order_by('position').first().slug)",
    ).split("\n")  # fmt: skip
    slugs, edited_id, outcome = probe[0].split(), int(probe[1]), probe[2]
    paths = [f"/projects/{slug}/" for slug in slugs] + [
        f"/interventions/?min_evidence=3&outcome={outcome}&sort=-evidence",
        f"/interventions/?cost=1&cost=2&outcome={outcome}",
        "/interventions/?page=3",
        "/search/?q=family+support",
        "/search/?q=parenting",
        "/projects/?status=in-progress",
    ]
    script = workdir / "paths.lua"
    script.write_text(
        "paths = {" + ", ".join(f'"{path}"' for path in paths) + "}\n"
        "counter = 0\n"
        "request = function()\n"
        "  counter = counter + 1\n"
        "  return wrk.format('GET', paths[(counter % #paths) + 1])\n"
        "end\n"
    )
    import redis

    redis.Redis.from_url(args.redis).flushdb()
    server = Server(env, args.workers, workdir / "gunicorn.log")
    try:
        editor = Editor(server.base)
        load = subprocess.Popen(
            ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency",
             "-s", str(script), server.base],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        memory, saves, stale = [], 0, []
        edited_url = f"/projects/{slugs[0]}/"
        started = time.monotonic()
        while load.poll() is None:
            title = f"Load test title {saves}"
            editor.rename(edited_id, title)
            saves += 1
            if title not in server.get(edited_url).decode():
                stale.append(title)
            memory.append(worker_memory(server.process.pid))
            time.sleep(max(0.0, started + saves - time.monotonic()))
        output = load.stdout.read()
    finally:
        server.stop()
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)
    requests = re.search(r"(\d+) requests in", output).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)
    print(f"{args.duration}s of load on {len(paths)} addresses, {args.connections} connections:")
    print(f"  {requests} requests, {rate} a second, p99 {p99}")
    print(f"  non-2xx/3xx responses: {errors.group(1) if errors else 0}")
    print(f"  socket errors: {socket_errors.group(1) if socket_errors else 'none'}")
    print(f"  editor saves: {saves}, stale on the next public request: {len(stale)}")
    every = max(1, len(memory) // 6)
    print(
        "  workers' memory (MB) through the run: "
        + ", ".join(f"{sample / 1024:.0f}" for sample in memory[::every] + memory[-1:])
    )


if __name__ == "__main__":
    main()
