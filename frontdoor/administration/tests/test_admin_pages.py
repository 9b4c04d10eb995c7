"""The administration site's pages for teams, members and roles, and what the files say
of each team (its forms, workflow and timescales), shown read-only."""

import pytest
from django.test import Client
from django.utils.html import escape

from conftest import make_user, signed_in
from frontdoor.accounts.models import Membership, Team
from frontdoor.cases.workflows import workflow_for
from frontdoor.referrals import registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(administrator, run_tasks):
    return signed_in(administrator, run_tasks)


def team_url(team: Team) -> str:
    return f"/admin/accounts/team/{team.pk}/change/"


def test_the_teams_page_shows_its_forms_workflow_and_timescales_read_only(admin_client, teams):
    social_care = teams["social-care"]
    html = admin_client.get(team_url(social_care)).content.decode()

    workflow = workflow_for("social-care")
    titles = [d.title for d in registry.forms().values() if d.team == "social-care"]
    assert titles
    for title in titles:
        assert escape(title) in html
    for outcome in workflow.outcomes:
        assert escape(outcome.name) in html
    for stage in workflow.stages:
        assert stage.name in html
    assert "Time to decide" in html
    assert "1 working day" in html
    assert "WORKFLOWS_FILE" in html  # where they are changed
    assert "COUNCIL_CLOSURE_DAYS" in html
    for name in ("stages", "outcomes", "managers_only", "timescales", "forms_sent_here"):
        assert f'name="{name}"' not in html  # shown, not fields
    send = admin_client.get(team_url(teams["send"])).content.decode()
    assert "6 weeks" in send


def test_posting_the_workflow_to_a_team_changes_nothing_of_it(admin_client, teams):
    lado = teams["lado"]
    before = workflow_for("lado")
    form = {
        "name": lado.name,
        "slug": lado.slug,
        "mailbox": lado.mailbox,
        "forms": "[]",  # not on the page: ignored
        "outcomes": "Rewritten",
        "stages": "Rewritten",
        "timescales": "99 days",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }

    response = admin_client.post(team_url(lado), form)

    assert response.status_code == 302
    assert workflow_for("lado") == before
    html = admin_client.get(team_url(lado)).content.decode()
    assert "Rewritten" not in html
    assert "99 days" not in html


def test_members_and_their_roles_are_set_on_the_teams_page(admin_client, teams):
    early_help = teams["early-help"]
    worker = make_user("eh.new@council.example.gov.uk", "Eve", "New", is_professional=True)
    form = {
        "name": early_help.name,
        "slug": early_help.slug,
        "mailbox": early_help.mailbox,
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-user": str(worker.pk),
        "memberships-0-role": "manager",
    }

    response = admin_client.post(team_url(early_help), form)

    assert response.status_code == 302
    membership = Membership.objects.get(user=worker, team=early_help)
    assert membership.role == Membership.Role.MANAGER
    assert worker.is_manager_of(early_help)


def test_the_teams_page_says_who_each_member_is(admin_client, teams, mash_staff):
    # An account's number alone tells an administrator nothing: each member is named,
    # with their email address, beside the box that holds the number.
    html = admin_client.get(team_url(teams["social-care"])).content.decode()
    member = mash_staff.get_full_name()
    assert member
    assert escape(f"{member} ({mash_staff.email})") in html
    assert f">Account {mash_staff.pk}<" not in html
    mash_staff.is_active = False  # a leaver still in the team
    mash_staff.save(update_fields=["is_active"])
    html = admin_client.get(team_url(teams["social-care"])).content.decode()
    assert escape(f"{member} ({mash_staff.email}, account closed)") in html


def test_an_accounts_page_is_headed_with_whose_it_is(admin_client, professional):
    html = admin_client.get(f"/admin/accounts/user/{professional.pk}/change/").content.decode()
    assert f"<h2>{escape(professional.get_full_name())} ({professional.email})</h2>" in html
    assert f"<h2>Account {professional.pk}</h2>" not in html


@pytest.mark.parametrize(
    "path",
    [
        "/admin/accounts/team/",
        "/admin/accounts/team/{pk}/change/",
        "/admin/accounts/user/",
        "/admin/audit/auditevent/",
    ],
)
def test_the_administration_pages_load_for_an_administrator_and_are_404_to_others(
    admin_client, teams, mash_staff, professional, run_tasks, path
):
    url = path.format(pk=teams["social-care"].pk)
    assert admin_client.get(url).status_code == 200
    for someone in (mash_staff, professional):
        assert signed_in(someone, run_tasks).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the portal's sign-in
