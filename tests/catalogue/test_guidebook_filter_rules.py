"""Each rule of the guidebook's query contract shown on a few named interventions: which
entries a filter leaves out, and the exact order of each sort."""

from tests.support.factories import FindingFactory, StudyFactory
from tests.support.guidebook import exported_slugs


def test_nl2_and_ne_appear_only_when_evidence_names_them(intervention_factory, visitor):
    intervention_factory(name="Rated three", evidence_rating=30)
    intervention_factory(name="Below level two", slug="below", evidence_rating=10)
    intervention_factory(name="Not effective", slug="ne", evidence_rating=5)
    intervention_factory(name="Not yet rated", evidence_rating=None)
    assert exported_slugs(visitor) == ["not-yet-rated", "rated-three"]
    assert exported_slugs(visitor, "min_evidence=2") == ["rated-three"]
    assert exported_slugs(visitor, "cost=3") == ["not-yet-rated", "rated-three"]
    assert exported_slugs(visitor, "evidence=nl2") == ["below"]
    assert exported_slugs(visitor, "evidence=ne&evidence=3") == ["ne", "rated-three"]


def test_min_evidence_and_max_cost_leave_out_entries_without_a_level(intervention_factory, visitor):
    intervention_factory(name="Rated", evidence_rating=20, cost_rating=1)
    intervention_factory(name="Unrated", evidence_rating=None, cost_rating=None)
    intervention_factory(name="Cost not applicable", evidence_rating=45, cost_rating=9)
    assert exported_slugs(visitor, "min_evidence=2") == ["cost-not-applicable", "rated"]
    assert exported_slugs(visitor, "max_cost=5") == ["rated"]
    assert exported_slugs(visitor, "cost=na") == ["cost-not-applicable"]


def test_codes_typed_in_capitals_mean_the_same_as_lower_case(intervention_factory, visitor):
    intervention_factory(name="Cost not applicable", evidence_rating=10, cost_rating=9)
    intervention_factory(name="Cheap", evidence_rating=20, cost_rating=1)
    assert exported_slugs(visitor, "cost=NA&evidence=NL2") == ["cost-not-applicable"]
    assert exported_slugs(visitor, "max_cost=1") == exported_slugs(visitor, "max_cost=%201")


def test_strongest_first_puts_unrated_last_and_breaks_ties_by_name(intervention_factory, visitor):
    for name, rating, mixed in [
        ("Unrated", None, False),
        ("Bravo three", 30, False),
        ("Two", 20, False),
        ("Four plus", 45, False),
        ("Alpha three", 30, True),
        ("Three plus", 35, False),
        ("Below two", 10, False),
        ("Not effective", 5, False),
    ]:
        intervention_factory(name=name, evidence_rating=rating, mixed_findings=mixed)
    assert exported_slugs(visitor, "sort=-evidence") == [
        "four-plus",
        "three-plus",
        "alpha-three",
        "bravo-three",
        "two",
        "unrated",
    ]
    assert exported_slugs(visitor, "sort=-evidence&evidence=2&evidence=nl2&evidence=ne") == [
        "two",
        "below-two",
        "not-effective",
    ]


def test_cheapest_first_puts_not_applicable_then_unrated_last(intervention_factory, visitor):
    for name, cost in [
        ("Unrated", None),
        ("Not applicable", 9),
        ("Bravo two", 2),
        ("Five", 5),
        ("Alpha two", 2),
        ("One", 1),
    ]:
        intervention_factory(name=name, cost_rating=cost)
    assert exported_slugs(visitor, "sort=cost") == [
        "one",
        "alpha-two",
        "bravo-two",
        "five",
        "not-applicable",
        "unrated",
    ]


def test_name_order_is_the_default(intervention_factory, visitor):
    for name in ["Charlie", "Alpha", "Bravo"]:
        intervention_factory(name=name)
    assert exported_slugs(visitor) == ["alpha", "bravo", "charlie"]
    assert exported_slugs(visitor, "sort=name") == ["alpha", "bravo", "charlie"]


def test_search_needs_every_word_in_any_of_name_summary_description_or_provider(
    intervention_factory, visitor
):
    intervention_factory(name="Family Nurse Partnership", summary="Home visits.")
    intervention_factory(name="Incredible Years", summary="A group for parents.")
    intervention_factory(name="Mentoring", description="Run by a family charity.")
    intervention_factory(name="Safe Steps", provider="Family Action")
    assert exported_slugs(visitor, "q=family") == [
        "family-nurse-partnership",
        "mentoring",
        "safe-steps",
    ]
    assert exported_slugs(visitor, "q=family+HOME") == ["family-nurse-partnership"]
    assert exported_slugs(visitor, "q=parents+group") == ["incredible-years"]
    assert exported_slugs(visitor, "q=family+parents") == []


def test_uk_tested_follows_the_counting_studies_once_there_are_studies(
    intervention_factory, visitor
):
    """An editor's flag holds until the intervention has studies; then a counting UK
    study decides, whatever the flag said."""
    intervention_factory(name="Flag alone", uk_tested=True)
    intervention_factory(name="Not flagged", uk_tested=False)
    american = intervention_factory(name="American study", uk_tested=True)
    StudyFactory(intervention=american, country="United States")
    welsh = intervention_factory(name="Welsh study", uk_tested=False)
    StudyFactory(intervention=welsh, country=" wales ")
    uncounted = intervention_factory(name="Uncounted UK study", uk_tested=True)
    StudyFactory(intervention=uncounted, country="England", counts_towards_rating=False)
    assert exported_slugs(visitor, "uk_tested=yes") == ["flag-alone", "welsh-study"]


def test_study_filters_read_only_counting_studies_but_long_term_reads_every_study(
    intervention_factory, visitor
):
    counting = intervention_factory(name="Counting")
    StudyFactory(intervention=counting, design="qed", independent=True, ethnicity="Mixed")
    other = intervention_factory(name="Not counting")
    study = StudyFactory(
        intervention=other,
        design="qed",
        independent=True,
        ethnicity="Mixed",
        counts_towards_rating=False,
    )
    FindingFactory(study=study, direction="favourable", months_after_end=12)
    short = intervention_factory(name="Short term")
    FindingFactory(
        study=StudyFactory(intervention=short), direction="favourable", months_after_end=11
    )
    against = intervention_factory(name="Unfavourable")
    FindingFactory(
        study=StudyFactory(intervention=against), direction="unfavourable", months_after_end=24
    )
    for query in ("design=qed", "independent=yes", "ethnicity_reported=yes"):
        assert exported_slugs(visitor, query) == ["counting"], query
    assert exported_slugs(visitor, "long_term=yes") == ["not-counting"]
