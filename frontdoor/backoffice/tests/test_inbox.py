"""The team's inbox: rows, order, filters, search, pages, who may see it (and the team's
workload, on the manager's dashboard)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_user, signed_in
from frontdoor.accounts.models import Membership
from frontdoor.audit.models import AuditEvent
from frontdoor.backoffice.inbox import SearchForm, search_html
from frontdoor.cases import services
from frontdoor.cases.models import Case
from frontdoor.referrals.models import Tombstone
from tests.bulk_referrals import copies
from tests.sending import CHILD, send

pytestmark = pytest.mark.django_db

DASHBOARD = "/team/in/social-care/dashboard/"
INBOX = "/team/in/social-care/"
SEARCH = "/team/in/social-care/search/"
ZOE = {**CHILD, "first_name": "Zoë", "last_name": "Smith-Jones", "nhs_number": "943 476 5919"}
BEN = {
    **CHILD,
    "first_name": "Ben",
    "last_name": "Smith-Jones",
    "date_of_birth": datetime.date(2019, 6, 1),
}


def text(response) -> str:
    """The page's text, tags dropped and spaces collapsed."""
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def references(response) -> list[str]:
    """The references in the inbox's rows, in order."""
    html = response.content.decode()
    table = html.split('<tbody class="govuk-table__body">', 1)[-1].split("</tbody>", 1)[0]
    return re.findall(r'href="/team/(FD-\d{4}-\d{6})/"', table)


def age(born: datetime.date) -> int:
    today = timezone.localdate()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def manager(user) -> None:
    """Make a member of the MASH its manager (who decides at once, without a confirmation)."""
    Membership.objects.filter(user=user).update(role=Membership.Role.MANAGER)


@pytest.fixture
def staff(mash_staff, run_tasks):
    return signed_in(mash_staff, run_tasks)


def test_a_row_shows_the_children_flags_referrer_and_time_left(professional, mash_staff, staff):
    unborn = {
        "first_name": "Baby",
        "last_name": "Example",
        "is_unborn": "yes",
        "due_date": datetime.date(2027, 2, 3),
        "address": CHILD["address"],
    }
    sent = send(
        professional,
        "social-care-referral",
        children=[ZOE, unborn],
        immediate_risk={"at_risk_now": "yes", "unsafe_tonight": "yes"},
        your_work={"organisation": "Riverside Primary School", "job_title": "DSL"},
    )
    page = text(staff.get("/team/"))
    assert sent.reference in page
    assert "Social Care" in page
    assert f"Zoë Smith-Jones, {age(CHILD['date_of_birth'])}" in page
    assert "Baby Example, unborn (due 3 Feb 2027)" in page
    assert "At risk of significant harm now" in page
    assert "Unsafe tonight" in page
    assert "Urgent" in page
    assert "DSL, Riverside Primary School" in page
    assert "Unassigned" in page
    assert "Stage: Received" in page
    assert "Not rated" in page
    case = Case.objects.get(submission=sent)
    from frontdoor.cases.timescales import time_left

    assert time_left(case.due_at) in page
    assert AuditEvent.objects.filter(
        action="inbox.viewed", actor_id=mash_staff.pk, detail__team="social-care"
    ).exists()


def test_a_form_no_longer_in_use_is_named_as_it_was_sent(professional, staff, settings):
    from frontdoor.referrals import registry

    sent = send(professional, "social-care-referral")
    FormVersion = sent.form_version.__class__
    stored = sent.form_version.definition
    # The stored version's own short name, as a form taken out of use leaves it.
    FormVersion.objects.filter(pk=sent.form_version_id).update(
        definition={**stored, "short_name": "Old MASH form"}
    )
    row = staff.get(INBOX).content.decode().split(sent.reference, 1)[1]
    assert row.split("</th>", 1)[0].count("Social Care") == 1  # the form in use: its name
    settings.FORMS_OFF = ["social-care-referral"]
    try:
        registry.load()
        row = staff.get(INBOX).content.decode().split(sent.reference, 1)[1]
        assert "Old MASH form" in row.split("</th>", 1)[0]
    finally:
        settings.FORMS_OFF = []
        registry.load()


