"""Sustained load while an editor works, first alone and then beside hostile clients.
gunicorn serves the site (production settings, PostgreSQL, Redis) behind nginx with the
shipped deploy/nginx/ configuration, while an editor saves a project through the admin
every second. Three phases of the same length:

1. the normal mix with no editor: wrk on project pages, filtered guidebook pages and
   searches, the figure the next phase is compared with;
2. the normal mix alone, the editor saving;
3. the normal mix beside a hostile one: 20 slowloris connections (opened again each time
   nginx has closed them), 2 slow readers of the whole guidebook's CSV export, each from
   an address of its own, and a second wrk asking at random for the whole CSV export, the
   project list searched with a hundred one-letter words, site searches of random words
   and made-up query strings on the home page and the sitemap.

Prints, for the phases side by side, the ordinary pages' requests a second, p50/p99
latency and answers other than 2xx, whether every save was on the very next public
request, the workers' memory, and Redis's memory and count of kept pages before and
after; then what each kind of hostile request was answered. Without nginx at
/usr/sbin/nginx, wrk drives gunicorn directly and the slow clients stay out. Run with
`make load`; `--help` lists the options."""

import argparse
import contextlib
import http.cookiejar
import json
import re
import string
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import redis
from run import ROOT, Server, environment, fresh_database, manage

sys.path.insert(0, str(ROOT))
from tests.support.pages import form_data, parse  # noqa: E402
from tests.support.servers import CSV_EXPORT, NGINX, Proxy, slow_readers, slowloris  # noqa: E402

PASSWORD = "a long password for the load test"
# wrk leaves an answer slower than its timeout (2 s by default) out of the latencies.
WRK_TIMEOUT = "30s"
HUNDRED_LETTERS = " ".join((string.ascii_lowercase * 4)[:100])
# Each {word} is a new random word in every request.
HOSTILE_MIX = {
    "CSV export": [CSV_EXPORT],
    "100-word project list": ["/projects/?" + urllib.parse.urlencode({"q": HUNDRED_LETTERS})],
    "random site search": ["/search/?q={word}"],
    "junk home query": ["/?x={word}"],
    "junk sitemap query": ["/sitemap.xml?{word}"],
}
# Follows the `entries` of a mix: {kind, path} pairs. wrk runs a connection a thread, so
# that each answer is to the request its thread sent last, and is counted under its kind.
WRK_LUA = """
threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  math.randomseed(id)
  tally = {}
end
local function word()
  local letters = {}
  for i = 1, 8 do letters[i] = string.char(math.random(97, 122)) end
  return table.concat(letters)
end
function request()
  local entry = entries[math.random(#entries)]
  kind = entry[1]
  return wrk.format("GET", (entry[2]:gsub("{word}", word)))
end
function response(status)
  local key = kind .. "=" .. status
  tally[key] = (tally[key] or 0) + 1
end
function done()
  for _, thread in ipairs(threads) do
    for key, count in pairs(thread:get("tally")) do
      io.write("tally ", key, " ", count, "\\n")
    end
  end
end
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--interventions", type=int, default=10_000, help="Seeded, with a fifth as many projects."
    )
    parser.add_argument("--duration", type=int, default=60, help="Seconds of each phase.")
    parser.add_argument(
        "--connections",
        type=int,
        default=8,
        help="wrk's connections for the normal mix; with the hostile ones, at most 20 in all"
        " (nginx answers 429 beyond 20 connections from one address).",
    )
    parser.add_argument(
        "--hostile-connections", type=int, default=4, help="wrk's connections for the hostile mix."
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers.")
    parser.add_argument(
        "--redis", default="redis://127.0.0.1:6379/14", help="The REDIS_URL, emptied first."
    )
    return parser.parse_args()


class Editor:
    """An editor in the admin, saving a project's title through its change form."""

    def __init__(self, base: str, project_id: int, page: str):
        self.base = base
        self.project_id = project_id
        self.page = page
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

    def rename(self, title: str) -> None:
        change = f"/admin/projects/project/{self.project_id}/change/"
        data = form_data(parse(self.get(change)).find("form", id="project_form"))
        self.post(change, {**data, "title": title, "_save": "Save"})

    def save_is_shown(self) -> bool:
        """Save a new title: whether the very next public request for the page shows it."""
        # Unique, so that no earlier title is a match.
        title = f"Load test title {time.time_ns()}"
        self.rename(title)
        with urllib.request.urlopen(self.base + self.page, timeout=30) as response:
            return title in response.read().decode()


