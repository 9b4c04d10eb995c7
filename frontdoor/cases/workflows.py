"""Workflows: each team's stages and outcomes, as data (a YAML file), read and checked once.

The file that ships is `frontdoor/cases/workflows.yaml`; a council points `WORKFLOWS_FILE` at
its own. It names teams by slug; a team it does not name gets its `default:` workflow (or,
if the file has none, the plain one here: Received, In progress, Closed). A file that breaks
a rule is refused with a message naming the file and the place in it
(`teams.lado.outcomes[2].moves_to`), at start-up: the web server and the worker run
`check_workflows()` through a system check (cases/checks.py). docs/configuring.md describes
the format.

    workflow = workflow_for("social-care")
    workflow.first_stage, workflow.decision_stage, workflow.closed_stage
    workflow.outcomes_at("decision")   # the radios offered in that stage
    workflow.manager_only("confirm_decision")
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from frontdoor.core.reading import DataReader

FILE = Path(__file__).resolve().parent / "workflows.yaml"
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# What a team may keep for its managers (`manager_only`); all of them unless it says.
ACTIONS = ("assign_to_others", "change_rating", "confirm_decision")


class WorkflowError(Exception):
    """The workflows file breaks a rule. The message names the file and the place."""


@dataclass(frozen=True)
class CodeScheme:
    """A published vocabulary an outcome's national code comes from: only its values."""

    slug: str
    name: str
    source: str
    values: tuple[str, ...]


SCHEMES = {
    scheme.slug: scheme
    for scheme in (
        CodeScheme(
            slug="ssd_contact_outcome",
            name="Standard Safeguarding Dataset: contact outcome",
            source=(
                "Standard Safeguarding Dataset (Data to Insight, data-to-insight/ssd-data-model, "
                "data/objects/ssd_contacts.yml): cont_contact_outcome_json, item CONT005A"
            ),
            values=(
                "NEW_REFERRAL_FLAG",
                "EXISTING_REFERRAL_FLAG",
                "CP_ENQUIRY_FLAG",
                "NFA_FLAG",
                "NON_AGENCY_ADOPTION_FLAG",
                "PRIVATE_FOSTERING_FLAG",
                "ADVICE_FLAG",
                "MISSING_FLAG",
                "OLA_CP_FLAG",
                "OTHER_OUTCOMES_EXIST_FLAG",
            ),
        ),
        CodeScheme(
            slug="ssd_referral_outcome",
            name="Standard Safeguarding Dataset: referral outcome",
            source=(
                "Standard Safeguarding Dataset (Data to Insight, data-to-insight/ssd-data-model, "
                "data/objects/ssd_cin_episodes.yml): cine_referral_outcome_json, item CINE005A"
            ),
            values=(
                "SINGLE_ASSESSMENT_FLAG",
                "NFA_FLAG",
                "STRATEGY_DISCUSSION_FLAG",
                "CLA_REQUEST_FLAG",
                "NON_AGENCY_ADOPTION_FLAG",
                "PRIVATE_FOSTERING_FLAG",
                "CP_TRANSFER_IN_FLAG",
                "CP_CONFERENCE_FLAG",
                "CARE_LEAVER_FLAG",
                "OTHER_OUTCOMES_EXIST_FLAG",
            ),
        ),
        CodeScheme(
            slug="cin_reason_for_closure",
            name="Children in need census: reason for closure",
            source=(
                "DfE children in need census, ReasonForClosure (RC9, closed after assessment "
                "and referred to early help, is the newest); as listed by the Standard "
                "Safeguarding Dataset's ssd_cin_episodes.cine_close_reason, item CINE006A"
            ),
            values=tuple(f"RC{n}" for n in range(1, 10)),
        ),
        CodeScheme(
            slug="sen2_request_outcome",
            name="SEN2: request outcome",
            source=(
                "DfE SEN2 return, request outcome: Y the local authority proceeded with an EHC "
                "needs assessment, N it decided not to, A not yet decided, W withdrawn or "
                "ceased before a decision, H historical; as in the Standard Safeguarding "
                "Dataset's ssd_ehcp_requests.ehcr_ehcp_req_outcome, item EHCR005A"
            ),
            values=("Y", "N", "A", "W", "H"),
        ),
    )
}


@dataclass(frozen=True)
class Stage:
    slug: str
    name: str


