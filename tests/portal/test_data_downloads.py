import csv
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from ratings.scales import EvidenceRating
from tests.support import factories


@pytest.fixture(autouse=True)
def data_root(settings, tmp_path):
    settings.DATA_FILES_ROOT = str(tmp_path / "data")


def download(client, name: str):
    response = client.get(reverse("portal:data-file", args=[name]))
    return response, b"".join(response.streaming_content).decode()


@pytest.mark.django_db
def test_data_page_lists_every_file_with_licence_and_citation(client):
    response = client.get(reverse("portal:data"))
    text = response.content.decode()
    for name in ["interventions.csv", "studies.csv", "projects.csv", "organisations.csv",
                 "external-ratings.csv", "catalogue.json"]:  # fmt: skip
        assert name in text
    assert "Open Government Licence v3.0" in text
    assert "How to cite it" in text
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)[1]
    )
    assert data["@type"] == "Dataset"
    assert {file["name"] for file in data["distribution"]} >= {"catalogue.json", "studies.csv"}


@pytest.mark.django_db
def test_files_hold_published_records_only_nl2_and_ne_included(client):
    factories.InterventionFactory(slug="shown")
    factories.InterventionFactory(slug="weak", evidence_rating=EvidenceRating.BELOW_LEVEL_2)
    factories.InterventionFactory(slug="draft", published=False)
    response, text = download(client, "interventions.csv")
    assert response["Content-Disposition"] == 'attachment; filename="interventions.csv"'
    slugs = {row["slug"] for row in csv.DictReader(io.StringIO(text))}
    assert slugs == {"shown", "weak"}
    catalogue = json.loads(download(client, "catalogue.json")[1])
    assert {record["slug"] for record in catalogue["interventions"]} == {"shown", "weak"}


@pytest.mark.django_db
def test_unknown_file_is_404(client):
    assert client.get(reverse("portal:data-file", args=["secrets.csv"])).status_code == 404


@pytest.mark.django_db
def test_files_are_built_once_for_many_requests_and_again_after_a_change(client, monkeypatch):
    from portal import data_files

    builds = []
    real = data_files.build_data_files
    monkeypatch.setattr(data_files, "build_data_files", lambda v=None: builds.append(v) or real(v))
    factories.InterventionFactory(slug="first")
    for _ in range(10):
        download(client, "interventions.csv")
    assert len(builds) == 1
    factories.InterventionFactory(slug="second")
    assert "second" in download(client, "interventions.csv")[1]
    assert len(builds) == 2


@pytest.mark.django_db
def test_interventions_csv_imports_back_unchanged(client, tmp_path):
    factories.InterventionFactory(slug="round-trip")
    path = tmp_path / "interventions.csv"
    path.write_text(download(client, "interventions.csv")[1], newline="")
    out = io.StringIO()
    call_command("import_interventions", str(path), "--dry-run", stdout=out)
    assert "would create 0" in out.getvalue().lower() or "no change" in out.getvalue().lower()