def seed(env: dict, interventions: int) -> None:
    """Demo content, the static files and the editor's account."""
    manage(env, "migrate", "--no-input")
    manage(env, "loaddata", "seed")
    manage(env, "seed_demo", "--interventions", str(interventions),
           "--projects", str(interventions // 5))  # fmt: skip
    manage(env, "collectstatic", "--no-input")
    subprocess.run(
        [sys.executable, "manage.py", "createsuperuser", "--no-input", "--username", "loadtest",
         "--email", "loadtest@example.org"],
        cwd=ROOT, env={**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD}, check=True,
    )  # fmt: skip


def normal_mix(env: dict) -> tuple[dict[str, list[str]], int]:
    """The ordinary pages by kind, and the id of the project the editor saves: that of
    the first project page."""
    probe = manage(
        env, "shell", "-v", "0", "-c",
        "from projects.models import Project; from catalogue.models import ChildOutcome;"
        "p = Project.objects.published().filter(slug__startswith='demo-').order_by('pk')[:50];"
        "print(' '.join(x.slug for x in p)); print(p[0].pk);"
        "print(ChildOutcome.objects.order_by('position').first().slug)",
    ).split("\n")  # fmt: skip
    slugs, edited_id, outcome = probe[0].split(), int(probe[1]), probe[2]
    mix = {
        "project page": [f"/projects/{slug}/" for slug in slugs],
        "guidebook, filtered": [
            f"/interventions/?min_evidence=3&outcome={outcome}&sort=-evidence",
            f"/interventions/?cost=1&cost=2&outcome={outcome}",
        ],
        "guidebook, page 3": ["/interventions/?page=3"],
        "site search": ["/search/?q=family+support", "/search/?q=parenting"],
        "project list, filtered": ["/projects/?status=in-progress"],
    }
    return mix, edited_id


def wrk_script(path: Path, mix: dict[str, list[str]]) -> Path:
    """A wrk script asking for the mix's paths at random, and tallying answers by kind."""
    entries = ", ".join(
        f"{{{json.dumps(kind)}, {json.dumps(url)}}}" for kind, urls in mix.items() for url in urls
    )
    path.write_text(f"entries = {{{entries}}}\n{WRK_LUA}")
    return path


def start_wrk(base: str, script: Path, connections: int, duration: int) -> subprocess.Popen:
    return subprocess.Popen(
        ["wrk", f"-t{connections}", f"-c{connections}", f"-d{duration}s", "--latency",
         "--timeout", WRK_TIMEOUT, "-s", str(script), base],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip


@dataclass
class Figures:
    """What wrk reports of one mix, with the answers by kind and status."""

    requests: int
    rate: float
    p50: float
    p99: float
    socket_errors: str
    answers: dict[str, Counter]

    @classmethod
    def from_wrk(cls, output: str) -> "Figures":
        def milliseconds(label: str) -> float:
            value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", output, re.M).groups()
            return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

        answers = {}
        for kind, status, count in re.findall(r"^tally (.+)=(\d+) (\d+)$", output, re.M):
            answers.setdefault(kind, Counter())[int(status)] += int(count)
        errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                           output)  # fmt: skip
        return cls(
            requests=int(re.search(r"(\d+) requests in", output).group(1)),
            rate=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            p50=milliseconds("50"),
            p99=milliseconds("99"),
            socket_errors="/".join(errors.groups()) if errors else "0/0/0/0",
            answers=answers,
        )

    def not_2xx(self) -> Counter:
        """The answers other than 2xx, by kind and status."""
        return Counter(
            {
                f"{kind}, {status}": count
                for kind, statuses in self.answers.items()
                for status, count in statuses.items()
                if not 200 <= status < 300
            }
        )


class HostileMix:
    """The hostile clients: a wrk of costly and junk requests, and, when slow, the slow
    readers and the slowloris connections, opened again each time nginx has closed them."""

    def __init__(self, base: str, script: Path, args: argparse.Namespace, slow: bool):
        self.base = base
        self.slow = slow
        self.connections = args.hostile_connections
        self.wrk = start_wrk(base, script, self.connections, args.duration)
        self.clients = contextlib.ExitStack()
        self.readers = self.clients.enter_context(slow_readers(base)) if slow else None
        self.loris = []
        self.keep_up()

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.clients.close()
        self.wrk.kill()

    def keep_up(self) -> None:
        if self.slow and not (self.loris and self.loris[-1].still_open):
            self.loris.append(self.clients.enter_context(slowloris(self.base)))

    def report(self) -> list[str]:
        """What each kind of hostile request was answered, once wrk is done."""
        figures = Figures.from_wrk(self.wrk.communicate()[0])
        lines = [
            f"The hostile mix on {self.connections} connections: {figures.requests} answers,"
            f" {figures.rate:.1f} a second, socket errors {figures.socket_errors}"
        ]
        for kind in HOSTILE_MIX:
            statuses = sorted(figures.answers.get(kind, Counter()).items())
            answers = ", ".join(f"{count} x {status}" for status, count in statuses)
            lines.append(f"  {kind:<24} {answers or 'no answer'}")
        return lines + [f"  {line}" for line in self.slow_clients()]

    def slow_clients(self) -> list[str]:
        """What became of the slow clients, before they are closed."""
        if not self.slow:
            return ["no slow clients: without nginx they would hold every worker"]
        closed = sorted(after for batch in self.loris for after in batch.closed_after.values())
        held = f", after {closed[0]:.1f}-{closed[-1]:.1f} s" if closed else ""
        return [
            f"slowloris: {sum(len(batch.sockets) for batch in self.loris)} connections in"
            f" {len(self.loris)} rounds of 20; nginx closed {len(closed)} of them{held}",
            f"slow readers of the CSV export: {len(self.readers.still_open)} of 2 still open"
            f" at the end, {sum(self.readers.received.values())} bytes read between them",
        ]


@dataclass
class Site:
    """The site as wrk and the editor reach it."""

    base: str
    gunicorn: int  # the master's process id
    cache: redis.Redis

    def worker_memory(self) -> int:
        """The resident memory of gunicorn's workers together, in kB."""
        children = Path(f"/proc/{self.gunicorn}/task/{self.gunicorn}/children").read_text()
        return sum(
            int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1))
            for pid in children.split()
        )

    def redis_figures(self) -> tuple[int, int]:
        """Redis's used memory in bytes, and how many pages it keeps."""
        return (
            self.cache.info("memory")["used_memory"],
            sum(1 for _ in self.cache.scan_iter("*page:*")),
        )


