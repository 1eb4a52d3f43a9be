"""Configuration from the environment: bad values stop the start, production settings pass."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from config import settings as project_settings
from tests.support.pages import parse

CONFIG_VARIABLES = [
    "DATABASE_URL",
    "DJANGO_SECRET_KEY",
    "DJANGO_DEBUG",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    "REDIS_URL",
    "DJANGO_CONN_MAX_AGE",
    "DJANGO_ADMIN_URL",
    "DJANGO_SECURE_SSL_REDIRECT",
    "DJANGO_BEHIND_TLS_PROXY",
    "DJANGO_HSTS_SECONDS",
    "DJANGO_SITE_URL",
    "DJANGO_REDIS_TIMEOUT",
    "DJANGO_REDIS_RETRY_SECONDS",
    "DJANGO_PROXY_COUNT",
    "DJANGO_EXPORTS_PER_MINUTE",
    "DJANGO_EXPORTS_AT_ONCE",
    "DJANGO_SEARCHES_PER_MINUTE",
]
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
    "DJANGO_ALLOWED_HOSTS": "example.org",
}


def run(args: list[str], **environment: str) -> subprocess.CompletedProcess:
    """Run args in the project directory with only the given configuration variables set."""
    env = {name: value for name, value in os.environ.items() if name not in CONFIG_VARIABLES}
    # The browser tests let Django's ORM run beside Playwright's event loop; no deployment may.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(environment)
    return subprocess.run(
        args, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def import_settings(**environment: str) -> subprocess.CompletedProcess:
    return run([sys.executable, "-c", "import config.settings"], **environment)


def test_settings_load_with_no_configuration():
    result = import_settings()
    assert result.returncode == 0, result.stderr


def test_settings_load_with_production_configuration():
    result = import_settings(
        **PRODUCTION,
        DATABASE_URL="postgres://portal@db.example.org:5432/portal",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://example.org",
        REDIS_URL="redis://cache.example.org:6379/0",
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("environment", "named"),
    [
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG"),
        ({"DATABASE_URL": "nonsense://x"}, "DATABASE_URL"),
        ({"DJANGO_CSRF_TRUSTED_ORIGINS": "example.org"}, "DJANGO_CSRF_TRUSTED_ORIGINS"),
        ({"DJANGO_DEBUG": "false", "DJANGO_ALLOWED_HOSTS": "example.org"}, "DJANGO_SECRET_KEY"),
        (
            {
                "DJANGO_DEBUG": "false",
                "DJANGO_SECRET_KEY": project_settings.DEVELOPMENT_SECRET_KEY,
                "DJANGO_ALLOWED_HOSTS": "example.org",
            },
            "DJANGO_SECRET_KEY",
        ),
        (
            {
                "DJANGO_DEBUG": "false",
                "DJANGO_SECRET_KEY": "short",
                "DJANGO_ALLOWED_HOSTS": "example.org",
            },
            "DJANGO_SECRET_KEY",
        ),
        (
            {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": PRODUCTION["DJANGO_SECRET_KEY"]},
            "DJANGO_ALLOWED_HOSTS",
        ),
        ({"REDIS_URL": "cache.example.org:6379"}, "REDIS_URL"),
        ({"DJANGO_CONN_MAX_AGE": "a minute"}, "DJANGO_CONN_MAX_AGE"),
        ({"DJANGO_ADMIN_URL": "/editors"}, "DJANGO_ADMIN_URL"),
        ({**PRODUCTION, "DJANGO_SITE_URL": "https://elsewhere.example"}, "DJANGO_SITE_URL"),
        ({"DJANGO_SITE_URL": "evidence.example.org"}, "DJANGO_SITE_URL"),
        ({"DJANGO_REDIS_TIMEOUT": "soon"}, "DJANGO_REDIS_TIMEOUT"),
        ({"DJANGO_PROXY_COUNT": "-1"}, "DJANGO_PROXY_COUNT"),
        ({"DJANGO_EXPORTS_PER_MINUTE": "lots"}, "DJANGO_EXPORTS_PER_MINUTE"),
    ],
    ids=lambda value: (
        "-".join(f"{k}={v[:12]}" for k, v in value.items()) if isinstance(value, dict) else value
    ),
)
def test_bad_value_stops_the_start_naming_the_variable(environment, named):
    result = import_settings(**environment)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured:")
    assert named in last_line


def test_deploy_check_reports_nothing_in_production():
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_fails_in_development_settings():
    # The check is only meaningful if it can fail: with DEBUG on it must complain.
    result = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode != 0
    assert "DEBUG" in result.stderr + result.stdout


@pytest.fixture(scope="module")
def collected_once(tmp_path_factory):
    """Collect static files as production does, with compressed, hashed copies: once, as
    compressing Swagger UI's and Redoc's bundles takes a minute or more."""
    root = tmp_path_factory.mktemp("collected")
    with override_settings(STATIC_ROOT=root, STORAGES=project_settings.STORAGES):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def collected(settings, collected_once):
    """The collected files, as production's settings read them."""
    settings.STATIC_ROOT = collected_once
    settings.STORAGES = project_settings.STORAGES
    return collected_once


