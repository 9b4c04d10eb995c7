"""Leavers: an administrator closes an account on its page in the administration site."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.http import QueryDict
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, last_code, make_user, signed_in
from frontdoor.accounts.models import Membership, User
from frontdoor.audit.models import AuditEvent
from frontdoor.cases import services as cases
from frontdoor.cases.models import Case, CaseEvent
from frontdoor.documents.models import Document
from frontdoor.referrals import drafts, registry
from frontdoor.referrals.models import Draft
from frontdoor.referrals.presenting import prefill
from frontdoor.referrals.submissions import NotReady, submit
from tests.sending import _post, fill, send

pytestmark = pytest.mark.django_db


def leaver_url(user: User) -> str:
    return f"/admin/accounts/user/{user.pk}/leaver/"


def is_signed_in(client: Client) -> bool:
    return client.get("/account/details/").status_code == 200


@pytest.fixture
def colleague(db):
    """A professional at the same school as the professional persona (school.example.org)."""
    return make_user(
        "deputy@school.example.org", "Dee", "Brown", is_professional=True, organisation="Riverside"
    )


@pytest.fixture
def draft(professional):
    """A draft of the professional's with an answered section and a document."""
    feedback = registry.get("feedback")
    started = drafts.start(professional, feedback)
    data = QueryDict("kind=complaint&what_happened=Nobody+called+back")
    drafts.save_section(started, feedback.section("your-feedback"), data, loaded_revision=0)
    Document.objects.create(
        owner=professional,
        draft=started,
        name="notes.pdf",
        kind="pdf",
        size=13,
        sha256="0" * 64,
        stored_as="test/leaver-notes",
        scanned=True,
    )
    return Draft.objects.get(pk=started.pk)


@pytest.fixture
def admin_client(administrator, run_tasks):
    return signed_in(administrator, run_tasks)


def test_closing_a_professional_hands_their_drafts_to_a_colleague_who_is_emailed(
    admin_client, administrator, professional, colleague, draft, run_tasks, smtp_server, settings
):
    theirs = signed_in(professional, run_tasks)
    colleagues = signed_in(colleague, run_tasks)
    page = admin_client.get(leaver_url(professional))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Close the account of a leaver" in html
    assert "Hand their drafts to" in html
    settings.MAILERS = smtp_server.mailers()

    response = admin_client.post(
        leaver_url(professional), {"drafts_to": "Deputy@School.example.org"}
    )

    assert response.status_code == 302
    assert response["Location"] == leaver_url(professional)
    professional.refresh_from_db()
    assert not professional.is_active
    assert not is_signed_in(theirs)  # signed out at once, not at the next time-out
    done = admin_client.get(response["Location"]).content.decode()
    assert "Account closed: its sessions have ended. 1 draft handed over" in done
    # The draft is the colleague's, as it was: answers, documents; only "About you" (the
    # sender's, never saved here) has a new revision, so no older copy saves over it.
    moved = Draft.objects.get(pk=draft.pk)
    assert moved.owner == colleague
    assert moved.answers == draft.answers
    assert moved.revisions == {**draft.revisions, "about-you": 1}
    assert moved.completed == draft.completed
    assert list(moved.documents.values_list("owner", flat=True)) == [colleague.pk]
    recover = colleagues.get("/forms/recover/")
    assert f"/forms/draft/{draft.pk}/" in recover.content.decode()
    run_tasks()
    [email] = [m for m in smtp_server.messages if m["To"] == colleague.email]
    body = email.get_body(("plain",)).get_content()
    assert body.startswith("Dear Dee,")
    assert "handed you a form" in body
    assert "Recover a form" in body
    # Straight to the page it names (through sign-in), not to the home page.
    assert f"{settings.SITE_URL}/forms/recover/" in body
    assert f'href="{settings.SITE_URL}/forms/recover/"' in email.get_body(("html",)).get_content()
    for personal in (professional.first_name, professional.last_name, professional.email):
        assert personal not in email.as_string()
    closed = AuditEvent.objects.get(action="account.deactivated")
    assert (closed.actor_id, closed.object_id) == (administrator.pk, str(professional.pk))
    assert closed.detail == {
        "drafts_handed_over": 1,
        "referrals_returned": 0,
        "restrictions_left": 0,
        "restrictions_to_managers": 0,
        "proposals_kept": 0,
    }
    handed = AuditEvent.objects.get(action="drafts.handed_over")
    assert handed.actor_id == administrator.pk
    assert handed.detail == {"to": colleague.pk, "drafts": [draft.pk], "kept": []}


