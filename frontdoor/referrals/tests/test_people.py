"""The people index (referrals.Person): the children, unborn babies, parents and carers and
the adult a LADO allegation is about, indexed at sending from the forms' annotations with
names normalised for matching; and repeat referrals about the same child."""

import datetime
import importlib

import pytest
from django.apps import apps

from frontdoor.addresses.models import Address
from frontdoor.referrals.models import Person, Submission
from frontdoor.referrals.people import (
    aka_keys,
    normalise,
    repeat_submissions,
    repeats_of,
)
from frontdoor.referrals.tests.test_social_care_versions import SECTIONS, old_draft
from tests.sending import send

pytestmark = pytest.mark.django_db

BACK_FILL = importlib.import_module("frontdoor.referrals.migrations.0010_people_back_filled")
FLAT = Address(
    property_name="Flat 2",
    house="14",
    street="Foregate Street",
    town="Worcester",
    postcode="WR1 1DN",
    uprn="100120654321",
)
LANE = Address(house="3", street="Example Lane", town="Worcester", postcode="WR1 2AB")
LANE_TYPED = Address.from_dict({**LANE.to_dict(), "postcode": "wr12ab"})
NEXT_DOOR = Address.from_dict({**LANE.to_dict(), "house": "5"})


def child(first: str, last: str, born: datetime.date | None = None, **more: object) -> dict:
    answers: dict[str, object] = {"first_name": first, "last_name": last, "address": LANE}
    if born is not None:
        answers.update(is_unborn="no", date_of_birth=born)
    return {**answers, **more}


def unborn(due: datetime.date, address: Address = FLAT, **more: object) -> dict:
    return {
        "first_name": "Baby",
        "last_name": "Nowak",
        "is_unborn": "yes",
        "due_date": due,
        "address": address,
        **more,
    }


def referral(user, *children: dict, slug: str = "social-care-referral") -> Submission:
    return send(user, slug, children=list(children))


# --- Names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Zoë Smith-Jones", "zoesmithjones"),
        ("zoe smithjones", "zoesmithjones"),
        ("  O'Brien ", "obrien"),
        ("O\u2019Brien", "obrien"),
        ("ANNE-MARIE", "annemarie"),
        ("Müller", "muller"),
        ("Straße", "strasse"),
        ("Siobhán Ní Bhriain", "siobhannibhriain"),
        ("", ""),
    ],
)
def test_names_are_normalised_for_matching(typed, key):
    assert normalise(typed) == key


def test_also_known_as_names_are_split_into_keys():
    assert aka_keys("Jo Smith, Joey or JJ / Jojo") == [
        "josmith",
        "jo",
        "smith",
        "joey",
        "jj",
        "jojo",
    ]
    assert aka_keys("") == []


# --- The index at sending ----------------------------------------------------------------


def test_the_people_a_referral_names_are_indexed_at_sending(professional, teams):
    submission = send(
        professional,
        "social-care-referral",
        children=[
            child(
                "Zoë",
                "Smith-Jones",
                datetime.date(2016, 3, 7),
                also_known_as="Zo, Zozo",
                nhs_number="943 476 5919",
                address=FLAT,
            ),
            unborn(datetime.date(2027, 1, 14)),
        ],
        household=[
            {
                "first_name": "Marta",
                "last_name": "Nowak",
                "relationship": "Mother",
                "date_of_birth": datetime.date(1994, 5, 1),
                "address": FLAT,
            }
        ],
    )
    zoe, baby, mother = submission.people.order_by("section", "position")[:3].values(
        "section", "position", "role", "first_name", "last_name", "also_known_as",
        "first_key", "last_key", "aka_keys", "date_of_birth", "due_date", "nhs_number",
        "postcode", "uprn", "house_key",
    )  # fmt: skip
    assert zoe == {
        "section": "children",
        "position": 0,
        "role": "child",
        "first_name": "Zoë",
        "last_name": "Smith-Jones",
        "also_known_as": "Zo, Zozo",
        "first_key": "zoe",
        "last_key": "smithjones",
        "aka_keys": "zo zozo",
        "date_of_birth": datetime.date(2016, 3, 7),
        "due_date": None,
        "nhs_number": "9434765919",
        "postcode": "WR1 1DN",
        "uprn": "100120654321",
        "house_key": "flat214",
    }
    assert baby["role"] == "unborn"
    assert baby["position"] == 1
    assert baby["due_date"] == datetime.date(2027, 1, 14)
    assert baby["date_of_birth"] is None
    assert mother["section"] == "household"
    assert mother["role"] == "parent_carer"
    assert (mother["first_key"], mother["date_of_birth"]) == ("marta", datetime.date(1994, 5, 1))


