"""The API's OpenAPI document is valid OpenAPI 3 and describes every endpoint and every
parameter of the guidebook the intervention list takes."""

import json

import pytest
from openapi_spec_validator import validate

from catalogue.filters import GuidebookFilter

ENDPOINTS = ["interventions", "studies", "findings", "outcomes", "projects", "organisations"]


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_document_is_valid_openapi_3(document):
    validate(document)
    assert document["openapi"].startswith("3.")


def test_the_document_describes_every_list_and_record(document):
    paths = document["paths"]
    for endpoint in [*ENDPOINTS, "review-items"]:
        assert f"/api/v1/{endpoint}/" in paths
        assert f"/api/v1/{endpoint}/{{id}}/" in paths
    assert "/api/v1/interventions/{id}/history/" in paths


def test_the_intervention_list_takes_the_guidebooks_parameters(document):
    described = {
        parameter["name"]
        for parameter in document["paths"]["/api/v1/interventions/"]["get"]["parameters"]
    }
    expected = set(GuidebookFilter.base_filters) - {"format"}
    assert expected <= described
    assert {"cursor", "page_size"} <= described
