"""InterventionQuerySet.cards(): a page of results by their ids in one query, each card
with the outcomes and other clearinghouses' ratings for_cards() prefetches, on either
database."""

import pytest

from catalogue.models import Intervention
from ratings.crosswalk import Clearinghouse
from tests.support.factories import ExternalRatingFactory
from tests.support.records import values


@pytest.fixture
def found(intervention_factory, child_outcome_factory):
    reading = child_outcome_factory(name="Reading", position=2)
    behaviour = child_outcome_factory(name="Behaviour", position=1)
    crime = child_outcome_factory(name="Crime", position=1)
    rated = intervention_factory(
        name="Rated", evidence_rating=40, outcomes=[reading, behaviour, crime]
    )
    ExternalRatingFactory(
        intervention=rated, clearinghouse=Clearinghouse.WWC, rating="No discernible effects"
    )
    ExternalRatingFactory(intervention=rated, clearinghouse=Clearinghouse.CEBC)
    bare = intervention_factory(name="Bare")
    return [bare, rated]


def test_the_cards_hold_what_for_cards_loads_in_the_order_of_the_ids(
    found, django_assert_num_queries
):
    ids = [record.pk for record in found]
    expected = Intervention.objects.for_cards().in_bulk(ids)

    with django_assert_num_queries(1):
        cards = Intervention.objects.cards(ids)
        outcomes = [[outcome.name for outcome in card.card_outcomes] for card in cards]
        differ = [card.rated_differently() for card in cards]

    assert [card.pk for card in cards] == ids
    assert [values(card) for card in cards] == [values(expected[pk]) for pk in ids]
    assert outcomes == [[], ["Behaviour", "Crime", "Reading"]]
    assert outcomes == [[o.name for o in expected[pk].card_outcomes] for pk in ids]
    assert differ == [expected[pk].rated_differently() for pk in ids] == [False, True]
    assert {"description", "delivery"} <= cards[1].get_deferred_fields()


def test_an_id_no_longer_there_is_left_out(found):
    gone = found[0].pk
    Intervention.objects.filter(pk=gone).delete()
    assert [card.name for card in Intervention.objects.cards([gone, found[1].pk])] == ["Rated"]
