"""The teams' workflows: the shipped file, a council's own, the default for a team it does
not name, and a broken file refused with a message naming the place."""

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured

from frontdoor.cases import workflows as module
from frontdoor.cases.workflows import (
    ACTIONS,
    FILE,
    SCHEMES,
    WorkflowError,
    check_workflows,
    read_workflows,
    workflow_for,
)

DASH = "\u2013"  # the en dash in the LADO's outcomes
TEAMS = ["social-care", "early-help", "lado", "send", "feedback"]


@pytest.fixture(scope="module")
def shipped():
    return read_workflows(FILE)


def names(outcomes) -> list[str]:
    return [outcome.name for outcome in outcomes]


def test_the_shipped_file_names_every_team(shipped):
    assert list(shipped.teams) == TEAMS


def test_social_care_stages_outcomes_and_managers(shipped):
    care = shipped.for_team("social-care")
    assert [s.name for s in care.stages] == ["Received", "Screening", "Decision", "Closed"]
    assert (care.first_stage.slug, care.decision_stage.slug, care.closed_stage.slug) == (
        "received",
        "decision",
        "closed",
    )
    assert care.stage("screening").name == "Screening"
    assert names(care.outcomes) == [
        "No further action",
        "Advice and signposting",
        "Early Help",
        "Social work assessment (s17)",
        "Strategy discussion (s47)",
        "Passed to another service or council",
    ]
    assert all(o.closes and o.moves_to == "closed" for o in care.outcomes)
    assert names(care.outcomes_at("decision")) == names(care.outcomes)
    assert care.outcomes_at("closed") == ()
    assert all(care.manager_only(action) for action in ACTIONS)
    assert care.shares_repeats_with == ("early-help",)


def test_outcomes_carry_national_codes_only_where_published(shipped):
    care = shipped.for_team("social-care")
    assert care.outcome("no-further-action").code("ssd_contact_outcome") == "NFA_FLAG"
    assert care.outcome("advice-and-signposting").code("ssd_contact_outcome") == "ADVICE_FLAG"
    assert care.outcome("strategy-discussion").code("ssd_referral_outcome") == (
        "STRATEGY_DISCUSSION_FLAG"
    )
    assert care.outcome("social-work-assessment").code("ssd_referral_outcome") == (
        "SINGLE_ASSESSMENT_FLAG"
    )
    assert care.outcome("early-help").codes == ()
    assert care.outcome("passed-on").code("ssd_contact_outcome") == ""
    send = shipped.for_team("send")
    assert [(o.name, o.code("sen2_request_outcome")) for o in send.outcomes] == [
        ("Agree to assess", "Y"),
        ("Decline to assess", "N"),
        ("Request withdrawn", "W"),
    ]
    assert "SEN2" in send.outcome("agree-to-assess").codes[0].source
    for workflow in shipped.teams.values():
        for outcome in workflow.outcomes:
            for code in outcome.codes:
                assert code.value in SCHEMES[code.scheme].values
    assert not shipped.for_team("lado").outcomes[0].codes
    assert not any(o.codes for o in shipped.for_team("feedback").outcomes)


def test_lado_decides_on_the_threshold_then_the_allegations_outcome(shipped):
    lado = shipped.for_team("lado")
    assert lado.decision_stage.name == "Initial consideration"
    first = lado.outcomes_at("initial-consideration")
    assert f"Threshold not met {DASH} advice given" in names(first)
    assert f"Threshold met {DASH} allegations management meeting" in names(first)
    meeting = lado.outcome("allegations-meeting")
    assert (meeting.closes, meeting.moves_to) == (False, "allegation-management")
    assert names(lado.outcomes_at("allegation-management")) == [
        "Substantiated",
        "Unsubstantiated",
        "Unfounded",
        "False",
        "Malicious",
    ]
    assert lado.outcome("false").closes
    assert lado.manager_only("assign_to_others")
    assert not lado.manager_only("confirm_decision")


def test_ehcna_early_help_and_feedback_have_their_own(shipped):
    assert names(shipped.for_team("send").outcomes_at("considering"))[:2] == [
        "Agree to assess",
        "Decline to assess",
    ]
    assert "Early help support offered" in names(shipped.for_team("early-help").outcomes)
    feedback = shipped.for_team("feedback")
    assert names(feedback.outcomes_at("received")) == ["Acknowledged", "Responded"]
    assert names(feedback.outcomes_at("in-progress")) == ["Responded"]
    assert feedback.outcome("acknowledged").moves_to == "in-progress"
    assert not any(feedback.manager_only(action) for action in ACTIONS)
    for workflow in shipped.teams.values():
        assert "Strategy discussion (s47)" not in names(workflow.outcomes) or (
            workflow.team == "social-care"
        )