def test_the_adult_a_lado_allegation_is_about_is_indexed(professional, teams):
    submission = send(
        professional,
        "lado-referral",
        the_adult={"first_name": "Gary", "last_name": "Hale-Brown", "address": LANE},
    )
    roles = list(submission.people.values_list("role", "last_key"))
    assert ("adult", "halebrown") in roles
    assert ("child", "example") in roles


def test_feedback_names_nobody(professional, teams):
    assert not send(professional, "feedback").people.exists()


def test_a_form_on_a_version_before_the_annotations_is_indexed_by_the_current_ones(
    professional_client, professional, teams
):
    draft = old_draft(professional)
    for path, answers in SECTIONS.items():
        response = professional_client.post(
            f"/forms/draft/{draft}/{path}/", {"revision": "0", **answers}
        )
        assert response.status_code == 302, path
    professional_client.post(f"/forms/draft/{draft}/send/")
    submission = Submission.objects.get(draft_key=draft)
    assert submission.form_version.version == 3
    assert list(submission.people.values_list("role", "first_key", "last_key")) == [
        ("child", "ava", "smith"),
        ("parent_carer", "jo", "smith"),
    ]


def test_the_back_fill_migration_indexes_as_sending_does(professional_client, professional, teams):
    fields = ("submission_id", "section", "position", "role", "first_key", "last_key",
              "aka_keys", "date_of_birth", "due_date", "nhs_number", "postcode", "uprn",
              "house_key", "first_name", "last_name", "also_known_as")  # fmt: skip
    send(
        professional,
        "social-care-referral",
        children=[
            child("Zoë", "Smith-Jones", datetime.date(2016, 3, 7), also_known_as="Zo"),
            unborn(datetime.date(2027, 1, 14), nhs_number="943 476 5919"),
        ],
    )
    send(professional, "lado-referral")
    send(professional, "ehcna-request")
    # One sent on a version stored before the annotations existed.
    draft = old_draft(professional)
    for path, answers in SECTIONS.items():
        professional_client.post(f"/forms/draft/{draft}/{path}/", {"revision": "0", **answers})
    professional_client.post(f"/forms/draft/{draft}/send/")
    indexed = sorted(Person.objects.values_list(*fields))
    assert len(indexed) == 8
    Person.objects.all().delete()  # as before the index existed

    BACK_FILL.back_fill(apps, None)

    assert sorted(Person.objects.values_list(*fields)) == indexed


# --- Repeat referrals --------------------------------------------------------------------

BORN = datetime.date(2015, 9, 30)


@pytest.mark.parametrize(
    ("first", "again"),
    [
        (child("Zoë", "Smith-Jones", BORN), child("zoe", "SMITHJONES", BORN)),
        (child("Jon", "O'Neill", BORN), child("Jonathan", "ONeill", BORN)),
        (
            child("Elizabeth", "Kowalski", BORN, also_known_as="Beth"),
            child("Beth", "Kowalski", BORN),
        ),
        (child("Mohammed", "Khan", BORN), child("Mohammad", "Khan", BORN)),
        (
            child("Ava", "Example", BORN, nhs_number="943 476 5919"),
            child("Eva", "Jones", datetime.date(2015, 9, 13), nhs_number="9434765919"),
        ),
        (unborn(datetime.date(2027, 1, 14)), unborn(datetime.date(2027, 2, 10))),
        (
            unborn(datetime.date(2027, 1, 14), address=LANE),
            unborn(datetime.date(2027, 1, 1), address=LANE_TYPED),
        ),
    ],
    ids=[
        "accents-hyphens", "jon-jonathan", "also-known-as", "spelling", "nhs", "unborn-uprn",
        "unborn-house",
    ],
)  # fmt: skip
def test_a_referral_about_the_same_child_is_a_repeat(
    professional, second_professional, teams, first, again
):
    one = referral(professional, first)
    two = referral(second_professional, child("Sibling", "Other", BORN), again)
    assert repeat_submissions(two) == {one.pk}
    assert repeat_submissions(one) == {two.pk}


