"""The forms and their JSON Schemas through the API: scoped to the client's teams."""

import pytest
from jsonschema import Draft202012Validator

from frontdoor.api.tests.conftest import assert_problem
from frontdoor.audit.models import AuditEvent
from frontdoor.referrals.definitions import read_definition
from frontdoor.referrals.models import FormVersion
from frontdoor.referrals.schema import schema_of, typed_schema
from frontdoor.referrals.tests.test_schema import VERSION_3
from tests.sending import send

pytestmark = pytest.mark.django_db

FORMS = "/api/v1/forms"


def schema_path(slug: str, version: int) -> str:
    return f"{FORMS}/{slug}/versions/{version}/schema"


def test_a_client_lists_its_teams_forms_with_their_versions(
    professional, social_care_system, lado_system
):
    send(professional, "social-care-referral", definition=read_definition(VERSION_3))

    forms = social_care_system.get(FORMS).json()
    assert forms == [
        {
            "slug": "social-care-referral",
            "name": "Children's Social Care referral",
            "team": "social-care",
            "current_version": 5,
            "versions": [3, 5],  # 3 stored (a referral was sent on it), 5 in use
        }
    ]
    assert [f["slug"] for f in lado_system.get(FORMS).json()] == ["lado-referral"]
    event = AuditEvent.objects.filter(action="api.forms.listed").first()
    assert event is not None
    assert event.detail["count"] == 1


def test_a_form_versions_schema_is_served_and_the_referrals_answers_fit_it(
    professional, social_care_system
):
    sent = send(professional, "social-care-referral")
    response = social_care_system.get(schema_path("social-care-referral", 5))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    schema = response.json()
    assert schema == schema_of(FormVersion.objects.get(slug="social-care-referral", version=5))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    # A referral's answers, as the API gives them (values only), fit their version's schema.
    answers = social_care_system.get(f"/api/v1/referrals/{sent.reference}").json()["answers"]
    typed = {
        section: [{k: v["value"] for k, v in item.items()} for item in value]
        if isinstance(value, list)
        else {k: v["value"] for k, v in value.items()}
        for section, value in answers.items()
    }
    assert list(Draft202012Validator(schema).iter_errors(typed)) == []

    # An older stored version: its own schema.
    send(professional, "social-care-referral", definition=read_definition(VERSION_3))
    older = social_care_system.get(schema_path("social-care-referral", 3)).json()
    assert older == typed_schema(read_definition(VERSION_3))
    assert older != schema


def test_the_version_in_use_has_a_schema_before_any_referral_used_it(social_care_system):
    in_use = FormVersion.objects.filter(slug="social-care-referral", version=5)
    in_use.delete()
    response = social_care_system.get(schema_path("social-care-referral", 5))
    assert response.status_code == 200
    assert response.json()["title"] == "Children's Social Care referral"
    assert not in_use.exists()  # a GET stores nothing


def test_another_teams_form_or_a_version_that_does_not_exist_is_404(
    lado_system, social_care_system
):
    for path in (
        schema_path("social-care-referral", 5),  # not the LADO team's
        schema_path("lado-referral", 2),  # never stored, not in use
        schema_path("no-such-form", 1),
    ):
        assert_problem(lado_system.get(path), 404)
    assert lado_system.get(schema_path("lado-referral", 3)).status_code == 200
    assert_problem(lado_system.get(f"{FORMS}/lado-referral/versions/three/schema"), 422)


def test_the_schema_describes_the_forms_endpoints():
    from django.test import Client

    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/forms" in paths
    schema = paths["/api/v1/forms/{slug}/versions/{version}/schema"]["get"]["responses"]
    assert set(schema["200"]["content"]) == {"application/schema+json"}