def test_what_was_typed_is_shown_as_text_never_markup(professional, staff):
    send(
        professional,
        "social-care-referral",
        children=[{**CHILD, "first_name": "<b>Zoë</b>"}],
        your_work={"organisation": "Smith & <i>Sons</i>", "job_title": "DSL"},
    )
    html = staff.get(INBOX).content.decode()
    assert "&lt;b&gt;Zoë&lt;/b&gt; Example" in html
    assert "DSL, Smith &amp; &lt;i&gt;Sons&lt;/i&gt;" in html
    assert "<b>" not in html


def test_overdue_is_said_in_words_and_a_rating_is_a_word(professional, mash_staff, staff):
    sent = send(professional, "social-care-referral")
    Case.objects.filter(submission=sent).update(due_at=timezone.now() - datetime.timedelta(hours=3))
    services.rate(Case.objects.get(submission=sent), "amber", "Worrying", mash_staff)
    page = text(staff.get(INBOX))
    assert "Overdue Overdue by 3 hours" in page
    assert "Amber" in page


def test_a_parent_referrer_is_said_as_such(member_of_public, staff):
    send(member_of_public, "social-care-referral")
    page = text(staff.get(INBOX))
    assert "Parent or carer" in page


def test_urgent_first_then_by_when_due_then_received(professional, staff):
    plain_late, plain_soon, no_due, urgent = (
        send(professional, "social-care-referral"),
        send(professional, "social-care-referral"),
        send(professional, "social-care-referral"),
        send(professional, "social-care-referral", immediate_risk={"at_risk_now": "yes"}),
    )
    now = timezone.now()
    Case.objects.filter(submission=plain_late).update(due_at=now + datetime.timedelta(days=2))
    Case.objects.filter(submission=plain_soon).update(due_at=now + datetime.timedelta(hours=2))
    Case.objects.filter(submission=no_due).update(due_at=None)
    Case.objects.filter(submission=urgent).update(due_at=now + datetime.timedelta(days=3))
    assert references(staff.get(INBOX)) == [
        urgent.reference,
        plain_soon.reference,
        plain_late.reference,
        no_due.reference,
    ]


def test_repeat_referrals_are_marked(professional, second_professional, staff):
    first = send(professional, "social-care-referral", children=[ZOE])
    send(second_professional, "social-care-referral", children=[ZOE])
    assert Case.objects.get(submission=first).repeats.count() == 1
    page = text(staff.get(INBOX))
    assert page.count("Repeat: 1 other referral") == 2


def test_a_repeat_is_counted_only_where_the_worker_may_know_of_it(professional, staff):
    send(professional, "social-care-referral", children=[ZOE])
    lado = send(professional, "lado-referral", children=[ZOE])
    assert Case.objects.get(submission=lado).repeats.count() == 1  # linked, but LADO's
    assert "Repeat:" not in text(staff.get(INBOX))
    # The MASH's workflow shares repeat referrals with Early Help (workflows.yaml).
    send(professional, "early-help-request", children=[ZOE])
    assert "Repeat: 1 other referral" in text(staff.get(INBOX))


def test_a_repeat_the_team_transferred_away_is_still_counted(
    professional, second_professional, staff, mash_staff, teams
):
    kept = send(professional, "social-care-referral", children=[ZOE])
    moved = send(second_professional, "social-care-referral", children=[ZOE])
    # To a team the MASH does not share repeats with: the MASH still reads what it moved.
    services.transfer(Case.objects.get(submission=moved), teams["lado"], "LADO's", mash_staff)
    page = staff.get(INBOX).content.decode()
    assert moved.reference not in references(staff.get(INBOX))
    row = page.split(f'href="/team/{kept.reference}/"', 1)[1].split("</tr>", 1)[0]
    assert "Repeat: 1 other referral" in " ".join(re.sub(r"<[^>]+>", " ", row).split())
    # Restricted there to others: the MASH no longer knows of it, as a repeat or at all.
    lado_manager = make_user("lado.manager@council.example.gov.uk", "Lee", "Ward")
    Membership.objects.create(user=lado_manager, team=teams["lado"], role=Membership.Role.MANAGER)
    services.restrict(Case.objects.get(submission=moved), [lado_manager], lado_manager)
    assert "Repeat:" not in text(staff.get(INBOX))