@dataclass(frozen=True)
class NationalCode:
    """An outcome's code in a published vocabulary (exports and the API)."""

    scheme: str
    value: str

    @property
    def source(self) -> str:
        return SCHEMES[self.scheme].source


@dataclass(frozen=True)
class Outcome:
    slug: str
    name: str  # the radio's label
    response: str  # pre-written for the referrer: plain English, no personal data
    closes: bool
    moves_to: str  # the stage a decision with this outcome moves the case to
    offered_at: tuple[str, ...]  # the stages in which it is offered
    codes: tuple[NationalCode, ...] = ()
    hint: str = ""  # under the radio, for staff

    def code(self, scheme: str) -> str:
        """Its code in `scheme` (a key of SCHEMES), or "" where none is published."""
        return next((code.value for code in self.codes if code.scheme == scheme), "")


@dataclass(frozen=True)
class Workflow:
    team: str  # the team's slug; "" for the default workflow
    stages: tuple[Stage, ...]  # first: where a referral starts; last: Closed
    decision: str  # the slug of the stage in which the decision is made
    outcomes: tuple[Outcome, ...]
    manager_only_actions: frozenset[str] = frozenset(ACTIONS)
    shares_repeats_with: tuple[str, ...] = ()  # teams whose referrals show as repeats

    def stage(self, slug: str) -> Stage:
        for stage in self.stages:
            if stage.slug == slug:
                return stage
        raise KeyError(f"The {self.team or 'default'} workflow has no stage {slug!r}")

    @property
    def first_stage(self) -> Stage:
        return self.stages[0]

    @property
    def decision_stage(self) -> Stage:
        return self.stage(self.decision)

    @property
    def closed_stage(self) -> Stage:
        return self.stages[-1]

    @property
    def open_stages(self) -> tuple[Stage, ...]:
        return self.stages[:-1]

    def outcome(self, slug: str) -> Outcome:
        for outcome in self.outcomes:
            if outcome.slug == slug:
                return outcome
        raise KeyError(f"The {self.team or 'default'} workflow has no outcome {slug!r}")

    def outcomes_at(self, stage_slug: str) -> tuple[Outcome, ...]:
        """The outcomes offered while a case is in this stage (none once it is closed)."""
        return tuple(o for o in self.outcomes if stage_slug in o.offered_at)

    def manager_only(self, action: str) -> bool:
        """Whether only the team's managers may take `action` (one of ACTIONS)."""
        if action not in ACTIONS:
            raise ValueError(f"{action!r} is not one of {', '.join(ACTIONS)}")
        return action in self.manager_only_actions


@dataclass(frozen=True)
class Workflows:
    """Everything the file says: the named teams' workflows and the default."""

    teams: dict[str, Workflow] = field(hash=False)
    default: Workflow
    source: str = ""  # the file's path

    def for_team(self, team_slug: str) -> Workflow:
        return self.teams.get(team_slug, self.default)


# The default when the file has no `default:` (a council's own file may leave it out).
PLAIN = {
    "stages": [
        {"slug": "received", "name": "Received"},
        {"slug": "in-progress", "name": "In progress"},
        {"slug": "closed", "name": "Closed"},
    ],
    "outcomes": [
        {
            "slug": "responded",
            "name": "Responded",
            "response": "Thank you for contacting us. We have looked at what you sent and "
            "this is our reply.",
        },
        {
            "slug": "passed-on",
            "name": "Passed to another service or council",
            "response": "Thank you for contacting us. This is a matter for another service, "
            "and we have passed what you sent to them. They will contact you if they need to.",
        },
        {
            "slug": "no-further-action",
            "name": "No further action",
            "response": "Thank you for contacting us. We have looked at what you sent and "
            "decided that we do not need to take any further action.",
        },
    ],
}


