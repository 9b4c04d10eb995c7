"""The migrations that add the typed copy and the people index fill them for the forms sent
before them: run for real, from the schema before them, on rows made as they were then."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from frontdoor.referrals.definitions import read_definition
from frontdoor.referrals.models import Person, Submission
from frontdoor.referrals.tests.test_annotations import VERSION_3

BEFORE = [("referrals", "0006_status_labels_and_final")]

# A Social Care referral as version 3 stored it: what was typed, a date as its boxes.
ANSWERS = {
    "your-details": {"completing_as": "professional", "first_name": "Priya"},
    "immediate-risk": {"at_risk_now": "yes", "unsafe_tonight": None},
    "children": [
        {
            "first_name": "Zoë",
            "last_name": "Smith-Jones",
            "also_known_as": "Zo",
            "is_unborn": "no",
            "date_of_birth": ["7", "3", "2016"],
            "due_date": ["", "", ""],
            "nhs_number": "943 476 5919",
            "address": ["", "14", "Foregate Street", "", "Worcester", "", "wr1 1dn", "1001"],
        },
        {
            "first_name": "Baby",
            "last_name": "Smith-Jones",
            "is_unborn": "yes",
            "date_of_birth": ["1", "1", "2020"],  # typed, then "unborn" chosen: not asked
            "due_date": ["14", "1", "2027"],
            "address": ["", "", "", "", "", "", "", ""],
            "address__unknown_reason": "Moving",
        },
    ],
    "household": [{"first_name": "Marta", "last_name": "Nowak", "relationship": "Mother"}],
}


@pytest.mark.django_db(transaction=True)
def test_the_back_fill_migrations_fill_forms_sent_before_them():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("accounts", "User").objects.create(
        email="dsl@school.example.org", password="!"
    )
    version = old.get_model("referrals", "FormVersion").objects.create(
        slug="social-care-referral",
        version=3,
        content_hash="old",
        definition=read_definition(VERSION_3).source,
    )
    sent = old.get_model("referrals", "Submission").objects.create(
        reference="FD-2026-000001",
        owner=user,
        form_version=version,
        team_slug="social-care",
        answers=ANSWERS,
        draft_key=1,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    submission = Submission.objects.get(pk=sent.pk)
    assert submission.answers == ANSWERS  # as sent, untouched
    zoe, baby = submission.typed["children"]
    assert zoe["date_of_birth"] == "2016-03-07"
    assert zoe["nhs_number"] == "9434765919"
    assert zoe["address"]["postcode"] == "WR1 1DN"
    assert zoe["address"]["uprn"] == "1001"
    assert "date_of_birth" not in baby
    assert baby["due_date"] == "2027-01-14"
    assert baby["address__unknown_reason"] == "Moving"
    assert submission.typed["immediate-risk"] == {"at_risk_now": "yes"}
    people = list(
        Person.objects.filter(submission=submission).values_list(
            "section", "position", "role", "first_key", "last_key", "aka_keys", "date_of_birth",
            "due_date", "nhs_number", "postcode", "uprn",
        )
    )  # fmt: skip
    assert [p[:6] for p in people] == [
        ("children", 0, "child", "zoe", "smithjones", "zo"),
        ("children", 1, "unborn", "baby", "smithjones", ""),
        ("household", 0, "parent_carer", "marta", "nowak", ""),
    ]
    assert people[0][6:] == (
        datetime.date(2016, 3, 7),
        None,
        "9434765919",
        "WR1 1DN",
        "1001",
    )
    assert people[1][6:8] == (None, datetime.date(2027, 1, 14))