def test_another_team_and_a_referrer_get_404(professional, early_help_staff, run_tasks):
    send(professional, "social-care-referral")
    other = signed_in(early_help_staff, run_tasks)
    assert other.get(INBOX).status_code == 404
    assert other.post(SEARCH, {"q": "Ava"}).status_code == 404
    assert other.get("/team/in/no-such-team/").status_code == 404
    assert other.get("/team/in/early-help/").status_code == 200
    referrer = signed_in(professional, run_tasks)
    assert referrer.get("/team/").status_code == 404
    assert referrer.get(INBOX).status_code == 404
    assert referrer.post(SEARCH, {"q": "Ava"}).status_code == 404


def test_someone_in_two_teams_chooses_and_switches(professional, mash_staff, teams, run_tasks):
    mash_staff.teams.add(teams["lado"])
    social = send(professional, "social-care-referral")
    staff = signed_in(mash_staff, run_tasks)
    choose = text(staff.get("/team/"))
    assert "Choose a team" in choose
    assert "LADO" in choose
    assert social.reference not in choose
    lado = staff.get("/team/in/lado/")
    assert social.reference not in text(lado)
    assert "Children&#x27;s Social Care (MASH)" in lado.content.decode()  # the switch
    # /team/ is now the team chosen last.
    assert "LADO" in text(staff.get("/team/"))
    assert social.reference not in text(staff.get("/team/"))
    assert social.reference in text(staff.get(INBOX))
    assert social.reference in text(staff.get("/team/"))


