"""An editor who forgot their password resets it by e-mail from the admin's login page,
through a real SMTP server: the link is on the site's own address, the new password
works, an unknown address gets the same answer and no mail, and one address cannot ask
for more than a few an hour."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.support.pages import form_data, main, parse

pytestmark = pytest.mark.django_db(transaction=True)

RESET = reverse("admin_password_reset")
EDITOR = "sam.editor@example.org"


@pytest.fixture
def editor_account(user_factory):
    """An editor's account, made here rather than by create_editor: these tests run
    outside a transaction, and need nothing of the Editors group."""
    return user_factory(username=EDITOR, email=EDITOR, is_staff=True)


def ask_for_reset(client, email: str = EDITOR):
    form = form_data(parse(client.get(RESET)).find("form", method="post"))
    return client.post(RESET, {**form, "email": email})


def test_the_login_page_offers_a_reset(client, db):
    links = parse(client.get(reverse("admin:login"))).links()
    assert links["Forgotten your login credentials?"] == RESET


def test_an_editor_resets_a_forgotten_password_by_e_mail(editor_account, smtp_server, settings):
    settings.SITE_URL = "https://portal.example"
    client = Client()
    response = ask_for_reset(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    (message,) = smtp_server.mailbox.to(EDITOR)
    link = re.search(r"https://portal\.example(/\S+/)", message.get_content())
    assert link, message.get_content()
    # The link leads to a form for the new password.
    confirm = client.get(link.group(1), follow=True)
    assert confirm.status_code == 200
    form_url = confirm.redirect_chain[-1][0]
    new = "a brand new and long passphrase"
    done = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")
    login = reverse("admin:login")
    logged_in = Client().post(login, {"username": EDITOR, "password": new, "next": "/admin/"})
    assert logged_in.status_code == 302, logged_in.content.decode()[:500]
    # The link works once only.
    assert (
        "The password reset link was invalid"
        in client.get(link.group(1), follow=True).content.decode()
    )


def test_an_address_without_an_account_gets_the_same_answer_and_no_mail(
    editor_account, smtp_server
):
    response = ask_for_reset(Client(), "nobody@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert smtp_server.mailbox.messages == []


def test_one_address_cannot_ask_for_more_than_the_hourly_limit(
    editor_account, smtp_server, settings
):
    settings.PASSWORD_RESETS_PER_HOUR = 2
    client = Client()
    assert ask_for_reset(client).status_code == 302
    assert ask_for_reset(client).status_code == 302
    refused = ask_for_reset(client)
    assert refused.status_code == 429
    assert "password resets" in main(refused).text
    assert len(smtp_server.mailbox.to(EDITOR)) == 2


def test_with_the_mail_server_down_the_answer_is_the_same_and_not_an_error(
    editor_account, mail_settings
):
    response = ask_for_reset(Client())
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