@contextlib.contextmanager
def serve(env: dict, args: argparse.Namespace, workdir: Path, proxied: bool) -> Iterator[Site]:
    """gunicorn, with nginx in front when proxied."""
    server = Server(env, args.workers, workdir / "gunicorn.log")
    with contextlib.ExitStack() as running:
        running.callback(server.stop)
        base = server.base
        if proxied:
            proxy = Proxy(server, workdir / "nginx")
            running.callback(proxy.stop)
            base = proxy.base
        yield Site(base, server.process.pid, redis.Redis.from_url(args.redis))


@dataclass
class Phase:
    ordinary: Figures
    saves: int
    stale: int
    memory: list[int]
    redis_before: tuple[int, int]
    redis_after: tuple[int, int]

    def rows(self) -> dict[str, str]:
        return {
            "ordinary requests": f"{self.ordinary.requests}",
            "ordinary requests a second": f"{self.ordinary.rate:.1f}",
            "ordinary p50 / p99 ms": f"{self.ordinary.p50:.0f} / {self.ordinary.p99:.0f}",
            "ordinary answers not 2xx": f"{sum(self.ordinary.not_2xx().values())}",
            "socket errors conn/read/write/timeout": self.ordinary.socket_errors,
            "editor saves / stale": f"{self.saves} / {self.stale}",
            "workers' memory MB, first / last": f"{self.memory[0] / 1024:.0f} / "
            f"{self.memory[-1] / 1024:.0f}",
            "Redis used_memory MB, before / after": f"{self.redis_before[0] / 1e6:.1f} / "
            f"{self.redis_after[0] / 1e6:.1f}",
            "Redis page: keys, before / after": f"{self.redis_before[1]} / {self.redis_after[1]}",
        }