def test_filters(professional, mash_staff, teams, staff, run_tasks):
    mine, unassigned, screening, red, closed = (
        send(professional, "social-care-referral") for _ in range(5)
    )
    case = lambda s: Case.objects.get(submission=s)  # noqa: E731
    services.assign(case(mine), mash_staff, mash_staff)
    services.move_to_stage(case(screening), "screening", mash_staff)
    services.rate(case(red), "red", "Bruising seen", mash_staff)
    manager(mash_staff)
    services.decide(case(closed), "no-further-action", "Thank you", mash_staff)
    everyone = {s.reference for s in (mine, unassigned, screening, red)}

    assert set(references(staff.get(INBOX))) == everyone
    assert references(staff.get(INBOX + "?assigned=me")) == [mine.reference]
    assert set(references(staff.get(INBOX + "?assigned=unassigned"))) == everyone - {mine.reference}
    assert references(staff.get(INBOX + "?stage=screening")) == [screening.reference]
    assert references(staff.get(INBOX + "?stage=closed")) == [closed.reference]
    assert len(references(staff.get(INBOX + "?stage=all"))) == 5
    assert references(staff.get(INBOX + "?rating=red")) == [red.reference]
    assert red.reference not in references(staff.get(INBOX + "?rating=none"))
    assert references(staff.get(INBOX + "?form=lado-referral")) == []
    assert len(references(staff.get(INBOX + "?form=social-care-referral"))) == 4

    Case.objects.filter(submission=unassigned).update(
        due_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    assert references(staff.get(INBOX + "?overdue=on")) == [unassigned.reference]

    Case.objects.filter(submission=red).update(
        received_at=timezone.now() - datetime.timedelta(days=10)
    )
    ago = timezone.localdate() - datetime.timedelta(days=10)
    day = f"received_from_0={ago.day}&received_from_1={ago.month}&received_from_2={ago.year}"
    until = day.replace("from", "to")
    assert references(staff.get(f"{INBOX}?{until}")) == [red.reference]
    after = ago + datetime.timedelta(days=1)
    since = (
        f"received_from_0={after.day}&received_from_1={after.month}&received_from_2={after.year}"
    )
    assert red.reference not in references(staff.get(f"{INBOX}?{since}"))

    filtered = AuditEvent.objects.filter(action="inbox.viewed").order_by("pk").last()
    assert filtered.detail["filters"] == ["received_from"]


def test_my_referrals_is_one_click(professional, mash_staff, staff):
    mine = send(professional, "social-care-referral")
    send(professional, "social-care-referral")
    services.assign(Case.objects.get(submission=mine), mash_staff, mash_staff)
    page = staff.get(INBOX).content.decode()
    link = re.search(r'href="([^"]+)"[^>]*>My referrals<', page).group(1)
    assert references(staff.get(link.replace("&amp;", "&"))) == [mine.reference]


def test_a_transferred_referral_can_be_filtered_by_its_form(
    professional, mash_staff, teams, run_tasks
):
    lado_officer = make_user("lado@council.example.gov.uk", "Lee", "Dunn", is_professional=True)
    lado_officer.teams.add(teams["lado"])
    lado = send(professional, "lado-referral")
    services.transfer(
        Case.objects.get(submission=lado),
        teams["social-care"],
        "A child protection matter",
        lado_officer,
    )
    staff = signed_in(mash_staff, run_tasks)
    assert references(staff.get(INBOX + "?form=lado-referral")) == [lado.reference]


def test_closed_referrals_are_the_latest_closed_first(professional, mash_staff, staff):
    manager(mash_staff)
    first, second, third = (send(professional, "social-care-referral") for _ in range(3))
    for sent in (second, first, third):  # closed in this order
        services.decide(
            Case.objects.get(submission=sent), "no-further-action", "Thanks", mash_staff
        )
    assert references(staff.get(INBOX + "?stage=closed")) == [
        third.reference,
        first.reference,
        second.reference,
    ]
    assert "the latest closed first" in text(staff.get(INBOX + "?stage=closed"))


def test_what_the_team_transferred_away_is_listed_read_only(
    professional, mash_staff, early_help_staff, teams, run_tasks, staff
):
    kept, moved, moved_later = (send(professional, "social-care-referral") for _ in range(3))
    for sent in (moved, moved_later):
        services.transfer(
            Case.objects.get(submission=sent), teams["early-help"], "Early Help fits", mash_staff
        )
    page = staff.get(INBOX).content.decode()
    assert 'href="/team/in/social-care/?stage=transferred"' in page
    assert references(staff.get(INBOX)) == [kept.reference]

    away = staff.get(INBOX + "?stage=transferred")
    assert references(away) == [moved_later.reference, moved.reference]
    assert "transferred to other teams (you can read them, not act on them)" in text(away)
    # Each opens read-only for the team that sent it on.
    opened = staff.get(f"/team/{moved.reference}/").content.decode()
    assert "Assign to me" not in opened
    # The team it went to lists it as its own, not as transferred away.
    early_help = signed_in(early_help_staff, run_tasks)
    assert set(references(early_help.get("/team/in/early-help/"))) == {
        moved.reference,
        moved_later.reference,
    }
    assert references(early_help.get("/team/in/early-help/?stage=transferred")) == []
    # Sent back, it is the team's own again.
    services.transfer(
        Case.objects.get(submission=moved), teams["social-care"], "Back to MASH", early_help_staff
    )
    assert references(staff.get(INBOX + "?stage=transferred")) == [moved_later.reference]
    assert set(references(staff.get(INBOX))) == {kept.reference, moved.reference}


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            {"received_from_0": "31", "received_from_1": "2", "received_from_2": "2026"},
            "Received on or after must be a real date",
        ),
        (
            {"received_from_0": "1", "received_from_1": "", "received_from_2": "2026"},
            "Received on or after must include a month",
        ),
        (
            {"received_to_0": "x", "received_to_1": "y", "received_to_2": "z"},
            "Received on or before must be a real date",
        ),
        (
            {
                "received_from_0": "2",
                "received_from_1": "3",
                "received_from_2": "2026",
                "received_to_0": "1",
                "received_to_1": "3",
                "received_to_2": "2026",
            },
            "Received on or before must be the same as or after received on or after",
        ),
        (
            # Too big for a date, not only too big for a month: never a 500.
            {"received_from_0": "9" * 20, "received_from_1": "1", "received_from_2": "2026"},
            "Received on or after must be a real date",
        ),
        ({"stage": "no-such-stage"}, "Select a valid choice"),
        ({"form": "no-such-form"}, "Select a valid choice"),
    ],
)
def test_bad_filters_say_what_is_wrong(professional, staff, bad, message):
    sent = send(professional, "social-care-referral")
    response = staff.get(INBOX, bad)
    page = text(response)
    assert "There is a problem" in page
    html = response.content.decode()
    # In the summary, linked to the field; and by the field.
    assert re.search(rf'<a href="#id_\w+">{re.escape(message)}[^<]*</a>', html), html
    assert re.search(rf"Error:</span> {re.escape(message)}", html)
    assert "Error:" in html.split("</title>")[0]
    assert sent.reference in page  # the rest of the inbox is still there


