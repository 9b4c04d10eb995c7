"""A referral whose child was named in a referral retention has removed says so on its
staff page: "Referred before: <ref>, <form>, <outcome>, closed <date> (record removed
under retention)", to the staff who could have seen that referral as a repeat."""

import re

import pytest

from conftest import make_user, signed_in
from frontdoor.cases import figures, services
from frontdoor.cases.models import Case
from frontdoor.referrals.models import Tombstone
from frontdoor.retention.services import apply_retention
from frontdoor.retention.tests.conftest import DAY, SENT, close_at, send_at

pytestmark = pytest.mark.django_db

CLOSED = SENT + 2 * DAY
REMOVED = CLOSED + 365 * DAY


def removed_then_again(professional, second_professional, manager):
    first = send_at(professional, SENT)
    close_at(first, manager, CLOSED)
    apply_retention(now=REMOVED)
    return first.reference, send_at(second_professional, REMOVED + 30 * DAY)


def test_the_page_says_the_child_was_referred_before(
    professional, second_professional, manager, run_tasks
):
    reference, again = removed_then_again(professional, second_professional, manager)
    page = signed_in(manager, run_tasks).get(f"/team/{again.reference}/").content.decode()

    removed = page.split('data-testid="removed-repeats"')[1].split("</ul>")[0]
    outcome = Tombstone.objects.get(reference=reference).outcome_name
    assert (
        f"Referred before: {reference}, Children&#x27;s Social Care referral, {outcome}, "
        "closed 4 March 2026 (record removed under retention)"
    ) in removed
    assert f'href="/team/{reference}/"' not in page  # nothing left to open
    assert "No other referral you can see names the same child" not in page
    assert "Repeat referrals (1)" in page


def test_staff_of_a_team_that_could_not_see_it_are_not_told(
    professional, second_professional, manager, teams, run_tasks
):
    reference, again = removed_then_again(professional, second_professional, manager)
    # The new referral goes to LADO, which does not share Social Care's repeats.
    services.transfer(Case.objects.get(pk=again.pk), teams["lado"], "For LADO", manager)
    lado_officer = make_user("lado.officer@council.example.gov.uk", "Lee", "Ado")
    lado_officer.teams.add(teams["lado"])

    page = signed_in(lado_officer, run_tasks).get(f"/team/{again.reference}/").content.decode()
    assert "Repeat referrals" in page
    assert reference not in page
    # Social Care, which transferred it, still reads it with its own sharing.
    page = signed_in(manager, run_tasks).get(f"/team/{again.reference}/").content.decode()
    assert f"Referred before: {reference}" in page


def test_a_referral_restricted_when_removed_is_never_listed(
    professional, second_professional, manager, run_tasks
):
    first = send_at(professional, SENT)
    services.restrict(Case.objects.get(pk=first.pk), [manager], manager)
    close_at(first, manager, CLOSED)
    apply_retention(now=REMOVED)
    again = send_at(second_professional, REMOVED + DAY)
    assert Case.objects.get(pk=again.pk).removed_repeats.exists()

    page = signed_in(manager, run_tasks).get(f"/team/{again.reference}/").content.decode()
    assert first.reference not in page


# --- The inbox's "Repeat: N" tag ------------------------------------------------------------

INBOX = "/team/in/social-care/"


def inbox_row(client, reference: str) -> str:
    """The text of the inbox's row for `reference`, tags dropped and spaces collapsed."""
    page = client.get(INBOX)
    assert page.status_code == 200
    rows = page.content.decode().split('<tbody class="govuk-table__body">', 1)[1]
    row = next(r for r in rows.split("<tr") if f"/team/{reference}/" in r)
    return " ".join(re.sub(r"<[^>]+>", " ", row).split())


def test_the_inbox_tags_a_child_referred_before_as_a_repeat(
    professional, second_professional, manager, run_tasks
):
    """The earlier referral is gone (only its tombstone is linked): still a repeat."""
    _, again = removed_then_again(professional, second_professional, manager)
    assert not Case.objects.get(pk=again.pk).repeats.exists()
    assert "Repeat: 1 other referral" in inbox_row(signed_in(manager, run_tasks), again.reference)


def test_the_inbox_counts_removed_and_live_repeats_together(
    professional, second_professional, manager, run_tasks
):
    """A live repeat and a removed one: two other referrals each, as the referral page
    counts them."""
    _, again = removed_then_again(professional, second_professional, manager)
    third = send_at(professional, REMOVED + 31 * DAY)
    staff = signed_in(manager, run_tasks)
    assert "Repeat: 2 other referrals" in inbox_row(staff, third.reference)
    assert "Repeat: 2 other referrals" in inbox_row(staff, again.reference)
    page = staff.get(f"/team/{third.reference}/").content.decode()
    assert "Repeat referrals (2)" in page


def test_the_inbox_does_not_tag_a_repeat_restricted_when_removed(
    professional, second_professional, manager, run_tasks
):
    first = send_at(professional, SENT)
    services.restrict(Case.objects.get(pk=first.pk), [manager], manager)
    close_at(first, manager, CLOSED)
    apply_retention(now=REMOVED)
    again = send_at(second_professional, REMOVED + DAY)
    assert Case.objects.get(pk=again.pk).removed_repeats.exists()  # linked, but hidden
    assert "Repeat:" not in inbox_row(signed_in(manager, run_tasks), again.reference)


def test_the_inbox_of_a_team_that_could_not_see_it_does_not_tag_it(
    professional, second_professional, manager, teams, run_tasks
):
    _, again = removed_then_again(professional, second_professional, manager)
    services.transfer(Case.objects.get(pk=again.pk), teams["lado"], "For LADO", manager)
    lado_officer = make_user("lado.officer@council.example.gov.uk", "Lee", "Ado")
    lado_officer.teams.add(teams["lado"])
    page = signed_in(lado_officer, run_tasks).get("/team/in/lado/")
    assert again.reference in page.content.decode()
    row = page.content.decode().split(f"/team/{again.reference}/", 1)[1].split("</tr>")[0]
    assert "Repeat:" not in row


# --- The dashboard's re-referral figure ---------------------------------------------------


def test_a_re_referral_still_counts_once_the_earlier_referral_is_removed(
    professional, second_professional, manager, teams
):
    """Referred again a month on (a live repeat then); the first removed a year after its
    closure: the second is still a re-referral within 12 months of the first."""
    first = send_at(professional, SENT)
    again = send_at(second_professional, SENT + 30 * DAY)
    assert Case.objects.get(pk=again.pk).repeats.exists()
    close_at(first, manager, CLOSED)
    now = REMOVED + DAY
    before = figures.figures(teams["social-care"], now=now)
    apply_retention(now=now)
    assert not Case.objects.filter(pk=first.pk).exists()
    after = figures.figures(teams["social-care"], now=now)
    assert (before.referrals_year, before.rereferrals) == (1, 1)
    assert (after.referrals_year, after.rereferrals) == (1, 1)


def test_a_removed_referral_over_12_months_before_is_not_a_re_referral(
    professional, second_professional, manager, teams
):
    _, again = removed_then_again(professional, second_professional, manager)
    assert Case.objects.get(pk=again.pk).removed_repeats.exists()  # a repeat, but too old
    found = figures.figures(teams["social-care"], now=REMOVED + 31 * DAY)
    assert (found.referrals_year, found.rereferrals) == (1, 0)
