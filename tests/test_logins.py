"""Admin logins: repeated failures for one account or from one address are throttled with a
clear message, and the admin's address can be moved with an environment variable."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import EDITOR_PASSWORD
from tests.pages import form_data, main, parse

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


def test_failures_for_one_account_from_many_addresses_lock_the_account(username):
    limit = settings.AXES_FAILURE_LIMIT
    fail_logins([(username, f"198.51.100.{n}") for n in range(1, limit)])
    last = log_in(username, "not the password", "198.51.100.99")
    assert last.status_code == 429

    # Even the right password, from an address that never failed, is refused.
    response = log_in(username, EDITOR_PASSWORD, "203.0.113.7")
    assert response.status_code == 429
    assert not is_logged_in(response)
    page = main(response)
    assert page.find("h1").text == LOCKED_OUT
    assert [p for p in page.find_all("p") if not p.has_class("print-only")][0].text == (
        f"Logging in is paused for this account and from this address after {limit} failed "
        "attempts. Try again in 15 minutes, or ask another editor to reset your password."
    )


def test_failures_from_one_address_for_many_accounts_lock_the_address(
    username, editor_account_factory
):
    limit = settings.AXES_FAILURE_LIMIT
    fail_logins([(f"guess{n}@example.org", "203.0.113.50") for n in range(1, limit)])
    assert log_in("guess-last@example.org", "nope", "203.0.113.50").status_code == 429

    response = log_in(username, EDITOR_PASSWORD, "203.0.113.50")
    assert response.status_code == 429
    assert LOCKED_OUT in response.content.decode()
    assert not is_logged_in(response)
    # The account itself is not locked: from elsewhere its editor logs in.
    elsewhere = log_in(username, EDITOR_PASSWORD, "192.0.2.77")
    assert elsewhere.status_code == 302
    assert is_logged_in(elsewhere)


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
