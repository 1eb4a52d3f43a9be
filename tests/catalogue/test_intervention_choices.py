"""Who an intervention is for and how it is delivered: four fixed vocabularies as enums,
whose codes are what the database and the CSV hold, and whose labels the pages show."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalogue.models import AgeGroup, DeliveryModel, Intervention, LevelOfNeed, Setting
from catalogue.services import import_interventions
from catalogue.spreadsheet import LIST_COLUMNS
from tests.catalogue.test_import_interventions import FULL_HEADER
from tests.support.admin_pages import open_form
from tests.support.pages import parse

# The codes stored in every database and written in every CSV so far: never to change.
STORED_CODES = {
    AgeGroup: ["prenatal", "0-2", "3-5", "6-11", "12-18", "18-25"],
    LevelOfNeed: ["universal", "targeted-selected", "targeted-indicated"],
    DeliveryModel: ["individual", "group", "family", "online"],
    Setting: [
        "home",
        "early-years",
        "school",
        "community",
        "health",
        "social-care",
        "youth-justice",
    ],
}
FIELDS = {
    AgeGroup: "age_groups",
    LevelOfNeed: "level_of_need",
    DeliveryModel: "delivery_model",
    Setting: "setting",
}


@pytest.mark.parametrize("choices", STORED_CODES, ids=lambda choices: choices.__name__)
def test_each_vocabulary_keeps_its_stored_codes_in_order(choices):
    assert choices.values == STORED_CODES[choices]


def test_labels_are_the_words_the_pages_have_always_shown():
    assert AgeGroup("0-2").label == "Babies and toddlers (0–2)"
    assert LevelOfNeed("targeted-indicated").label == "Targeted indicated"
    assert DeliveryModel("family").label == "Whole family"
    assert Setting("early-years").label == "Children’s centre or early years setting"


@pytest.mark.parametrize("choices", STORED_CODES, ids=lambda choices: choices.__name__)
def test_each_field_and_csv_column_takes_its_choices_from_the_enum(choices):
    field = Intervention._meta.get_field(FIELDS[choices])
    assert field.item_choices == choices.choices
    assert LIST_COLUMNS[FIELDS[choices]] is choices


def test_a_cell_is_read_in_the_order_of_the_choices_whatever_the_order_written():
    assert AgeGroup.from_codes(" 6-11;prenatal ; ;3-5") == [
        AgeGroup.PRENATAL,
        AgeGroup.PRE_SCHOOL,
        AgeGroup.PRIMARY,
    ]
    assert Setting.from_codes("") == []


def test_a_cell_with_unknown_codes_names_each_as_written():
    with pytest.raises(ValueError) as error:
        DeliveryModel.from_codes("group;Online;by post")
    assert error.value.args == ("Online", "by post")


def test_the_import_names_an_unknown_code_and_the_codes_to_use(outcomes_for_import):
    data = "\r\n".join(
        [FULL_HEADER, "Bad,bad,A programme.,3,false,2,school,,,0-2,,mentoring,,England", ""]
    ).encode()
    result = import_interventions(data=data, dry_run=True)
    assert [str(error) for error in result.errors] == [
        "row 2, column delivery_model: unknown value mentoring; use individual, group, "
        "family, online"
    ]


def test_the_import_stores_codes_in_the_order_of_the_choices(outcomes_for_import):
    data = "\r\n".join(
        [
            FULL_HEADER,
            "Good,good,A programme.,3,false,2,school,,,12-18;0-2,school;home,online;group,"
            "universal,England",
            "",
        ]
    ).encode()
    assert import_interventions(data=data).ok
    stored = Intervention.objects.values(*FIELDS.values()).get()
    assert stored == {
        "age_groups": ["0-2", "12-18"],
        "level_of_need": ["universal"],
        "delivery_model": ["group", "online"],
        "setting": ["home", "school"],
    }
    # Plain strings, as JSON holds them.
    assert all(type(code) is str for codes in stored.values() for code in codes)


def test_the_admin_offers_each_vocabulary_as_check_boxes_with_its_labels(
    intervention_factory, editor
):
    intervention = intervention_factory(age_groups=["0-2"])
    url = reverse("admin:catalogue_intervention_change", args=[intervention.pk])
    page = parse(editor.get(url))
    for choices, name in FIELDS.items():
        boxes = [
            (box.attrs["value"], label.text)
            for label in page.find_all("label")
            for box in label.find_all("input", type="checkbox", name=name)
        ]
        assert boxes == choices.choices
    assert open_form(editor, url, "intervention_form")["age_groups"] == "0-2"


def test_seed_demo_gives_only_codes_of_the_vocabularies(seed):
    out = StringIO()
    call_command("seed_demo", "--projects", "0", "--interventions", "60", stdout=out, stderr=out)
    demo = Intervention.objects.filter(slug__startswith="demo-").values(*FIELDS.values())
    for choices, name in FIELDS.items():
        given = {code for row in demo for code in row[name]}
        assert given and given <= set(choices.values)


@pytest.fixture
def outcomes_for_import(child_outcome_factory):
    return child_outcome_factory(name="School", slug="school")