def test_responses_are_plain_paragraphs_without_personal_data(shipped):
    response = shipped.for_team("social-care").outcome("no-further-action").response
    paragraphs = response.split("\n\n")
    assert len(paragraphs) == 2
    assert all("\n" not in p and "  " not in p for p in paragraphs)
    assert paragraphs[1].endswith("call 999.")
    for workflow in [*shipped.teams.values(), shipped.default]:
        for outcome in workflow.outcomes:
            assert outcome.response
            assert not re.search(r"[{}<>@]", outcome.response), outcome.slug


def test_a_team_the_file_does_not_name_gets_the_default(shipped):
    other = shipped.for_team("youth-justice")
    assert other is shipped.default
    assert [s.name for s in other.stages] == ["Received", "In progress", "Closed"]
    assert names(other.outcomes) == [
        "Responded",
        "Passed to another service or council",
        "No further action",
    ]
    assert other.decision_stage.slug == "in-progress"
    assert all(other.manager_only(action) for action in ACTIONS)
    assert other.shares_repeats_with == ()


def test_unknown_stages_outcomes_and_actions_are_refused_clearly(shipped):
    care = shipped.for_team("social-care")
    with pytest.raises(KeyError, match="no stage 'triage'"):
        care.stage("triage")
    with pytest.raises(KeyError, match="no outcome 'adopted'"):
        care.outcome("adopted")
    with pytest.raises(ValueError, match="assign_to_others"):
        care.manager_only("delete")


VALID: dict[str, Any] = {
    "teams": {
        "youth-justice": {
            "stages": [
                {"slug": "new", "name": "New"},
                {"slug": "triage", "name": "Triage"},
                {"slug": "done", "name": "Done"},
            ],
            "manager_only": ["change_rating"],
            "share_repeats_with": ["social-care"],
            "outcomes": [
                {
                    "slug": "accepted",
                    "name": "Accepted",
                    "response": "Thank you.\n\nWe will contact you.",
                    "codes": {"ssd_contact_outcome": "OTHER_OUTCOMES_EXIST_FLAG"},
                },
                {
                    "slug": "waiting",
                    "name": "Waiting for information",
                    "response": "We need more information.",
                    "closes": False,
                    "moves_to": "triage",
                    "offered_at": ["new"],
                },
            ],
        }
    }
}


