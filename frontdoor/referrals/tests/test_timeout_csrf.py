"""A POST that arrives after a time-out is kept only if it passes Django's CSRF check."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from conftest import sign_in
from frontdoor.accounts.middleware import KEPT_POST
from frontdoor.referrals.models import Draft

pytestmark = pytest.mark.django_db

ANSWERS = {"revision": "0", "kind": "comment", "what_happened": "Typed before time-out"}


@pytest.fixture
def owner(member_of_public, run_tasks):
    """A signed-in browser that enforces CSRF like a real one, with a draft and its page."""
    signing_in = Client()
    sign_in(signing_in, member_of_public, run_tasks)
    client = Client(enforce_csrf_checks=True)
    client.cookies = signing_in.cookies
    response = client.post("/forms/feedback/", {"csrfmiddlewaretoken": token(client, "/forms/")})
    assert response.status_code == 302, response
    url = response["Location"] + "your-feedback/"
    assert client.get(url).status_code == 200
    return client, url, member_of_public


def token(client: Client, page: str) -> str:
    html = client.get(page).content.decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def draft_answers(url: str) -> dict:
    draft_id = int(re.search(r"/forms/draft/(\d+)/", url).group(1))
    return Draft.objects.get(pk=draft_id).answers


def later():
    return time_machine.travel(timezone.now() + timedelta(minutes=61))


def assert_refused_and_nothing_kept(client: Client, response, url: str) -> None:
    assert response.status_code == 403
    assert "Sorry, this page has expired" in response.content.decode()  # CSRF_FAILURE_VIEW
    assert "Sam Jones" not in response.content.decode()  # signed out, not shown as signed in
    assert KEPT_POST not in client.session
    assert "your-feedback" not in draft_answers(url)


def test_a_post_without_a_csrf_token_after_a_time_out_is_refused_and_not_kept(owner, run_tasks):
    client, url, user = owner
    with later():
        response = client.post(url, ANSWERS)
        assert_refused_and_nothing_kept(client, response, url)
        # Signing in again saves nothing: there was nothing kept.
        signing_in = Client()
        signing_in.cookies = client.cookies
        sign_in(signing_in, user, run_tasks, next_url=url)
        signing_in.get(url)
    assert "your-feedback" not in draft_answers(url)


def test_a_cross_site_post_with_a_foreign_origin_after_a_time_out_is_refused(owner):
    client, url, _ = owner
    with later():
        response = client.post(url, ANSWERS, HTTP_ORIGIN="https://evil.example")
        assert_refused_and_nothing_kept(client, response, url)


def test_a_valid_token_with_a_foreign_origin_is_still_refused(owner):
    client, url, _ = owner
    valid = token(client, url)
    with later():
        response = client.post(
            url, {**ANSWERS, "csrfmiddlewaretoken": valid}, HTTP_ORIGIN="https://evil.example"
        )
        assert_refused_and_nothing_kept(client, response, url)


def test_a_wrong_token_after_a_time_out_is_refused(owner):
    client, url, _ = owner
    with later():
        response = client.post(url, {**ANSWERS, "csrfmiddlewaretoken": "x" * 64})
        assert_refused_and_nothing_kept(client, response, url)


def test_a_post_with_a_valid_token_is_kept_and_saved_after_signing_in(owner, run_tasks):
    client, url, user = owner
    valid = token(client, url)
    with later():
        response = client.post(
            url, {**ANSWERS, "csrfmiddlewaretoken": valid}, HTTP_ORIGIN="http://testserver"
        )
        assert response.status_code == 302
        assert response["Location"] == "/account/timed-out/"
        assert "your-feedback" not in draft_answers(url)
        assert client.session[KEPT_POST]["path"] == url

        signing_in = Client()
        signing_in.cookies = client.cookies
        assert sign_in(signing_in, user, run_tasks, next_url=url)["Location"] == url
        assert signing_in.get(url)["Location"].endswith(url.removesuffix("your-feedback/"))
    assert draft_answers(url)["your-feedback"]["what_happened"] == "Typed before time-out"