def test_a_closed_account_cannot_sign_in_with_the_closed_message(
    admin_client, professional, client
):
    assert admin_client.post(leaver_url(professional), {"drafts_to": ""}).status_code == 302
    response = client.post("/account/sign-in/", {"email": professional.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "This account has been closed" in response.content.decode()
    wrong = Client().post("/account/sign-in/", {"email": professional.email, "password": "x" * 12})
    assert "This account has been closed" not in wrong.content.decode()


def test_a_code_asked_for_before_closing_does_not_sign_in_after(
    admin_client, professional, client, run_tasks
):
    client.post("/account/sign-in/", {"email": professional.email, "password": PASSWORD})
    run_tasks()
    assert admin_client.post(leaver_url(professional), {"drafts_to": ""}).status_code == 302

    client.post("/account/sign-in/code/", {"code": last_code(professional.email)})

    assert not is_signed_in(client)


@pytest.mark.parametrize(
    ("to", "message"),
    [
        ("gp@surgery.example.nhs.uk", "Drafts can only go to a colleague whose email address ends"),
        ("parent@school.example.org", "That account is not a professional&#x27;s"),
        ("closed@school.example.org", "That account is closed"),
        (
            "new@school.example.org",
            "new@school.example.org has not confirmed their email address yet, and an account "
            "that is not confirmed is deleted with its drafts 7 days after it was made: choose "
            "a colleague whose account is in use",
        ),
        ("nobody@school.example.org", "There is no account with that email address"),
        ("dsl@school.example.org", "not the leaver&#x27;s own"),
        ("not an email", "Enter an email address in the correct format"),
    ],
)
def test_drafts_go_only_to_an_open_professional_account_at_the_same_domain(
    admin_client, professional, second_professional, draft, to, message
):
    make_user("parent@school.example.org", "Pat", "Parent")
    make_user("closed@school.example.org", "Cal", "Closed", is_professional=True, is_active=False)
    # Registered, but never entered the code sent: deleted after UNVERIFIED_ACCOUNT_DAYS,
    # with anything handed to it (Draft.owner cascades).
    unconfirmed = make_user("new@school.example.org", "Nia", "New", is_professional=True)
    User.objects.filter(pk=unconfirmed.pk).update(email_verified_at=None)

    response = admin_client.post(leaver_url(professional), {"drafts_to": to})

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert f'value="{to}"' in html  # what was typed is kept
    professional.refresh_from_db()
    assert professional.is_active  # nothing done: not closed, drafts still theirs
    assert Draft.objects.get(pk=draft.pk).owner == professional
    assert not AuditEvent.objects.filter(action__in=["account.deactivated", "drafts.handed_over"])


def test_drafts_go_to_no_unconfirmed_account_after_closing_either(
    admin_client, professional, draft
):
    unconfirmed = make_user("new@school.example.org", "Nia", "New", is_professional=True)
    User.objects.filter(pk=unconfirmed.pk).update(email_verified_at=None)
    assert admin_client.post(leaver_url(professional), {"drafts_to": ""}).status_code == 302

    response = admin_client.post(leaver_url(professional), {"drafts_to": unconfirmed.email})

    assert response.status_code == 200
    assert "has not confirmed their email address yet" in response.content.decode()
    assert Draft.objects.get(pk=draft.pk).owner == professional
    assert not AuditEvent.objects.filter(action="drafts.handed_over")


def test_a_personal_email_domain_is_no_organisation_so_no_hand_over(admin_client, draft):
    """A professional may have a personal address (a childminder, say: registered as the
    public, then marked professional): anyone else at gmail.com is no colleague of theirs.
    The page says so and offers no hand-over; closing without one still works."""
    leaver = make_user("cam.minder@gmail.com", "Cam", "Minder", is_professional=True)
    stranger = make_user("someone.else@gmail.com", "Sam", "Else", is_professional=True)
    Draft.objects.filter(pk=draft.pk).update(owner=leaver)
    page = admin_client.get(leaver_url(leaver)).content.decode()
    said = (
        "Their drafts cannot be handed to a colleague: their email address is at gmail.com, "
        "a personal email service, so an address there does not show who they work with"
    )
    assert said in page
    assert "Hand their drafts to" not in page

    # Refused even if posted (the field is not on the page): nothing is done.
    refused = admin_client.post(leaver_url(leaver), {"drafts_to": stranger.email})

    assert refused.status_code == 200
    html = refused.content.decode()
    assert "There is a problem" in html
    assert f"{said}. Their drafts stay with this account, and are deleted 30 days" in html
    leaver.refresh_from_db()
    assert leaver.is_active
    assert Draft.objects.get(pk=draft.pk).owner == leaver
    assert not AuditEvent.objects.filter(action__in=["account.deactivated", "drafts.handed_over"])

    closing = admin_client.post(leaver_url(leaver), {"drafts_to": ""})

    assert closing.status_code == 302
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert Draft.objects.get(pk=draft.pk).owner == leaver  # deleted as usual
    closed = admin_client.get(leaver_url(leaver)).content.decode()
    assert said in closed
    assert "Hand over the drafts" not in closed
    again = admin_client.post(leaver_url(leaver), {"drafts_to": stranger.email})
    assert "Their drafts stay with this account" in again.content.decode()
    assert Draft.objects.get(pk=draft.pk).owner == leaver
    assert not AuditEvent.objects.filter(action="drafts.handed_over")


def test_the_personal_email_domains_are_the_councils_setting(admin_client, draft, settings):
    settings.PERSONAL_EMAIL_DOMAINS = ["Webmail.example"]
    leaver = make_user("cam@webmail.example", "Cam", "Minder", is_professional=True)
    stranger = make_user("sam@webmail.example", "Sam", "Else", is_professional=True)
    Draft.objects.filter(pk=draft.pk).update(owner=leaver)

    response = admin_client.post(leaver_url(leaver), {"drafts_to": stranger.email})

    assert "a personal email service" in response.content.decode()
    assert Draft.objects.get(pk=draft.pk).owner == leaver


def test_a_closed_accounts_drafts_can_be_handed_over_afterwards(
    admin_client, professional, colleague, draft
):
    assert admin_client.post(leaver_url(professional), {"drafts_to": ""}).status_code == 302
    assert Draft.objects.get(pk=draft.pk).owner == professional  # left to be deleted as usual
    page = admin_client.get(leaver_url(professional)).content.decode()
    assert "Hand over the drafts" in page

    empty = admin_client.post(leaver_url(professional), {"drafts_to": ""})
    assert "Enter the email address of the colleague" in empty.content.decode()
    response = admin_client.post(leaver_url(professional), {"drafts_to": colleague.email})

    assert response.status_code == 302
    assert Draft.objects.get(pk=draft.pk).owner == colleague
    assert AuditEvent.objects.filter(action="drafts.handed_over").count() == 1


def test_drafts_that_do_not_fit_the_colleagues_limits_are_refused_and_nothing_done(
    admin_client, professional, colleague, draft, settings
):
    """The colleague already has the most drafts of the form an account may have: the
    hand-over is refused with a GOV.UK error, and nothing is done (not even the closing)."""
    settings.DRAFTS_MAX_PER_FORM = 1
    drafts.start(colleague, registry.get("feedback"))

    response = admin_client.post(leaver_url(professional), {"drafts_to": colleague.email})

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert f"None of the drafts can go to {colleague.email}" in html
    assert "more than 1 drafts of a form" in html
    professional.refresh_from_db()
    assert professional.is_active
    assert Draft.objects.get(pk=draft.pk).owner == professional
    assert Draft.objects.filter(owner=colleague).count() == 1
    assert not AuditEvent.objects.filter(action__in=["account.deactivated", "drafts.handed_over"])


def test_the_colleagues_document_store_counts_too(
    admin_client, professional, colleague, draft, settings
):
    settings.ACCOUNT_DOCUMENTS_MAX_MB = 0  # the draft's 13 bytes do not fit
    response = admin_client.post(leaver_url(professional), {"drafts_to": colleague.email})
    assert "None of the drafts can go to" in response.content.decode()
    assert Draft.objects.get(pk=draft.pk).owner == professional


def test_what_fits_is_handed_over_and_the_rest_stays_to_go_to_another_colleague(
    admin_client, professional, colleague, draft, settings
):
    older = Draft.objects.get(pk=draft.pk)
    newer = drafts.start(professional, registry.get("feedback"))
    settings.DRAFTS_MAX_PER_FORM = 1
    Draft.objects.filter(pk=older.pk).update(saved_at=newer.saved_at - timedelta(days=1))

    response = admin_client.post(leaver_url(professional), {"drafts_to": colleague.email})

    assert response.status_code == 302
    # The one saved last goes (the one most likely in hand); the other stays, and says so.
    assert Draft.objects.get(pk=newer.pk).owner == colleague
    assert Draft.objects.get(pk=older.pk).owner == professional
    assert list(Document.objects.filter(draft=older).values_list("owner", flat=True)) == [
        professional.pk
    ]
    page = admin_client.get(response["Location"]).content.decode()
    assert "1 draft handed over. The colleague has been emailed. 1 draft did not fit" in page
    assert "hand it to another colleague below" in page
    assert "Hand over the drafts" in page
    handed = AuditEvent.objects.get(action="drafts.handed_over")
    assert handed.detail == {"to": colleague.pk, "drafts": [newer.pk], "kept": [older.pk]}
    other = make_user("head@school.example.org", "Hal", "Head", is_professional=True)
    admin_client.post(leaver_url(professional), {"drafts_to": other.email})
    assert Draft.objects.get(pk=older.pk).owner == other


def test_a_handed_draft_is_sent_as_the_colleague_who_is_told_whose_it_was(
    admin_client, professional, colleague, run_tasks
):
    """The sections about the sender ("Your details", "Your work") were the leaver's: they
    start again, filled in from the colleague's account, so the referral goes as them."""
    definition = registry.get("social-care-referral")
    theirs = fill(
        professional,
        "social-care-referral",
        your_details={"first_name": "Priya", "last_name": "Patel", "email": professional.email},
        your_work={"organisation": "Riverside", "secure_email": "priya.patel@secure.example"},
        reason={"concerns": "Bruises seen on Monday"},
    )
    assert set(theirs.completed) >= {"your-details", "your-work", "reason"}

    admin_client.post(leaver_url(professional), {"drafts_to": colleague.email})

    moved = Draft.objects.get(pk=theirs.pk)
    assert (moved.owner, moved.handed_over_from) == (colleague, professional)
    for about_them in ("your-details", "your-work"):
        assert about_them not in moved.answers
        assert about_them not in moved.completed
    assert moved.answers["reason"] == theirs.answers["reason"]  # the rest is kept
    assert professional.email not in json.dumps(moved.answers)
    assert "priya.patel@secure.example" not in json.dumps(moved.answers)
    client = signed_in(colleague, run_tasks)
    page = client.get(f"/forms/draft/{moved.pk}/").content.decode()
    assert "This form was handed over to you from Priya Patel" in page
    assert "except ‘Your details’ and ‘Your work’, which were about them" in page
    assert "You send it as yourself" in page
    details = client.get(f"/forms/draft/{moved.pk}/your-details/").content.decode()
    assert 'value="Dee"' in details
    assert 'value="deputy@school.example.org"' in details
    assert "Priya" not in details
    with pytest.raises(NotReady):
        submit(moved.pk, colleague)  # not until the colleague has completed them

    for section in drafts.about_the_sender(definition):
        # What the colleague's account filled in, as the page posts it (and a telephone
        # number, which their account does not have).
        answers = {"telephone": "01632 960983", **prefill(section, colleague)}
        _, form = drafts.save_section(
            moved,
            section,
            _post(section, {k: v for k, v in answers.items() if v}, True),
            loaded_revision=int(moved.revisions[section.slug]),
        )
        assert not form.errors
    sent = submit(moved.pk, colleague)
    assert sent.owner == colleague
    assert sent.answers["your-details"]["first_name"] == "Dee"
    assert sent.answers["your-work"]["organisation"] == "Riverside"
    assert professional.email not in json.dumps(sent.answers)


def test_a_staff_leavers_open_referrals_go_back_to_the_team_unassigned(
    admin_client, administrator, professional, mash_staff
):
    mash_staff.memberships.update(role=Membership.Role.MANAGER)  # decides alone
    open_case = send(professional, "social-care-referral").case
    cases.assign(open_case, mash_staff, by=mash_staff)
    closed_case = send(professional, "social-care-referral").case
    cases.assign(closed_case, mash_staff, by=mash_staff)
    outcome = cases.offered_outcomes(closed_case)[0]
    cases.decide(closed_case, outcome.slug, "We have looked at it.", by=mash_staff)
    closed_case.refresh_from_db()
    assert closed_case.closed_at is not None
    page = admin_client.get(leaver_url(mash_staff)).content.decode()
    assert "Council staff: " in page

    response = admin_client.post(leaver_url(mash_staff), {})

    assert response.status_code == 302
    open_case.refresh_from_db()
    closed_case.refresh_from_db()
    assert open_case.assignee is None
    assert closed_case.assignee == mash_staff  # who decided it stays on it
    event = open_case.events.get(action=CaseEvent.Action.UNASSIGNED)
    assert event.actor == administrator
    assert event.detail == {"before": mash_staff.pk, "reason": "leaver"}
    audit = AuditEvent.objects.get(action="case.unassigned")
    assert audit.actor_id == administrator.pk
    assert audit.detail == {"before": mash_staff.pk, "reason": "leaver"}
    assert AuditEvent.objects.get(action="account.deactivated").detail["referrals_returned"] == 1


def test_a_staff_leavers_proposed_decisions_wait_for_a_manager_who_is_told(
    admin_client, administrator, professional, mash_staff, teams, run_tasks
):
    """A worker's proposed decision is the team's work: when they leave it still waits
    for a manager, who confirms or changes it; the pages say its proposer has left."""
    boss = make_user("mash.boss@council.example.gov.uk", "Ola", "Boss", is_professional=True)
    Membership.objects.create(user=boss, team=teams["social-care"], role=Membership.Role.MANAGER)
    case = send(professional, "social-care-referral").case
    cases.assign(case, mash_staff, by=mash_staff)
    outcome = cases.offered_outcomes(case)[0]
    cases.decide(case, outcome.slug, "We have looked at it.", by=mash_staff)
    case.refresh_from_db()
    assert case.proposed_by == mash_staff  # a worker proposes; a manager confirms

    page = admin_client.get(leaver_url(mash_staff)).content.decode()
    assert "Decisions they proposed, waiting for a manager" in page
    assert "The 1 decision they proposed still waits for a manager of the team" in page
    response = admin_client.post(leaver_url(mash_staff), {})

    done = admin_client.get(response["Location"]).content.decode()
    assert "1 decision they proposed still waits for a manager" in done
    case.refresh_from_db()
    assert (case.proposed_outcome, case.proposed_by, case.assignee) == (
        outcome.slug,
        mash_staff,
        None,
    )
    kept = AuditEvent.objects.get(action="case.proposal_kept")
    assert kept.actor_id == administrator.pk
    assert kept.detail == {
        "proposed_by": mash_staff.pk,
        "outcome": outcome.slug,
        "reason": "leaver",
    }
    assert AuditEvent.objects.get(action="account.deactivated").detail["proposals_kept"] == 1
    theirs = signed_in(boss, run_tasks)
    reference = case.submission.reference
    confirm = theirs.get(f"/team/{reference}/confirm/").content.decode()
    assert "Morgan Reid (their account is closed) proposed this decision" in confirm
    cases.confirm(case, boss)
    assert Case.objects.get(pk=case.pk).outcome == outcome.slug


def test_the_referral_history_says_the_assignee_left(
    admin_client, professional, mash_staff, teams, run_tasks
):
    case = send(professional, "social-care-referral").case
    cases.assign(case, mash_staff, by=mash_staff)
    colleague = make_user("mash.two@council.example.gov.uk", "Jo", "Second", is_professional=True)
    colleague.teams.add(teams["social-care"])
    admin_client.post(leaver_url(mash_staff), {})

    page = signed_in(colleague, run_tasks).get(f"/team/{case.submission.reference}/")

    assert "Unassigned Morgan Reid: their account was closed" in page.content.decode()


def test_a_leaver_named_last_on_a_restriction_leaves_it_to_the_teams_managers(
    admin_client, administrator, professional, mash_staff, teams, run_tasks
):
    """A restriction always has a manager who can lift it: the manager who restricted a
    referral leaves, and the team's other managers can see it, change who can and lift
    it. The leaver page warns first; the history and the audit say what happened."""
    mash_staff.memberships.update(role=Membership.Role.MANAGER)
    worker = make_user("mash.two@council.example.gov.uk", "Jo", "Second", is_professional=True)
    worker.teams.add(teams["social-care"])
    other = make_user("mash.boss@council.example.gov.uk", "Ola", "Boss", is_professional=True)
    Membership.objects.create(user=other, team=teams["social-care"], role=Membership.Role.MANAGER)
    case = send(professional, "social-care-referral").case
    cases.restrict(case, [worker], mash_staff)
    reference = case.submission.reference
    theirs = signed_in(other, run_tasks)
    assert theirs.get(f"/team/{reference}/").status_code == 404

    page = admin_client.get(leaver_url(mash_staff)).content.decode()
    assert "Restricted referrals naming them" in page
    assert "1 restricted referral names no other manager of the team" in page
    response = admin_client.post(leaver_url(mash_staff), {})

    assert response.status_code == 302
    done = admin_client.get(response["Location"]).content.decode()
    assert "Taken off the people who can see 1 restricted referral" in done
    assert "1 restricted referral now seen by the team&#x27;s managers" in done
    case.refresh_from_db()
    assert case.is_restricted
    assert set(case.restricted_to.all()) == {worker}
    event = case.events.get(action=CaseEvent.Action.RESTRICTION_CHANGED)
    assert event.actor == administrator
    detail = {"added": [], "removed": [mash_staff.pk], "reason": "leaver", "to_managers": True}
    assert event.detail == detail
    audit = AuditEvent.objects.get(action="case.restriction_changed")
    assert (audit.actor_id, audit.detail) == (administrator.pk, detail)
    closed = AuditEvent.objects.get(action="account.deactivated").detail
    assert (closed["restrictions_left"], closed["restrictions_to_managers"]) == (1, 1)
    # The other manager now sees it, is told why, and lifts it.
    shown = theirs.get(f"/team/{reference}/")
    assert shown.status_code == 200
    html = shown.content.decode()
    assert "the team's managers can also see it" in html
    assert "Restriction changed: removed Morgan Reid: their account was closed" in html
    assert theirs.get(f"/team/{reference}/restrict/lift/").status_code == 200
    cases.lift_restriction(case, other)
    assert not Case.objects.get(pk=case.pk).is_restricted


def test_the_leaver_page_does_not_warn_when_another_manager_is_named(
    admin_client, professional, mash_staff, teams
):
    mash_staff.memberships.update(role=Membership.Role.MANAGER)
    other = make_user("mash.boss@council.example.gov.uk", "Ola", "Boss", is_professional=True)
    Membership.objects.create(user=other, team=teams["social-care"], role=Membership.Role.MANAGER)
    case = send(professional, "social-care-referral").case
    cases.restrict(case, [other], mash_staff)

    page = admin_client.get(leaver_url(mash_staff)).content.decode()

    assert "Restricted referrals naming them" in page
    assert "no other manager" not in page
    admin_client.post(leaver_url(mash_staff), {})
    assert not cases.passed_to_managers(Case.objects.get(pk=case.pk))
    assert AuditEvent.objects.get(action="case.restriction_changed").detail["to_managers"] is False


def test_only_an_administrator_may_return_referrals_to_the_team(professional, mash_staff):
    case = send(professional, "social-care-referral").case
    cases.assign(case, mash_staff, by=mash_staff)
    with pytest.raises(cases.PermissionDenied):
        cases.return_to_team(case, mash_staff, reason="leaver")


@pytest.mark.parametrize("who", ["professional", "mash_staff"])
def test_the_leaver_page_is_404_to_anyone_but_an_administrator(
    request, who, second_professional, run_tasks
):
    asking = signed_in(request.getfixturevalue(who), run_tasks)
    for target in (second_professional.pk, 999999):
        url = f"/admin/accounts/user/{target}/leaver/"
        assert asking.get(url).status_code == 404
        assert asking.post(url, {"drafts_to": ""}).status_code == 404
    second_professional.refresh_from_db()
    assert second_professional.is_active
    assert Client().get(leaver_url(second_professional)).status_code == 302  # to sign in


def test_closing_needs_the_csrf_token(admin_client, professional):
    browser = Client(enforce_csrf_checks=True)
    browser.cookies = admin_client.cookies
    assert browser.post(leaver_url(professional), {"drafts_to": ""}).status_code == 403
    professional.refresh_from_db()
    assert professional.is_active
    page = browser.get(leaver_url(professional))
    token = page.context["csrf_token"]
    response = browser.post(leaver_url(professional), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    professional.refresh_from_db()
    assert not professional.is_active


def test_an_administrator_cannot_close_their_own_account(admin_client, administrator):
    page = admin_client.get(leaver_url(administrator)).content.decode()
    assert "another administrator must close it" in page
    response = admin_client.post(leaver_url(administrator), {"drafts_to": ""})
    assert "You cannot close your own account" in response.content.decode()
    administrator.refresh_from_db()
    assert administrator.is_active


def test_the_accounts_list_action_leads_to_the_leaver_page_one_at_a_time(
    admin_client, professional, second_professional
):
    one = admin_client.post(
        "/admin/accounts/user/",
        {"action": "close_account", "_selected_action": [str(professional.pk)]},
    )
    assert one["Location"] == leaver_url(professional)
    two = admin_client.post(
        "/admin/accounts/user/",
        {
            "action": "close_account",
            "_selected_action": [str(professional.pk), str(second_professional.pk)],
        },
        follow=True,
    )
    assert "Choose one account" in two.content.decode()
    assert User.objects.filter(is_active=False).count() == 0


def test_the_change_page_links_to_the_leaver_page_and_has_no_active_box(admin_client, professional):
    url = f"/admin/accounts/user/{professional.pk}/change/"
    html = admin_client.get(url).content.decode()
    assert leaver_url(professional) in html
    assert 'name="is_active"' not in html
    form = {
        "email": professional.email,
        "first_name": "Priya",
        "last_name": "Patel",
        "is_professional": "on",
        "organisation": "Riverside Primary School",
        "job_title": "",
        "telephone": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    assert admin_client.post(url, form).status_code == 302  # saved, without is_active
    professional.refresh_from_db()
    assert professional.is_active


def test_a_handed_draft_is_kept_draft_days_from_the_hand_over(professional, colleague, draft):
    """The leaver last saved it 29 days ago: it is the colleague's for DRAFT_DAYS from now,
    not deleted the next day, and its reminder is due again before then."""
    long_ago = timezone.now() - timedelta(days=settings.DRAFT_DAYS - 1)
    Draft.objects.filter(pk=draft.pk).update(saved_at=long_ago, reminded_at=long_ago)
    drafts.hand_over([draft.pk], colleague)
    handed = Draft.objects.get(pk=draft.pk)
    assert handed.deletes_at > timezone.now() + timedelta(days=settings.DRAFT_DAYS - 1)
    assert handed.reminded_at is None
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        drafts.delete_expired()
    assert Draft.objects.filter(pk=draft.pk, owner=colleague).exists()