class _Reader(DataReader):
    """Reads the file, keeping the path to where it is for the error message."""

    error = WorkflowError

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "must be some text")
        return " ".join(value.split())

    def slug(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not SLUG.match(value):
            raise self.fail(
                where, f"{value!r}: use lower-case letters, digits and hyphens, like early-help"
            )
        return value

    def slugs(self, value: Any, where: str) -> list[str]:
        if not isinstance(value, list):
            raise self.fail(where, "must be a list")
        slugs = [self.slug(item, f"{where}[{i}]") for i, item in enumerate(value)]
        if len(set(slugs)) != len(slugs):
            raise self.fail(where, "names one twice")
        return slugs

    def workflows(self, data: Any) -> Workflows:
        data = self.mapping(data, "", {"teams", "default"}, {"teams"})
        teams = data["teams"]
        if not isinstance(teams, dict):
            raise self.fail("teams", "must be a mapping of team slugs to workflows")
        read = {}
        for slug, workflow in teams.items():
            self.slug(slug, "teams")
            read[slug] = self.workflow(workflow, f"teams.{slug}", slug)
        default = self.workflow(data.get("default", PLAIN), "default", "")
        return Workflows(teams=read, default=default, source=self.name)

    def workflow(self, data: Any, where: str, team: str) -> Workflow:
        data = self.mapping(
            data,
            where,
            {"stages", "decision_stage", "outcomes", "manager_only", "share_repeats_with"},
            {"stages", "outcomes"},
        )
        stages = self.stages(data["stages"], f"{where}.stages")
        open_slugs = [stage.slug for stage in stages[:-1]]
        decision = data.get("decision_stage", open_slugs[-1])
        if decision not in open_slugs:
            raise self.fail(
                f"{where}.decision_stage",
                f"{decision!r} is not one of the open stages ({', '.join(open_slugs)}; the "
                "last stage is Closed)",
            )
        outcomes = self.outcomes(data["outcomes"], f"{where}.outcomes", stages)
        if not any(decision in outcome.offered_at for outcome in outcomes):
            raise self.fail(
                f"{where}.outcomes", f"none is offered in the decision stage {decision!r}"
            )
        # A stage an outcome leaves a case open in must offer a way to close it.
        for outcome in outcomes:
            if not outcome.closes and not any(
                other.closes and outcome.moves_to in other.offered_at for other in outcomes
            ):
                raise self.fail(
                    f"{where}.outcomes",
                    f"{outcome.slug!r} leaves a case in {outcome.moves_to!r}, but no outcome "
                    "offered there closes it",
                )
        manager_only = data.get("manager_only", list(ACTIONS))
        if not isinstance(manager_only, list) or any(a not in ACTIONS for a in manager_only):
            raise self.fail(
                f"{where}.manager_only", f"must be a list of some of {', '.join(ACTIONS)}"
            )
        shares = self.slugs(data.get("share_repeats_with", []), f"{where}.share_repeats_with")
        if team in shares:
            raise self.fail(f"{where}.share_repeats_with", "a team always sees its own referrals")
        return Workflow(
            team=team,
            stages=stages,
            decision=decision,
            outcomes=outcomes,
            manager_only_actions=frozenset(manager_only),
            shares_repeats_with=tuple(shares),
        )

    def stages(self, data: Any, where: str) -> tuple[Stage, ...]:
        if not isinstance(data, list) or len(data) < 2:
            raise self.fail(
                where, "must be a list of two or more stages: the first where a referral "
                "starts, the last Closed",
            )  # fmt: skip
        stages: list[Stage] = []
        for i, item in enumerate(data):
            here = f"{where}[{i}]"
            item = self.mapping(item, here, {"slug", "name"}, {"slug", "name"})
            stage = Stage(
                slug=self.slug(item["slug"], f"{here}.slug"),
                name=self.text(item["name"], f"{here}.name"),
            )
            if any(s.slug == stage.slug for s in stages):
                raise self.fail(f"{here}.slug", f"{stage.slug!r} is used twice")
            stages.append(stage)
        return tuple(stages)

    def outcomes(self, data: Any, where: str, stages: tuple[Stage, ...]) -> tuple[Outcome, ...]:
        if not isinstance(data, list) or not data:
            raise self.fail(where, "must be a list of one or more outcomes")
        outcomes: list[Outcome] = []
        for i, item in enumerate(data):
            outcome = self.outcome(item, f"{where}[{i}]", stages)
            for earlier in outcomes:
                if earlier.slug == outcome.slug:
                    raise self.fail(f"{where}[{i}].slug", f"{outcome.slug!r} is used twice")
                if earlier.name == outcome.name:
                    raise self.fail(f"{where}[{i}].name", f"{outcome.name!r} is used twice")
            outcomes.append(outcome)
        return tuple(outcomes)

    def outcome(self, data: Any, where: str, stages: tuple[Stage, ...]) -> Outcome:
        data = self.mapping(
            data,
            where,
            {"slug", "name", "hint", "response", "closes", "moves_to", "offered_at", "codes"},
            {"slug", "name", "response"},
        )
        open_slugs = [stage.slug for stage in stages[:-1]]
        closed = stages[-1].slug
        closes = data.get("closes", True)
        if not isinstance(closes, bool):
            raise self.fail(f"{where}.closes", "must be true or false")
        if closes:
            moves_to = data.get("moves_to", closed)
            if moves_to != closed:
                raise self.fail(
                    f"{where}.moves_to", f"an outcome that closes the case moves it to {closed!r}"
                )
        else:
            if "moves_to" not in data:
                raise self.fail(where, "an outcome that does not close the case needs moves_to")
            moves_to = data["moves_to"]
            if moves_to not in open_slugs:
                raise self.fail(
                    f"{where}.moves_to",
                    f"{moves_to!r} is not one of the open stages ({', '.join(open_slugs)})",
                )
        offered_at = self.slugs(data.get("offered_at", open_slugs), f"{where}.offered_at")
        for i, slug in enumerate(offered_at):
            if slug not in open_slugs:
                raise self.fail(
                    f"{where}.offered_at[{i}]",
                    f"{slug!r} is not one of the open stages ({', '.join(open_slugs)})",
                )
        if not offered_at:
            raise self.fail(f"{where}.offered_at", "must name one or more stages")
        return Outcome(
            slug=self.slug(data["slug"], f"{where}.slug"),
            name=self.text(data["name"], f"{where}.name"),
            hint=self.text(data["hint"], f"{where}.hint") if data.get("hint") else "",
            response=self.paragraphs(data["response"], f"{where}.response"),
            closes=closes,
            moves_to=moves_to,
            offered_at=tuple(offered_at),
            codes=self.codes(data.get("codes") or {}, f"{where}.codes"),
        )

    def paragraphs(self, value: Any, where: str) -> str:
        """Text kept in paragraphs (a blank line between), each on one line."""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "must be some text")
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", value) if p.strip()]
        return "\n\n".join(paragraphs)

    def codes(self, data: Any, where: str) -> tuple[NationalCode, ...]:
        if not isinstance(data, dict):
            raise self.fail(where, "must be a mapping of vocabularies to codes")
        codes = []
        for scheme, value in data.items():
            if scheme not in SCHEMES:
                raise self.fail(
                    where, f"{scheme!r} is not one of the vocabularies {', '.join(SCHEMES)}"
                )
            if value in (None, ""):
                continue  # no code published for this outcome: leave it empty
            if str(value) not in SCHEMES[scheme].values:
                raise self.fail(
                    f"{where}.{scheme}",
                    f"{value!r} is not a code of {SCHEMES[scheme].name} "
                    f"({', '.join(SCHEMES[scheme].values)})",
                )
            codes.append(NationalCode(scheme=scheme, value=str(value)))
        return tuple(codes)


