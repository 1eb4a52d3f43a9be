"""ProjectQuerySet.page(): the project and everything its page shows in one query, the
same records, values and order as the ORM's prefetches give, on either database."""

import pytest
from django.db.models import Prefetch

from catalogue.models import Intervention
from projects.models import Partnership, Project, Role
from tests.support.records import values


def as_prefetched(slug: str) -> Project:
    """The project as the ORM's prefetches load it."""
    return (
        Project.objects.published()
        .prefetch_related(
            "topics",
            "research_questions",
            "documents",
            Prefetch("interventions", queryset=Intervention.objects.published()),
            Prefetch("partnerships", queryset=Partnership.objects.select_related("organisation")),
        )
        .get(slug=slug)
    )


@pytest.fixture
def project(
    project_factory,
    organisation_factory,
    research_question_factory,
    document_factory,
    intervention_factory,
):
    subject = project_factory(title="Subject", topics=["Domestic abuse", "Attachment"])
    refuge, lives = organisation_factory(name="Refuge"), organisation_factory(name="Family Lives")
    subject.partnerships.create(organisation=refuge, role=Role.DELIVERY)
    subject.partnerships.create(organisation=lives, role=Role.DELIVERY)
    subject.partnerships.create(organisation=refuge, role=Role.EVALUATION)
    for position in (2, 1):
        research_question_factory(project=subject, position=position)
    document_factory(project=subject, title="Protocol")
    document_factory(project=subject, title="Another", without_file=True)
    subject.interventions.add(
        intervention_factory(name="Zebra"),
        intervention_factory(name="Aardvark"),
        intervention_factory(name="Draft", published=False),
    )
    return subject


def test_the_page_query_gives_what_the_prefetches_give(project, django_assert_num_queries):
    expected = as_prefetched(project.slug)

    with django_assert_num_queries(1):
        page = Project.objects.page(project.slug, drafts=False)
        topics = list(page.topics.all())
        questions = list(page.research_questions.all())
        documents = list(page.documents.all())
        partnerships = list(page.partnerships.all())
        organisations = [partnership.organisation for partnership in partnerships]
        studied = [(i.pk, i.name, i.slug) for i in page.interventions.all()]
        urls = [document.get_absolute_url() for document in documents]

    assert values(page) == values(expected)
    assert [values(t) for t in topics] == [values(t) for t in expected.topics.all()]
    assert [values(q) for q in questions] == [values(q) for q in expected.research_questions.all()]
    assert [values(d) for d in documents] == [values(d) for d in expected.documents.all()]
    assert [values(p) for p in partnerships] == [values(p) for p in expected.partnerships.all()]
    assert [values(o) for o in organisations] == [
        values(p.organisation) for p in expected.partnerships.all()
    ]
    assert studied == [(i.pk, i.name, i.slug) for i in expected.interventions.all()]
    assert [name for _, name, _ in studied] == ["Aardvark", "Zebra"]
    assert urls == [document.get_absolute_url() for document in expected.documents.all()]
    assert [topic.name for topic in topics] == ["Attachment", "Domestic abuse"]


def test_the_page_query_finds_no_draft_unless_asked(project_factory):
    draft = project_factory(published=False)
    with pytest.raises(Project.DoesNotExist):
        Project.objects.page(draft.slug, drafts=False)
    assert Project.objects.page(draft.slug, drafts=True) == draft
