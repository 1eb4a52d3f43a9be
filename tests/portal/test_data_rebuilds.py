"""What a visitor to /data/ meets while its files are being made: the previous files at
once after a change, never a half-written one, and before there are any a page (or, for
a file, a plain answer) saying so with a 503 and Retry-After, never a server error."""

import csv
import io
import os
import threading
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from portal.data_files import LOCK_KEY
from tests.support import factories
from tests.support.pages import parse


@pytest.fixture(autouse=True)
def data_root(settings, tmp_path) -> Path:
    settings.DATA_FILES_ROOT = str(tmp_path / "data")
    return tmp_path / "data"


def another_process_builds() -> None:
    """Hold the lock a build in another process holds while it runs."""
    assert cache.add(LOCK_KEY, "another process", 600)


def download(client, name: str = "interventions.csv"):
    response = client.get(reverse("portal:data-file", args=[name]))
    return response, b"".join(response.streaming_content).decode() if response.streaming else ""


def slugs(text: str) -> set[str]:
    return {row["slug"] for row in csv.DictReader(io.StringIO(text))}


def builds_in_this_process() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "data-files-build"]


@pytest.mark.django_db(transaction=True)
def test_after_a_change_the_previous_files_are_served_at_once_then_the_new_ones(client):
    factories.InterventionFactory(slug="first")
    # The very first request waits for the first files.
    response, text = download(client)
    assert response.status_code == 200 and slugs(text) == {"first"}
    first = response["ETag"]
    for _ in range(5):
        assert download(client)[0]["ETag"] == first, "built once for many requests"

    factories.InterventionFactory(slug="second")
    response, text = download(client)
    # At once, the files made before the change, whole.
    assert response.status_code == 200 and response["ETag"] == first
    assert slugs(text) == {"first"}
    # Then, once the build it started is done, the new ones.
    deadline = time.monotonic() + 30
    while (response := download(client))[0]["ETag"] == first and time.monotonic() < deadline:
        time.sleep(0.1)
    assert slugs(response[1]) == {"first", "second"}
    for thread in builds_in_this_process():
        thread.join(10)
    page = parse(client.get(reverse("portal:data")))
    assert "new files are being made" not in page.text


@pytest.mark.django_db
def test_while_another_process_builds_visitors_get_the_previous_files_whole(client, data_root):
    factories.InterventionFactory(slug="before")
    call_command("build_data_files", stdout=io.StringIO())
    factories.InterventionFactory(slug="after")
    another_process_builds()
    # What that build has written so far: a file cut off mid-row.
    staging = data_root / ".building-0123456789abcdef"
    staging.mkdir()
    (staging / "interventions.csv").write_text('"name","slug"\r\n"After","aft')

    response = client.get(reverse("portal:data"))
    assert response.status_code == 200
    status = parse(response).section("The files").find("p", role="status").text
    assert status.startswith("These files were made on ")
    assert "new files are being made" in status
    # Not kept in the page cache as the page of the content as it is now.
    assert "private" in response["Cache-Control"]
    response, text = download(client)
    assert response.status_code == 200
    assert slugs(text) == {"before"}

    call_command("build_data_files", stdout=io.StringIO())
    cache.delete(LOCK_KEY)
    page = parse(client.get(reverse("portal:data")))
    assert page.section("The files").find_all("p", role="status") == []
    assert slugs(download(client)[1]) == {"before", "after"}


@pytest.mark.django_db
def test_before_the_first_files_exist_visitors_are_told_to_come_back(client, settings):
    factories.InterventionFactory()
    another_process_builds()
    started = time.monotonic()

    response = client.get(reverse("portal:data"))
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    page = parse(response)
    assert len(page.find_all("h1")) == 1
    assert "being made for the first time" in page.section("The files").text
    # What does not depend on the files is there already.
    assert "Open Government Licence v3.0" in page.section("Licence").text
    assert "interventions.csv: Interventions" in page.section("Data dictionary").text

    for name in ["interventions.csv", "catalogue.json"]:
        response, text = download(client, name)
        assert response.status_code == 503, name
        assert response["Retry-After"] == "60"
        assert "try again in a minute" in response.content.decode()
    assert client.head(reverse("portal:data-file", args=["studies.csv"])).status_code == 503
    # None of them waited for the other process's build.
    assert time.monotonic() - started < settings.DATA_FILES_WAIT_SECONDS


@pytest.mark.django_db
def test_a_build_that_fails_is_a_503_and_is_not_tried_again_by_every_request(
    client, settings, tmp_path, caplog
):
    # A data directory that cannot be made: a file is in its place.
    (tmp_path / "not-a-directory").write_text("")
    settings.DATA_FILES_ROOT = str(tmp_path / "not-a-directory")
    response = client.get(reverse("portal:data"))
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert "The data files could not be built" in caplog.text

    caplog.clear()
    started = time.monotonic()
    for _ in range(3):
        assert download(client)[0].status_code == 503
    assert "could not be built" not in caplog.text
    assert not builds_in_this_process()
    # Answered without waiting for a build that is not running.
    assert time.monotonic() - started < settings.DATA_FILES_WAIT_SECONDS


@pytest.mark.django_db
def test_what_a_killed_build_left_behind_is_removed_by_the_next(data_root, settings):
    data_root.mkdir()
    abandoned, running = data_root / ".building-aaaa", data_root / ".building-bbbb"
    for staging in (abandoned, running):
        staging.mkdir()
        (staging / "studies.csv").write_text('"intervention"\r\n')
    long_ago = time.time() - settings.DATA_FILES_BUILD_SECONDS - 60
    os.utime(abandoned, (long_ago, long_ago))
    call_command("build_data_files", stdout=io.StringIO())
    assert not abandoned.exists()
    assert running.exists()