def test_what_is_typed_in_a_filter_comes_back_as_text(staff):
    typed = '"><script>alert(1)</script>'
    response = staff.get(INBOX, {"received_from_0": typed, "received_to_2": "<b>"})
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "<b>" not in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert 'value="&lt;b&gt;"' in html


# --- Search -------------------------------------------------------------------------------


@pytest.fixture
def searchable(professional, second_professional, member_of_public):
    zoe = send(
        professional,
        "social-care-referral",
        children=[ZOE],
        your_details={"email": "dsl@school.example.org"},
        your_work={"organisation": "Riverside Primary School", "job_title": "DSL"},
    )
    ben = send(
        second_professional,
        "social-care-referral",
        children=[{**BEN, "address": {**CHILD["address"].to_dict(), "postcode": "wr5 2np"}}],
        your_work={"organisation": "Elm Street Surgery", "job_title": "GP"},
    )
    other = send(member_of_public, "social-care-referral")
    return zoe, ben, other


def found(staff, term: str) -> list[str]:
    response = staff.post(SEARCH, {"q": term})
    assert response.status_code == 302
    assert response["Location"] == INBOX  # the term is not in the URL
    return references(staff.get(response["Location"]))


@pytest.mark.parametrize(
    ("term", "finds"),
    [
        ("zoe", {"zoe"}),
        ("ZOË", {"zoe"}),
        ("Zo", {"zoe"}),
        ("smith jones", {"zoe", "ben"}),
        ("smithjones", {"zoe", "ben"}),
        ("Smith-Jones", {"zoe", "ben"}),
        ("jones", {"zoe", "ben"}),
        ("mith", {"zoe", "ben"}),
        ("Zoe Smith", {"zoe"}),
        ("ben smith-jones", {"ben"}),
        ("27/3/2016", {"zoe", "other"}),
        ("27 3 2016", {"zoe", "other"}),
        ("1/6/2019", {"ben"}),
        ("943 476 5919", {"zoe"}),
        ("9434765919", {"zoe"}),
        ("WR52NP", {"ben"}),
        ("wr5 2np", {"ben"}),
        ("dsl@school.example.org", {"zoe"}),
        ("DSL@School.Example.org", {"zoe"}),
        ("riverside", {"zoe"}),
        ("Elm Street", {"ben"}),
        ("Nobody Likethis", set()),
        ("31/2/2016", set()),
    ],
)
def test_search_finds_by_each_key(staff, searchable, term, finds):
    zoe, ben, other = searchable
    named = {"zoe": zoe.reference, "ben": ben.reference, "other": other.reference}
    assert set(found(staff, term)) == {named[n] for n in finds}


def test_search_by_reference(staff, searchable):
    zoe, _, _ = searchable
    assert found(staff, zoe.reference) == [zoe.reference]
    assert found(staff, zoe.reference.lower()) == [zoe.reference]
    number = str(int(zoe.reference.rsplit("-", 1)[1]))
    assert zoe.reference in found(staff, number)


def test_search_is_kept_out_of_urls_and_the_audit(mash_staff, staff, searchable):
    _zoe, _, _ = searchable
    response = staff.post(SEARCH, {"q": "Zoë", "filters": "rating=red&page=3&evil=1"})
    assert response["Location"] == INBOX + "?rating=red"
    staff.post(SEARCH, {"q": "Zoë"})
    page = staff.get(INBOX)
    shown = text(page)
    assert "Search results" in shown
    assert "“Zoë”" in shown
    assert "Zoë" not in "".join(re.findall(r'href="([^"]*)"', page.content.decode()))
    searched = (
        AuditEvent.objects.filter(action="inbox.searched", actor_id=mash_staff.pk)
        .order_by("pk")
        .last()
    )
    assert searched.detail == {"team": "social-care", "read_as": ["name", "organisation"]}
    viewed = AuditEvent.objects.filter(action="inbox.viewed").order_by("pk").last()
    assert viewed.detail["searching"] is True
    for event in AuditEvent.objects.all():
        assert "zo" not in str(event.detail).lower()
    # Clearing the search shows every open referral again.
    staff.post(SEARCH, {"q": "", "clear": "1"})
    assert len(references(staff.get(INBOX))) == 3


