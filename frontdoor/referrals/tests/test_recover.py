"""Recover a form: each draft is told apart by its form, the child it is about, when it
was last saved and when it will be deleted; no draft numbers that count the whole portal's
forms; and the page's queries do not grow with the number of drafts."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from frontdoor.referrals import registry
from frontdoor.referrals.models import Draft, FormVersion
from frontdoor.referrals.tests.test_pages import CHILD, start

pytestmark = pytest.mark.django_db


def with_child(client: Client, slug: str, first_name: str) -> int:
    draft = start(client, slug)
    client.post(
        f"/forms/draft/{draft}/children/0/", {"revision": "0", **CHILD, "first_name": first_name}
    )
    return draft


def test_drafts_are_told_apart_by_form_child_and_last_saved(professional_client, member_of_public):
    # Someone else's drafts first, so the portal's draft ids are well past this account's.
    for _ in range(5):
        Draft.objects.create(
            owner=member_of_public,
            form_version=FormVersion.objects.get(
                slug="feedback", version=registry.get("feedback").version
            ),
        )
    ava = with_child(professional_client, "social-care-referral", "Ava")
    ben = with_child(professional_client, "social-care-referral", "Ben")
    professional_client.post(f"/forms/draft/{ben}/children/", {"add": "1"})
    professional_client.post(
        f"/forms/draft/{ben}/children/1/", {"revision": "1", **CHILD, "first_name": "Cal"}
    )
    empty = start(professional_client, "early-help-request")

    page = professional_client.get("/forms/recover/").content.decode()
    assert "Recover a Social Care Form" in page
    assert "Recover an Early Help Form" in page
    assert ">Ava Smith<" in page
    assert ">Ben Smith and 1 other child<" in page
    assert "No child's name yet" in page
    saved = timezone.localtime(Draft.objects.get(pk=ava).saved_at)
    assert f"{saved.day} {saved:%B %Y} at" in page  # last saved
    assert f"{Draft.objects.get(pk=ava).deletes_at:%-d %B %Y}" in page  # deleted on
    for draft, name in ((ava, "about Ava Smith"), (ben, "about Ben Smith and 1 other child")):
        link = re.search(rf'href="/forms/draft/{draft}/">Continue<span[^>]*> ([^<]+)</span>', page)
        assert link, draft
        assert link.group(1).startswith(f"Social Care form {name}, last saved ")
    assert re.search(
        rf'href="/forms/draft/{empty}/">Continue<span[^>]*> Early Help form, last saved ', page
    )
    # A form about no child (feedback) is told apart by when it was started.
    feedback = start(professional_client, "feedback")
    page = professional_client.get("/forms/recover/").content.decode()
    started = timezone.localtime(Draft.objects.get(pk=feedback).created_at)
    assert f">Started {started.day} {started:%B %Y} at" in page
    assert page.count("No child's name yet") == 1
    # No "Number" column, no "form 6": the draft's id is in its address only.
    assert ">Number<" not in page
    for draft in (ava, ben, empty, feedback):
        assert not re.search(rf">\s*(form )?{draft}\s*<", page, re.IGNORECASE)


def test_the_task_list_has_no_portal_wide_form_number(professional_client, member_of_public):
    draft = with_child(professional_client, "social-care-referral", "Ava")
    page = professional_client.get(f"/forms/draft/{draft}/").content.decode()
    assert f"Form {draft}" not in page
    assert '<span class="govuk-caption-l">About Ava Smith</span>' in page
    delete = professional_client.get(f"/forms/draft/{draft}/delete/").content.decode()
    assert f"Form {draft}" not in delete
    assert "This form about Ava Smith was last saved on" in delete


def queries_for(client: Client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/forms/recover/").status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_the_recover_page_runs_the_same_queries_for_one_draft_or_many(professional_client):
    with_child(professional_client, "social-care-referral", "Ava")
    one = queries_for(professional_client)
    for name in ("Ben", "Cal", "Dan"):
        with_child(professional_client, "social-care-referral", name)
    for slug in ("early-help-request", "lado-referral", "feedback"):
        start(professional_client, slug)
    many = queries_for(professional_client)
    assert len(many) == len(one), "\n".join(many)
    assert len(one) <= 6, "\n".join(one)
