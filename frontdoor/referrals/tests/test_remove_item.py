"""Removing a child or household member asks first, on its own page (no JavaScript
needed); the POST that removes is CSRF-protected and the owner's only."""

import re

import pytest
from django.conf import settings
from django.test import Client

from conftest import sign_in
from frontdoor.referrals.models import Draft
from frontdoor.referrals.tests.test_pages import CHILD, start

pytestmark = pytest.mark.django_db


def two_children(client: Client, second: dict | None = None) -> int:
    draft = start(client, "social-care-referral")
    client.post(f"/forms/draft/{draft}/children/0/", {"revision": "0", **CHILD})
    client.post(
        f"/forms/draft/{draft}/children/1/",
        {"revision": "1", **(second or {**CHILD, "first_name": "Ben"})},
    )
    return draft


def names(draft: int) -> list[str]:
    return [c["first_name"] for c in Draft.objects.get(pk=draft).answers["children"]]


def test_remove_asks_first_then_removes_on_yes(professional_client):
    draft = two_children(professional_client)
    summary = professional_client.get(f"/forms/draft/{draft}/children/").content.decode()
    # Remove is a link to a page that asks: no one-click removal.
    assert f'href="/forms/draft/{draft}/children/1/remove/">Remove' in summary
    assert 'name="remove"' not in summary

    page = professional_client.get(f"/forms/draft/{draft}/children/1/remove/").content.decode()
    assert "Are you sure you want to remove Ben Smith?" in page
    assert "Yes, remove" in page
    assert f'href="/forms/draft/{draft}/children/">No, go back</a>' in page
    assert names(draft) == ["Ava", "Ben"]  # asking changes nothing

    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)
    response = professional_client.post(
        f"/forms/draft/{draft}/children/1/remove/", {"revision": revision}
    )
    assert response["Location"] == f"/forms/draft/{draft}/children/"
    assert names(draft) == ["Ava"]
    after = professional_client.get(response["Location"]).content.decode()
    assert "Ben Smith has been removed." in after


def test_a_child_without_a_name_is_called_by_its_place(professional_client):
    draft = two_children(professional_client, {"last_name": ""})
    page = professional_client.get(f"/forms/draft/{draft}/children/1/remove/").content.decode()
    assert "Are you sure you want to remove child 2?" in page


def test_an_old_pages_one_click_remove_only_asks(professional_client):
    draft = two_children(professional_client)
    response = professional_client.post(f"/forms/draft/{draft}/children/", {"remove": "0"})
    assert response["Location"] == f"/forms/draft/{draft}/children/0/remove/"
    assert names(draft) == ["Ava", "Ben"]


def test_a_confirmation_from_before_the_list_changed_removes_nothing(professional_client):
    draft = two_children(professional_client)
    page = professional_client.get(f"/forms/draft/{draft}/children/1/remove/").content.decode()
    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)
    # Meanwhile, in another tab, the first child is removed: Ben is child 1 now.
    professional_client.post(f"/forms/draft/{draft}/children/0/remove/", {"revision": revision})
    response = professional_client.post(
        f"/forms/draft/{draft}/children/1/remove/", {"revision": revision}
    )
    assert response["Location"] == f"/forms/draft/{draft}/children/"
    assert names(draft) == ["Ben"]


def test_the_removing_post_needs_the_csrf_token_and_the_owner(
    run_tasks, second_professional, professional_client
):
    draft = two_children(professional_client)
    # The owner's own session, but a request without the CSRF token (a forged form).
    forged = Client(enforce_csrf_checks=True)
    session = settings.SESSION_COOKIE_NAME
    forged.cookies[session] = professional_client.cookies[session].value
    assert forged.get(f"/forms/draft/{draft}/children/1/remove/").status_code == 200
    assert (
        forged.post(f"/forms/draft/{draft}/children/1/remove/", {"revision": "2"}).status_code
        == 403
    )
    other = Client()
    sign_in(other, second_professional, run_tasks)
    assert other.get(f"/forms/draft/{draft}/children/1/remove/").status_code == 404
    assert (
        other.post(f"/forms/draft/{draft}/children/1/remove/", {"revision": "2"}).status_code == 404
    )
    assert names(draft) == ["Ava", "Ben"]


def test_only_repeating_sections_have_items_to_remove(professional_client):
    draft = two_children(professional_client)
    assert professional_client.get(f"/forms/draft/{draft}/consent/0/remove/").status_code == 404