def write(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_councils_own_file_is_used_and_read_once(tmp_path, settings):
    own = write(tmp_path / "workflows.yaml", VALID)
    settings.WORKFLOWS_FILE = str(own)
    youth = workflow_for("youth-justice")
    assert youth.decision_stage.slug == "triage"  # the last open stage, unless it says
    assert youth.manager_only("change_rating")
    assert not youth.manager_only("assign_to_others")
    assert youth.shares_repeats_with == ("social-care",)
    assert youth.outcome("accepted").moves_to == "done"
    assert youth.outcome("accepted").response == "Thank you.\n\nWe will contact you."
    assert youth.outcome("waiting").offered_at == ("new",)
    # A team it does not name: its file has no default, so the plain one.
    assert [s.name for s in workflow_for("social-care").stages] == [
        "Received",
        "In progress",
        "Closed",
    ]
    # Read once: a change to the file is not seen until it is checked again (start-up).
    write(own, {"teams": {}})
    assert workflow_for("youth-justice") is youth
    check_workflows()
    assert workflow_for("youth-justice").team == ""


def test_the_shipped_file_is_used_without_the_setting(settings):
    settings.WORKFLOWS_FILE = ""
    assert module.workflows_file() == FILE
    assert workflow_for("lado").decision_stage.name == "Initial consideration"


def stage(data: dict[str, Any], **changes: Any) -> None:
    data["teams"]["youth-justice"].update(changes)


def outcome(data: dict[str, Any], index: int = 0, **changes: Any) -> None:
    data["teams"]["youth-justice"]["outcomes"][index].update(changes)


def drop(data: dict[str, Any], key: str) -> None:
    del data["teams"]["youth-justice"]["outcomes"][0][key]


HERE = "teams.youth-justice"
BROKEN = [
    (lambda d: d.update(teams=[]), "teams: must be a mapping of team slugs to workflows"),
    (lambda d: d.update(flows={}), "unknown key(s) flows"),
    (lambda d: d["teams"].update({"Youth Justice": {}}), "teams: 'Youth Justice': use lower-case"),
    (lambda d: stage(d, colour="red"), f"{HERE}: unknown key(s) colour"),
    (
        lambda d: stage(d, stages=[{"slug": "new", "name": "New"}]),
        f"{HERE}.stages: must be a list of two or more",
    ),
    (
        lambda d: stage(d, stages=[{"slug": "new", "name": "New"}, {"slug": "new", "name": "Old"}]),
        f"{HERE}.stages[1].slug: 'new' is used twice",
    ),
    (
        lambda d: stage(d, decision_stage="done"),
        f"{HERE}.decision_stage: 'done' is not one of the open stages",
    ),
    (
        lambda d: stage(d, manager_only=["delete"]),
        f"{HERE}.manager_only: must be a list of some of",
    ),
    (
        lambda d: stage(d, share_repeats_with=["youth-justice"]),
        f"{HERE}.share_repeats_with: a team always sees its own referrals",
    ),
    (lambda d: stage(d, share_repeats_with="lado"), f"{HERE}.share_repeats_with: must be a list"),
    (lambda d: stage(d, outcomes=[]), f"{HERE}.outcomes: must be a list of one or more outcomes"),
    (lambda d: drop(d, "response"), f"{HERE}.outcomes[0]: missing response"),
    (
        lambda d: outcome(d, 1, slug="accepted"),
        f"{HERE}.outcomes[1].slug: 'accepted' is used twice",
    ),
    (
        lambda d: outcome(d, 1, name="Accepted"),
        f"{HERE}.outcomes[1].name: 'Accepted' is used twice",
    ),
    (lambda d: outcome(d, closes="yes"), f"{HERE}.outcomes[0].closes: must be true or false"),
    (
        lambda d: outcome(d, moves_to="triage"),
        f"{HERE}.outcomes[0].moves_to: an outcome that closes",
    ),
    (lambda d: outcome(d, closes=False), f"{HERE}.outcomes[0]: an outcome that does not close"),
    (
        lambda d: outcome(d, 1, moves_to="done"),
        f"{HERE}.outcomes[1].moves_to: 'done' is not one of",
    ),
    (lambda d: outcome(d, offered_at=["done"]), f"{HERE}.outcomes[0].offered_at[0]: 'done' is not"),
    (lambda d: outcome(d, offered_at=[]), f"{HERE}.outcomes[0].offered_at: must name one or more"),
    (
        lambda d: outcome(d, codes={"cin_census": "RC8"}),
        f"{HERE}.outcomes[0].codes: 'cin_census' is not one of the vocabularies",
    ),
    (
        lambda d: outcome(d, codes={"cin_reason_for_closure": "RC10"}),
        f"{HERE}.outcomes[0].codes.cin_reason_for_closure: 'RC10' is not a code of",
    ),
    (
        lambda d: outcome(d, offered_at=["new"]),
        f"{HERE}.outcomes: none is offered in the decision stage 'triage'",
    ),
    (
        lambda d: outcome(d, offered_at=["new"]) or stage(d, decision_stage="new"),
        f"{HERE}.outcomes: 'waiting' leaves a case in 'triage', but no outcome offered there "
        "closes it",
    ),
    (lambda d: outcome(d, response="  "), f"{HERE}.outcomes[0].response: must be some text"),
]


@pytest.mark.parametrize(("breaks", "message"), BROKEN)
def test_a_broken_file_is_refused_naming_the_file_and_place(tmp_path, breaks, message):
    data = copy.deepcopy(VALID)
    breaks(data)
    path = write(tmp_path / "workflows.yaml", data)
    with pytest.raises(WorkflowError, match=re.escape(f"{path}: {message}")):
        read_workflows(path)


def test_the_valid_example_loads(tmp_path):
    read_workflows(write(tmp_path / "workflows.yaml", VALID))


def test_an_empty_code_is_no_code(tmp_path):
    data = copy.deepcopy(VALID)
    outcome(data, codes={"ssd_contact_outcome": ""})
    assert (
        read_workflows(write(tmp_path / "w.yaml", data)).teams["youth-justice"].outcomes[0].codes
        == ()
    )


def test_invalid_yaml_or_a_missing_file_is_refused_naming_it(tmp_path, settings):
    path = tmp_path / "workflows.yaml"
    with pytest.raises(WorkflowError, match=re.escape(f"{path}: cannot be read")):
        read_workflows(path)
    path.write_text("teams: [\n  - oops: {\n", encoding="utf-8")
    with pytest.raises(WorkflowError, match=re.escape(f"{path}: not valid YAML")):
        read_workflows(path)
    settings.WORKFLOWS_FILE = str(path)
    with pytest.raises(ImproperlyConfigured, match="The workflows file is broken: "):
        check_workflows()
