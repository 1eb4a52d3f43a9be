"""An editor's browser against a running site, over real HTTP: cookies kept, forms read
from the page and sent back as a browser sends them, files uploaded as multipart."""

import http.cookiejar
import secrets
import urllib.error
import urllib.parse
import urllib.request

from tests.support.pages import Node, form_data, parse
from tests.support.servers import KeepRedirects, Reply


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), KeepRedirects
        )

    def open(
        self, path: str, data: dict | None = None, files: dict[str, tuple[str, bytes]] | None = None
    ) -> Reply:
        """The answer to one request, a redirect included, whatever its status."""
        headers = {}
        body = None
        if files:
            body, headers["Content-Type"] = multipart(data or {}, files)
        elif data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            return Reply(response.status, response.headers, response.read().decode())

    def follow(self, reply: Reply) -> Reply:
        """The page a redirect leads to."""
        assert reply.status == 302, (reply.status, reply.text[:2000])
        return self.open(urllib.parse.urlsplit(reply.headers["Location"]).path)

    def form(self, path: str, form_id: str) -> dict:
        """What the form with that id on the page would submit, unchanged."""
        reply = self.open(path)
        assert reply.status == 200, (path, reply.status)
        return form_data(parse(reply.text).find("form", id=form_id))

    def log_in(self, admin: str, username: str, password: str) -> None:
        login = parse(self.open(f"{admin}login/").text).find("form", id="login-form")
        reply = self.open(
            f"{admin}login/", {**form_data(login), "username": username, "password": password}
        )
        assert reply.status == 302, f"the login was refused: {page_errors(parse(reply.text))}"


def page_errors(page: Node) -> list[str]:
    """The errors and messages an editor reads on an admin page."""
    return [
        item.text
        for box in [
            *page.find_all("ul", class_="errorlist"),
            *page.find_all("p", class_="errornote"),
        ]
        for item in (box.find_all("li") or [box])
    ]


def multipart(fields: dict, files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body, as a browser sends a form with a file."""
    boundary = secrets.token_hex(16)
    parts = []
    for name, values in fields.items():
        for value in values if isinstance(values, list) else [values]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