def test_collectstatic_writes_hashed_and_compressed_css(collected):
    hashed = [
        path
        for path in (collected / "css").iterdir()
        if re.fullmatch(r"site\.[0-9a-f]{12}\.css", path.name)
    ]
    assert len(hashed) == 1
    assert (collected / "css" / f"{hashed[0].name}.gz").is_file()
    assert (collected / "staticfiles.json").is_file()


def test_pages_link_hashed_css_that_whitenoise_serves_compressed(collected, db):
    client = Client()  # A new client loads the middleware, so whitenoise reads the new files.
    stylesheet = (
        parse(client.get(reverse("portal:home"))).find("link", rel="stylesheet").attrs["href"]
    )
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", stylesheet)
    response = client.get(stylesheet, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert response["Content-Encoding"] == "gzip"
    assert body[:2] == b"\x1f\x8b"
    assert "immutable" in response["Cache-Control"]


def test_the_api_docs_load_the_sidecars_collected_files_with_debug_off(collected, db, settings):
    settings.DEBUG = False
    client = Client()
    page = parse(client.get(reverse("api:docs")))
    assets = [node.attrs["src"] for node in page.find_all("script") if "src" in node.attrs] + [
        node.attrs["href"] for node in page.find_all("link", rel="stylesheet")
    ]
    # Swagger UI's own files, from the site rather than a CDN, by their hashed names.
    sidecar = {
        re.sub(r"\.[0-9a-f]{12}\.", ".", asset.rsplit("/", 1)[1])
        for asset in assets
        if asset.startswith("/static/drf_spectacular_sidecar/swagger-ui-dist/")
    }
    assert sidecar == {"swagger-ui-bundle.js", "swagger-ui.css"}
    for asset in assets:
        assert re.fullmatch(r"/static/.+\.[0-9a-f]{12}\.(js|css)", asset), asset
        response = client.get(asset)
        assert response.status_code == 200, asset
        body = b"".join(response.streaming_content)
        # A source map a file names is collected under the name the manifest gave it.
        for source_map in re.findall(rb"sourceMappingURL=([\w.-]+)", body):
            address = asset.rsplit("/", 1)[0] + "/" + source_map.decode()
            found = client.get(address)
            found.close()
            assert found.status_code == 200, address


def test_pages_and_favicon_ico_lead_to_the_sites_icon(collected, db):
    client = Client()
    icon = parse(client.get(reverse("portal:home"))).find("link", rel="icon").attrs["href"]
    assert re.fullmatch(r"/static/favicon\.[0-9a-f]{12}\.svg", icon)
    # Browsers and crawlers ask for /favicon.ico whatever the page links to.
    redirect = client.get("/favicon.ico")
    assert redirect.status_code == 302
    assert redirect["Location"] == icon
    response = client.get(icon)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(response.streaming_content)
