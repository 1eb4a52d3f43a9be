"""The API's research projects and partner organisations: each field as stored, and
published records only, to editors too."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from projects.models import DocumentKind, Status, StudyType
from tests.support.api import ids, record, walk


def site(path: str) -> str:
    return settings.SITE_URL + path


def days_ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def restart(
    project_factory,
    organisation_factory,
    intervention_factory,
    document_factory,
    research_question_factory,
):
    """A published project with partners in both roles, questions, documents, topics, a
    published and a draft intervention, and projects related to it, one a draft."""
    refuge = organisation_factory(name="Refuge", website="https://refuge.example.org/")
    safelives = organisation_factory(name="SafeLives", website="")
    greenwich = organisation_factory(name="University of Greenwich")
    studied = intervention_factory(name="Alpha Families")
    project = project_factory(
        title="Restart feasibility study",
        slug="restart",
        summary="Whether Restart can be delivered to families.",
        body="The study asks two things.\n\n- Can it be delivered?\n- Do families take part?",
        study_type=StudyType.FEASIBILITY,
        status=Status.IN_PROGRESS,
        start_date=datetime.date(2022, 6, 1),
        estimated_completion=datetime.date(2023, 4, 1),
        due_date=datetime.date(2024, 3, 31),
        topics=["Perpetrators", "Domestic abuse"],
        delivery_partners=[safelives, refuge],
        evaluation_partners=[greenwich],
        interventions=[studied, intervention_factory(published=False)],
        created=days_ago(30),
    )
    # Written out of their order.
    research_question_factory(project=project, position=2, text="Do families take part?")
    research_question_factory(project=project, position=1, text="Can it be delivered?")
    report = document_factory(
        project=project, title="Final report", kind=DocumentKind.REPORT, without_file=True
    )
    protocol = document_factory(project=project, title="Study protocol")
    curated = project_factory(title="Chosen by an editor", created=days_ago(40))
    project.related_projects.add(curated, project_factory(title="Draft", published=False))
    sharing = project_factory(title="Sharing a topic", topics=["Perpetrators"], created=days_ago(5))
    return {
        "project": project,
        "partners": {"refuge": refuge, "safelives": safelives, "greenwich": greenwich},
        "intervention": studied,
        "documents": {"protocol": protocol, "report": report},
        "related": [curated, sharing],
    }


def test_a_project_record_holds_what_is_stored(restart, visitor):
    project, partners = restart["project"], restart["partners"]
    protocol, report = restart["documents"]["protocol"], restart["documents"]["report"]
    body = record(visitor, f"/api/v1/projects/{project.pk}/")
    assert datetime.datetime.fromisoformat(body.pop("updated")) == project.updated
    for document in body["documents"]:
        document.pop("updated")
    assert body == {
        "id": project.pk,
        "slug": "restart",
        "title": "Restart feasibility study",
        "url": site("/projects/restart/"),
        "summary": "Whether Restart can be delivered to families.",
        "body": "The study asks two things.\n\n- Can it be delivered?\n- Do families take part?",
        "body_html": project.body_html,
        "study_type": {"code": "feasibility", "label": "Feasibility study"},
        "status": {"code": "in-progress", "label": "In progress"},
        # Still in progress after April 2023.
        "overdue": True,
        "start_date": "2022-06-01",
        "estimated_completion": "2023-04",
        "due_date": "2024-03-31",
        "completed_on": None,
        # Delivery partners first, each role by name.
        "partners": [
            {
                "organisation_id": partners["refuge"].pk,
                "name": "Refuge",
                "role": {"code": "delivery", "label": "Delivery partner"},
            },
            {
                "organisation_id": partners["safelives"].pk,
                "name": "SafeLives",
                "role": {"code": "delivery", "label": "Delivery partner"},
            },
            {
                "organisation_id": partners["greenwich"].pk,
                "name": "University of Greenwich",
                "role": {"code": "evaluation", "label": "Evaluation partner"},
            },
        ],
        "research_questions": ["Can it be delivered?", "Do families take part?"],
        "documents": [
            {
                "id": protocol.pk,
                "title": "Study protocol",
                "kind": {"code": "protocol", "label": "Protocol"},
                "file_type": "PDF",
                "size": protocol.file.size,
                "download_url": site(f"/projects/restart/documents/{protocol.pk}/"),
            },
            {
                "id": report.pk,
                "title": "Final report",
                "kind": {"code": "report", "label": "Report"},
                "file_type": "",
                "size": None,
                "download_url": None,
            },
        ],
        "topics": [
            {"slug": "domestic-abuse", "name": "Domestic abuse"},
            {"slug": "perpetrators", "name": "Perpetrators"},
        ],
        # Its draft intervention is left out.
        "intervention_ids": [restart["intervention"].pk],
        # The one an editor chose first, then those sharing topics; never a draft.
        "related_project_ids": [related.pk for related in restart["related"]],
    }
    assert "<li>Can it be delivered?</li>" in body["body_html"]


def test_a_documents_download_link_gives_its_file(restart, visitor):
    body = record(visitor, f"/api/v1/projects/{restart['project'].pk}/")
    response = visitor.get(body["documents"][0]["download_url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize(
    ("status", "estimated_completion", "completed_on", "overdue"),
    [
        (Status.COMPLETED, "2023-04", "2024-06", False),
        (Status.IN_PROGRESS, None, None, False),
        (Status.PAUSED, "2023-04", None, False),
        (Status.PLANNED, "2999-01", None, False),
    ],
)
def test_a_projects_dates_and_overdue_flag(
    project_factory, visitor, status, estimated_completion, completed_on, overdue
):
    project = project_factory(
        status=status,
        estimated_completion=estimated_completion
        and datetime.date.fromisoformat(estimated_completion + "-01"),
    )
    body = record(visitor, f"/api/v1/projects/{project.pk}/")
    assert (body["status"]["code"], body["estimated_completion"], body["completed_on"]) == (
        status,
        estimated_completion,
        completed_on,
    )
    assert body["overdue"] is overdue


def test_the_project_list_holds_what_the_record_does_but_related_projects(restart, visitor):
    project = restart["project"]
    listed = {each["id"]: each for each in walk(visitor, "/api/v1/projects/")}
    full = record(visitor, f"/api/v1/projects/{project.pk}/")
    assert "related_project_ids" not in listed[project.pk]
    assert listed[project.pk] == {
        name: value for name, value in full.items() if name != "related_project_ids"
    }


def test_a_draft_project_is_not_served_to_editors_either(restart, project_factory, visitor, editor):
    draft = project_factory(title="Unannounced pilot", published=False)
    for client in (visitor, editor):
        assert draft.pk not in ids(walk(client, "/api/v1/projects/"))
        response = client.get(f"/api/v1/projects/{draft.pk}/")
        assert response.status_code == 404
        assert response.json()["detail"] == "No published record has this id."


def test_a_project_record_is_found_by_its_id_after_its_slug_changed(project_factory, visitor):
    project = project_factory(slug="old-address")
    project.slug = "new-address"
    project.save()
    assert record(visitor, f"/api/v1/projects/{project.pk}/")["url"] == site(
        "/projects/new-address/"
    )


def test_an_organisation_record_lists_its_published_projects_by_role(
    organisation_factory, project_factory, visitor
):
    refuge = organisation_factory(name="Refuge", website="https://refuge.example.org/")
    # Made out of the order they are listed in: by role, then newest first.
    older = project_factory(title="Older", delivery_partners=[refuge], created=days_ago(9))
    evaluated = project_factory(title="Evaluated", evaluation_partners=[refuge])
    newer = project_factory(title="Newer", delivery_partners=[refuge], created=days_ago(2))
    both = project_factory(
        title="Both", delivery_partners=[refuge], evaluation_partners=[refuge], created=days_ago(5)
    )
    project_factory(title="Draft", delivery_partners=[refuge], published=False)
    delivery = {"code": "delivery", "label": "Delivery partner"}
    evaluation = {"code": "evaluation", "label": "Evaluation partner"}
    assert record(visitor, f"/api/v1/organisations/{refuge.pk}/") == {
        "id": refuge.pk,
        "slug": "refuge",
        "name": "Refuge",
        "url": site("/partners/refuge/"),
        "website": "https://refuge.example.org/",
        "projects": [
            {"project_id": newer.pk, "role": delivery},
            {"project_id": both.pk, "role": delivery},
            {"project_id": older.pk, "role": delivery},
            {"project_id": evaluated.pk, "role": evaluation},
            {"project_id": both.pk, "role": evaluation},
        ],
    }


def test_the_organisation_list_is_of_partners_of_published_projects_by_name(
    organisation_factory, project_factory, visitor, editor
):
    zeta = organisation_factory(name="Zeta Trust")
    alpha = organisation_factory(name="Alpha Trust")
    hidden = organisation_factory(name="Partner of drafts only")
    mixed = organisation_factory(name="Mixed Partners")
    organisation_factory(name="Partner of nothing")
    project_factory(delivery_partners=[zeta, mixed])
    project_factory(evaluation_partners=[alpha])
    draft = project_factory(delivery_partners=[hidden, mixed], published=False)
    for client in (visitor, editor):
        listed = walk(client, "/api/v1/organisations/")
        assert [each["name"] for each in listed] == ["Alpha Trust", "Mixed Partners", "Zeta Trust"]
        mixed_projects = next(each for each in listed if each["id"] == mixed.pk)["projects"]
        assert draft.pk not in [each["project_id"] for each in mixed_projects]
        response = client.get(f"/api/v1/organisations/{hidden.pk}/")
        assert response.status_code == 404
        assert response.json()["detail"] == "No published record has this id."