@pytest.mark.parametrize(
    ("first", "again"),
    [
        (child("Ava", "Smith", BORN), child("Ben", "Smith", BORN)),
        (child("Ava", "Smith", BORN), child("Ava", "Smith", datetime.date(2015, 9, 29))),
        (child("Ava", "Smith", BORN), child("Ava", "Smyth", BORN)),
        (child("Al", "Smith", BORN), child("Alan", "Smith", BORN)),
        (
            child("Ava", "Smith", BORN, nhs_number="943 476 5919"),
            child("Ava", "Jones", datetime.date(2014, 1, 1), nhs_number="401 023 2137"),
        ),
        (unborn(datetime.date(2027, 1, 14)), unborn(datetime.date(2027, 2, 12))),
        (
            unborn(datetime.date(2027, 1, 14), address=LANE),
            unborn(datetime.date(2027, 1, 14), address=NEXT_DOOR),
        ),
    ],
    ids=[
        "other-first-name", "other-birthday", "other-surname", "short-name", "other-nhs",
        "due-5-weeks-apart", "next-door",
    ],
)  # fmt: skip
def test_a_referral_about_another_child_is_not_a_repeat(
    professional, second_professional, teams, first, again
):
    one = referral(professional, first)
    two = referral(second_professional, again)
    assert repeat_submissions(two) == set()
    assert repeat_submissions(one) == set()


def test_siblings_in_one_referral_are_not_repeats_of_each_other(professional, teams):
    twins = referral(professional, child("Ava", "Smith", BORN), child("Avery", "Smith", BORN))
    assert repeat_submissions(twins) == set()


def test_a_parent_with_a_childs_name_and_birthday_is_not_a_repeat(professional, teams):
    one = referral(professional, child("Jo", "Smith", BORN))
    parent = send(
        professional,
        "early-help-request",
        household=[
            {
                "first_name": "Jo",
                "last_name": "Smith",
                "relationship": "Mother",
                "date_of_birth": BORN,
            }
        ],
    )
    assert repeat_submissions(parent) == set()
    assert repeat_submissions(one) == set()


def test_repeats_across_forms_and_teams_are_all_found(professional, second_professional, teams):
    ava = child("Ava", "Smith", BORN)
    social_care = referral(professional, ava)
    early_help = referral(second_professional, ava, slug="early-help-request")
    lado = referral(second_professional, ava, slug="lado-referral")
    other = referral(professional, child("Ben", "Jones", BORN))
    assert repeat_submissions(social_care) == {early_help.pk, lado.pk}
    assert repeats_of([social_care.pk, other.pk]) == {
        social_care.pk: {early_help.pk, lado.pk},
        other.pk: set(),
    }


def test_finding_repeats_takes_the_same_queries_however_many_children(
    professional, teams, django_assert_num_queries
):
    one = referral(professional, child("Ava", "Smith", BORN))
    many = referral(
        professional,
        *[
            child(f"Child{n}", f"Family{n}", BORN, nhs_number="943 476 5919" if n == 0 else "")
            for n in range(12)
        ],
        child("Ava", "Smith", BORN),
        unborn(datetime.date(2027, 1, 14)),
    )
    referral(professional, child("Child3", "Family3", BORN))
    one, many = Submission.objects.get(pk=one.pk), Submission.objects.get(pk=many.pk)
    with django_assert_num_queries(2):
        assert repeat_submissions(one) == {many.pk}
    with django_assert_num_queries(2):
        assert len(repeat_submissions(many)) == 2
    prefetched = Submission.objects.prefetch_related("people").get(pk=many.pk)
    with django_assert_num_queries(1):
        repeat_submissions(prefetched)
    ids = list(Submission.objects.values_list("pk", flat=True))
    with django_assert_num_queries(2):
        assert repeats_of(ids)[one.pk] == {many.pk}
