"""The headers a penetration tester checks first, on a public page and in the admin, as the
site sends them in production: gunicorn, DJANGO_DEBUG off, behind a proxy that ends TLS."""

import re
import subprocess
import sys

import pytest

from tests.support.pages import form_data, parse
from tests.support.servers import ROOT, Instance, collect_static, production_environment

PASSWORD = "a long and unguessable password"
HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Its own SQLite database, so that it runs the same on either test database."""
    workdir = tmp_path_factory.mktemp("security")
    env = production_environment(
        f"sqlite:///{workdir / 'site.sqlite3'}",
        workdir / "static",
        DJANGO_SECURE_SSL_REDIRECT="true",
        DJANGO_BEHIND_TLS_PROXY="true",
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
    )
    for command in (
        ["migrate", "--no-input"],
        ["createsuperuser", "--no-input", "--username", "sam", "--email", "sam@example.org"],
    ):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    collect_static(env)
    instance = Instance(env)
    yield instance
    instance.stop()


def assert_secure_headers(response) -> None:
    headers = response.headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in headers["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "unsafe-eval" not in headers["Content-Security-Policy"]
    permissions = headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions


def cookie(response, name: str) -> str:
    found = [
        value
        for value in response.headers.get_all("Set-Cookie") or []
        if value.startswith(f"{name}=")
    ]
    assert found, f"no {name} cookie"
    return found[0]


def test_a_public_page_sends_every_security_header(site):
    response = site.open("/", headers=HTTPS)
    assert response.status == 200
    assert_secure_headers(response)
    assert "Set-Cookie" not in response.headers


def sign_in(site):
    """Sign in over HTTPS as a browser does: the CSRF cookie back, and a Referer."""
    login = site.open("/admin/login/", headers=HTTPS)
    token = cookie(login, "csrftoken").split(";")[0]
    form = parse(login.text).find("form", id="login-form")
    return login, site.open(
        "/admin/login/?next=/admin/",
        data={**form_data(form), "username": "sam", "password": PASSWORD},
        headers={
            **HTTPS,
            "Cookie": token,
            "Referer": f"https://127.0.0.1{site.base[16:]}/admin/login/",
        },
        follow_redirects=False,
    )


def test_the_admin_sends_every_security_header_and_guards_its_cookies(site):
    login, signed_in = sign_in(site)
    assert login.status == 200
    assert_secure_headers(login)
    assert "no-store" in login.headers["Cache-Control"]
    csrf = cookie(login, "csrftoken")
    assert re.search(r";\s*Secure", csrf) and re.search(r";\s*HttpOnly", csrf)
    assert signed_in.status == 302, signed_in.text[:500]
    assert signed_in.headers["Location"] == "/admin/"
    assert_secure_headers(signed_in)


def test_a_session_cookie_is_secure_http_only_and_ends_with_the_browser(site):
    _, signed_in = sign_in(site)
    session = cookie(signed_in, "sessionid")
    assert re.search(r";\s*Secure", session)
    assert re.search(r";\s*HttpOnly", session)
    assert re.search(r";\s*SameSite=Lax", session)
    # Ends when the browser closes: no lasting expiry.
    assert "expires=" not in session.lower() and "max-age" not in session.lower()


def test_plain_http_is_sent_to_https(site):
    response = site.open("/", headers={"X-Forwarded-Proto": "http"}, follow_redirects=False)
    assert response.status == 301
    assert response.headers["Location"].startswith("https://")


@pytest.mark.parametrize("path", ["/", "/projects/", "/interventions/", "/ratings/", "/search/"])
def test_pages_load_nothing_from_other_sites(client, db, path):
    """Everything a page needs comes from the site itself, as the policy above demands.
    (Links a visitor follows, such as the canonical address, are not loads.)"""
    html = client.get(path).content.decode()
    loads = re.findall(r"<(?:script|img|iframe|source)\b[^>]*\bsrc=\"([^\"]*)\"", html)
    loads += [
        re.search(r'href="([^"]*)"', tag).group(1)
        for tag in re.findall(r"<link\b[^>]*>", html)
        if re.search(r'rel="(stylesheet|icon|preload|modulepreload|manifest)"', tag)
    ]
    assert loads, "the page loads its style sheet at least"
    for address in loads:
        assert address.startswith("/") and not address.startswith("//"), address


def test_every_dependency_is_pinned_to_one_version():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["test"]
    assert requirements
    for requirement in requirements:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+==\d+(\.\d+)*", requirement), requirement


def test_an_editors_session_ends_after_a_working_day(editor):
    """Even with the browser left open, an unattended admin session does not last."""
    editor.get("/admin/")
    session = editor.session
    assert session.get_expire_at_browser_close()
    assert 0 < session.get_expiry_age() <= 8 * 60 * 60