def test_a_search_finds_closed_referrals_too(mash_staff, staff, searchable):
    zoe, _, _ = searchable
    manager(mash_staff)
    services.decide(Case.objects.get(submission=zoe), "no-further-action", "", mash_staff)
    assert zoe.reference not in references(staff.get(INBOX))
    assert found(staff, "zoe") == [zoe.reference]


def test_a_search_too_long_says_so(staff, searchable):
    response = staff.post(SEARCH, {"q": "a" * 101})
    page = text(response)
    assert "Search must be 100 characters or fewer" in page
    assert "There is a problem" in page


def test_a_search_only_finds_the_teams_referrals(professional, early_help_staff, run_tasks):
    mash = send(professional, "social-care-referral", children=[ZOE])
    own = send(professional, "early-help-request", children=[{**ZOE, "first_name": "Zara"}])
    other = signed_in(early_help_staff, run_tasks)
    for term in ("zoe", mash.reference, "9434765919", "27/3/2016"):
        response = other.post("/team/in/early-help/search/", {"q": term})
        assert mash.reference not in references(other.get(response["Location"])), term
    response = other.post("/team/in/early-help/search/", {"q": "27/3/2016"})
    assert references(other.get(response["Location"])) == [own.reference]


def test_the_search_form_is_a_post_with_csrf(staff, searchable):
    page = staff.get(INBOX).content.decode()
    form = page.split('action="/team/in/social-care/search/"', 1)
    assert 'method="post"' in form[0].rsplit("<form", 1)[1]
    assert "csrfmiddlewaretoken" in form[1].split("</form>", 1)[0]
    assert re.search(r'<label class="govuk-label" for="id_q">\s*Search\s*</label>', page)


# --- Pages and queries --------------------------------------------------------------------


def test_fifty_a_page(professional, staff):
    template = send(professional, "social-care-referral")
    copies(template, 120)
    first = staff.get(INBOX)
    assert len(references(first)) == 50
    assert "121 referrals" in text(first)
    assert "page 1 of 3" in text(first)
    assert 'aria-label="Pagination"' in first.content.decode()
    last = staff.get(INBOX + "?page=3")
    assert len(references(last)) == 21
    assert set(references(first)).isdisjoint(references(last))
    # A filter is kept from page to page.
    filtered = staff.get(INBOX + "?assigned=unassigned").content.decode()
    assert "?assigned=unassigned&amp;page=2" in filtered
    past_the_end = staff.get(INBOX + "?page=999")  # the last page
    assert references(past_the_end) == references(last)
    assert "page 3 of 3" in text(past_the_end)
    # Too big for the database's OFFSET: still the last page, never a 500.
    huge = staff.get(INBOX + "?page=99999999999999999999")
    assert huge.status_code == 200
    assert references(huge) == references(last)
    for not_a_page in ("x", "0", "-2", "1.5"):
        assert references(staff.get(INBOX + f"?page={not_a_page}")) == references(first)
    assert references(staff.get(INBOX + "?page=2&rating=red")) == []  # none: no pages


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_rows(
    professional, second_professional, mash_staff, teams, run_tasks
):
    manager(mash_staff)
    template = send(professional, "social-care-referral", children=[ZOE, BEN])
    send(second_professional, "social-care-referral", children=[ZOE])  # a repeat
    copies(template, 3)
    staff = signed_in(mash_staff, run_tasks)

    def counted() -> tuple[int, int]:
        staff.post(SEARCH, {"q": ""})
        plain = queries(staff, INBOX)
        staff.post(SEARCH, {"q": "smith"})
        return plain, queries(staff, INBOX)

    # Every row linked to an earlier referral retention removed (its tombstone).
    tombstone = Tombstone.objects.create(
        reference="FD-2025-000001",
        form_slug="social-care-referral",
        form_version=1,
        team=teams["social-care"],
        received_at=timezone.now() - datetime.timedelta(days=400),
        closed_at=timezone.now() - datetime.timedelta(days=390),
    )

    def removed_repeats() -> None:
        tombstone.repeated_by.add(*Case.objects.all())

    removed_repeats()
    few, few_searched = counted()
    copies(template, 495)
    removed_repeats()
    many, many_searched = counted()
    assert "Repeat: 2 other referrals" in text(staff.get(INBOX))
    assert len(references(staff.get(INBOX))) == 50
    assert few == many
    assert few_searched == many_searched
    assert many <= 20, many