def run_phase(
    site: Site,
    editor: Editor | None,
    load: subprocess.Popen,
    every_second: Callable = lambda: None,
) -> Phase:
    """Have the editor (if any) save every second while load runs."""
    redis_before = site.redis_figures()
    memory, saves, stale, seconds = [], 0, 0, 0
    started = time.monotonic()
    while load.poll() is None:
        if editor is not None:
            stale += not editor.save_is_shown()
            saves += 1
        seconds += 1
        memory.append(site.worker_memory())
        every_second()
        time.sleep(max(0.0, started + seconds - time.monotonic()))
    ordinary = Figures.from_wrk(load.communicate()[0])
    return Phase(ordinary, saves, stale, memory, redis_before, site.redis_figures())


# With an editor saving every second, the ordinary pages keep at least this share of the
# requests a second they get without edits.
EDITED_SHARE_TARGET = 0.5


def print_report(
    args: argparse.Namespace, unedited: Phase, alone: Phase, beside: Phase, proxied: bool
) -> None:
    through = "nginx (deploy/nginx/) in front of " if proxied else ""
    print(
        f"\n{args.duration} s a phase, {args.interventions:,} interventions, {through}"
        f"{args.workers} gunicorn workers;\nthe normal mix on {args.connections} connections:"
    )
    phases = {"no edits": unedited, "normal mix alone": alone, "beside the hostile mix": beside}
    print(f"  {'':<38}" + "".join(f" {name:>24}" for name in phases))
    for label in alone.rows():
        print(
            f"  {label:<38}" + "".join(f" {phase.rows()[label]:>24}" for phase in phases.values())
        )
    for name, phase in phases.items():
        for answer, count in sorted(phase.ordinary.not_2xx().items()):
            print(f"  ordinary {answer}, {name}: {count}")
    share = alone.ordinary.rate / unedited.ordinary.rate
    met = "met" if share >= EDITED_SHARE_TARGET else "not met"
    print(
        f"  target: with an editor saving every second, at least {EDITED_SHARE_TARGET:.0%} of "
        f"the requests a second without edits: {share:.0%} ({met})"
    )


def main() -> None:
    args = parse_args()
    proxied = NGINX.exists()
    if not proxied:
        print(f"No nginx at {NGINX}: wrk drives gunicorn directly, without the slow clients.")
    workdir = Path(tempfile.mkdtemp(prefix="portal-load-"))
    behind_nginx = {"DJANGO_PROXY_COUNT": "1", "DJANGO_SITE_URL": "http://127.0.0.1"}
    env = environment(
        fresh_database("postgresql", workdir),
        REDIS_URL=args.redis,
        **(behind_nginx if proxied else {}),
    )
    seed(env, args.interventions)
    mix, edited_id = normal_mix(env)
    normal = wrk_script(workdir / "normal.lua", mix)
    hostile = wrk_script(workdir / "hostile.lua", HOSTILE_MIX)
    redis.Redis.from_url(args.redis).flushdb()
    with serve(env, args, workdir, proxied) as site:
        editor = Editor(site.base, edited_id, mix["project page"][0])
        load = start_wrk(site.base, normal, args.connections, args.duration)
        unedited = run_phase(site, None, load)
        load = start_wrk(site.base, normal, args.connections, args.duration)
        alone = run_phase(site, editor, load)
        with HostileMix(site.base, hostile, args, slow=proxied) as attack:
            load = start_wrk(site.base, normal, args.connections, args.duration)
            beside = run_phase(site, editor, load, every_second=attack.keep_up)
            attacked = attack.report()
    print_report(args, unedited, alone, beside, proxied)
    print("\n" + "\n".join(attacked))


if __name__ == "__main__":
    main()
