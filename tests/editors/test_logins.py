"""Admin logins: repeated failures for one account or from one address are throttled with a
clear message, and the admin's address can be moved with an environment variable."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from core.clients import client_ip
from tests.support.factories import EDITOR_PASSWORD
from tests.support.pages import form_data, main, parse

LOCKED_OUT = "Too many failed logins"


def log_in(username: str, password: str, address: str = "192.0.2.1"):
    """Fill in and submit the admin's login form from a fresh browser at address."""
    client = Client(REMOTE_ADDR=address)
    url = reverse("admin:login") + "?next=" + reverse("admin:index")
    data = form_data(parse(client.get(url)).find("form", id="login-form"))
    data.update(username=username, password=password)
    return client.post(url, data)


def is_logged_in(response) -> bool:
    return "_auth_user_id" in response.client.session


def fail_logins(attempts: list[tuple[str, str]]) -> None:
    """Fail to log in as each (username, address), none of them throttled yet."""
    for number, (username, address) in enumerate(attempts, start=1):
        response = log_in(username, "not the password", address)
        assert response.status_code == 200, f"attempt {number} was throttled too early"
        assert "Please enter the correct username and password" in response.content.decode()


@pytest.fixture
def username(editor_account) -> str:
    return editor_account.username


def test_right_password_logs_in(username):
    response = log_in(username, EDITOR_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert is_logged_in(response)


def test_a_login_before_the_limit_works_and_clears_the_failures(username):
    limit = settings.AXES_FAILURE_LIMIT
    fail_logins([(username, f"192.0.2.{n}") for n in range(10, 9 + limit)])
    response = log_in(username, EDITOR_PASSWORD, "192.0.2.200")
    assert response.status_code == 302
    assert is_logged_in(response)
    # The count starts again after a success.
    fail_logins([(username, f"192.0.2.{n}") for n in range(10, 9 + limit)])


def test_failures_for_one_account_from_one_address_lock_that_account_there(username):
    limit = settings.AXES_FAILURE_LIMIT
    fail_logins([(username, "198.51.100.9")] * (limit - 1))
    assert log_in(username, "not the password", "198.51.100.9").status_code == 429

    # Even the right password is refused from there.
    response = log_in(username, EDITOR_PASSWORD, "198.51.100.9")
    assert response.status_code == 429
    assert not is_logged_in(response)
    page = main(response)
    assert page.find("h1").text == LOCKED_OUT
    assert [p for p in page.find_all("p") if not p.has_class("print-only")][0].text == (
        f"Logging in is paused for this account and from this address after {limit} failed "
        "attempts. Try again in 15 minutes, or ask another editor to reset your password."
    )
    # From the editor's own address the account is not locked.
    elsewhere = log_in(username, EDITOR_PASSWORD, "192.0.2.77")
    assert elsewhere.status_code == 302
    assert is_logged_in(elsewhere)


def test_failures_for_an_account_from_many_addresses_do_not_lock_out_its_editor(username):
    """Anyone may type an editor's address into the login form: that must not lock them out."""
    limit = settings.AXES_FAILURE_LIMIT
    fail_logins([(username, f"198.51.100.{n}") for n in range(1, 2 * limit)])
    response = log_in(username, EDITOR_PASSWORD, "192.0.2.77")
    assert response.status_code == 302
    assert is_logged_in(response)


def test_failures_for_made_up_accounts_do_not_lock_out_a_real_one(username):
    limit = settings.AXES_FAILURE_LIMIT
    fail_logins([(f"guess{n}@example.org", "203.0.113.50") for n in range(1, 2 * limit)])
    response = log_in(username, EDITOR_PASSWORD, "192.0.2.77")
    assert response.status_code == 302


def log_in_through_the_proxy(username: str, password: str, forwarded: str):
    """Log in as a browser behind the proxy does: every request comes from the proxy's
    address, with the visitor's address appended to X-Forwarded-For."""
    client = Client(REMOTE_ADDR="127.0.0.1", headers={"x-forwarded-for": forwarded})
    url = reverse("admin:login") + "?next=" + reverse("admin:index")
    data = form_data(parse(client.get(url)).find("form", id="login-form"))
    return client.post(url, {**data, "username": username, "password": password})


def test_behind_the_proxy_an_attackers_failures_lock_only_the_attacker(username, settings):
    settings.PROXY_COUNT = 1
    limit = settings.AXES_FAILURE_LIMIT
    for number in range(limit):
        # The attacker writes a new address of their own each time; the proxy appends theirs.
        attempt = log_in_through_the_proxy(username, "nope", f"10.9.8.{number}, 203.0.113.66")
        assert attempt.status_code == (429 if number == limit - 1 else 200)
    locked = log_in_through_the_proxy(username, EDITOR_PASSWORD, "10.0.0.1, 203.0.113.66")
    assert locked.status_code == 429

    editor = log_in_through_the_proxy(username, EDITOR_PASSWORD, "192.0.2.44")
    assert editor.status_code == 302
    assert is_logged_in(editor)


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.66", "127.0.0.1"),
        (1, "203.0.113.66", "203.0.113.66"),
        (1, "10.0.0.1, 203.0.113.66", "203.0.113.66"),
        (2, "10.0.0.1, 203.0.113.66, 192.0.2.1", "203.0.113.66"),
        (2, "203.0.113.66", "127.0.0.1"),
        (1, "not an address", "127.0.0.1"),
        (1, "", "127.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_visitors_address_is_read_from_the_proxies_own_entries(
    count, forwarded, expected, settings, rf
):
    settings.PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def run_with_admin_url(value: str, code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_ADMIN_URL": value}
    return subprocess.run(
        [sys.executable, "-c", f"import django\ndjango.setup()\n{code}"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_admin_url_moves_with_the_environment_variable():
    result = run_with_admin_url(
        "editors-desk/",
        "from django.urls import Resolver404, resolve, reverse\n"
        "print(reverse('admin:index'))\n"
        "print(reverse('admin:login'))\n"
        "try:\n"
        "    resolve('/admin/')\n"
        "except Resolver404:\n"
        "    print('no admin at /admin/')\n",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "/editors-desk/",
        "/editors-desk/login/",
        "no admin at /admin/",
    ]


@pytest.mark.parametrize("value", ["/x", "/editors-desk/", "editors-desk"])
def test_a_bad_admin_url_stops_the_start_naming_the_variable(value):
    result = run_with_admin_url(value, "print('started')")
    assert result.returncode != 0
    assert "started" not in result.stdout
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured:")
    assert "DJANGO_ADMIN_URL" in last_line