# --- Workload -----------------------------------------------------------------------------


def test_a_manager_sees_the_teams_workload_on_the_dashboard(
    professional, mash_staff, teams, run_tasks
):
    colleague = make_user("colleague@council.example.gov.uk", "Chris", "Lowe", is_professional=True)
    colleague.teams.add(teams["social-care"])
    manager(mash_staff)
    sent = [send(professional, "social-care-referral") for _ in range(3)]
    services.assign(Case.objects.get(submission=sent[0]), colleague, mash_staff)
    services.assign(Case.objects.get(submission=sent[1]), colleague, mash_staff)
    managing = signed_in(mash_staff, run_tasks)
    inbox = managing.get(INBOX).content.decode()
    # The inbox is the work list: the figures, the workload among them, are a link away.
    assert 'href="/team/in/social-care/dashboard/#workload">Team workload</a>' in inbox
    assert "(manager)" not in text(managing.get(INBOX))
    page = text(managing.get(DASHBOARD))
    assert "Team workload" in page
    assert "Chris Lowe 2 0 0" in page
    assert "Morgan Reid (manager) 0 0 0" in page
    assert "Unassigned 1 0 0" in page
    worker = signed_in(colleague, run_tasks)
    assert "Team workload" not in text(worker.get(INBOX))
    assert worker.get(DASHBOARD).status_code == 403


def test_a_decided_referrals_row_says_what_was_decided(professional, mash_staff, teams, run_tasks):
    manager(mash_staff)  # decides without a confirmation
    sent = send(professional, "social-care-referral")
    services.decide(Case.objects.get(submission=sent), "early-help", "Early Help.", mash_staff)
    closed = text(signed_in(mash_staff, run_tasks).get(f"{INBOX}?stage=closed"))
    assert sent.reference in closed
    assert "Closed: Early Help" in closed  # not only "Closed": the list of closed referrals


def test_the_workload_leaves_out_a_leaver_whose_account_is_closed(
    professional, mash_staff, teams, run_tasks
):
    leaver = make_user("leaver@council.example.gov.uk", "Lee", "Gone", is_professional=True)
    leaver.teams.add(teams["social-care"])
    manager(mash_staff)
    send(professional, "social-care-referral")
    managing = signed_in(mash_staff, run_tasks)
    assert "Lee Gone 0 0 0" in text(managing.get(DASHBOARD))
    leaver.is_active = False  # closed, as the leaver's page does; still in the team
    leaver.save(update_fields=["is_active"])
    page = text(managing.get(DASHBOARD))
    assert "Lee Gone" not in page  # nobody can give them work now
    assert "Morgan Reid (manager) 0 0 0" in page
    assert "Unassigned 1 0 0" in page


@pytest.mark.parametrize(
    "make",
    [
        lambda: SearchForm(initial={"q": ""}),
        lambda: SearchForm(initial={"q": "Zoë <b>\"Smith\" & 'Jones'"}),
        lambda: SearchForm({"q": "x" * 300}),  # too long: the error
        lambda: SearchForm({"q": "Ava"}),
        lambda: SearchForm({}),
    ],
)
def test_the_search_field_is_written_as_the_govuk_template_writes_it(make):
    form = make()
    if form.is_bound:
        form.is_valid()
    assert str(search_html(form)) == str(form["q"].as_field_group())