def read_workflows(path: Path) -> Workflows:
    """Read and check a workflows file; WorkflowError names the file and the place."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise WorkflowError(f"{path}: cannot be read: {error.strerror or error}") from None
    except yaml.YAMLError as error:
        raise WorkflowError(f"{path}: not valid YAML: {error}") from None
    return _Reader(str(path)).workflows(data)


def workflows_file() -> Path:
    return Path(getattr(settings, "WORKFLOWS_FILE", "") or FILE)


_loaded: Workflows | None = None


def check_workflows() -> Workflows:
    """Read the workflows file afresh (start-up; after it changed): ImproperlyConfigured
    with the file and the place when it breaks a rule."""
    global _loaded
    try:
        _loaded = read_workflows(workflows_file())
    except WorkflowError as error:
        raise ImproperlyConfigured(f"The workflows file is broken: {error}") from None
    return _loaded


def workflows() -> Workflows:
    """Every workflow, read once and kept."""
    return _loaded if _loaded is not None else check_workflows()


def workflow_for(team_slug: str) -> Workflow:
    """The team's workflow, or the default for a team the file does not name."""
    return workflows().for_team(team_slug)


@receiver(setting_changed)
def _forget_on_change(*, setting: str, **kwargs: Any) -> None:
    # Tests (and only tests) change WORKFLOWS_FILE while running: read the new one.
    global _loaded
    if setting == "WORKFLOWS_FILE":
        _loaded = None
