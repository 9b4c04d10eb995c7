"""`next`: every view that takes it goes only to a safe local path, and home otherwise."""

import pytest
from django.test import Client

from conftest import PASSWORD, last_code, sign_in
from frontdoor.accounts.middleware import RETURN_TO

pytestmark = pytest.mark.django_db

# Not a path on this site: a URL name, a relative path, other hosts, schemes, odd slashes.
UNSAFE = [
    "foo",
    "account/details/",
    "details",
    " /account/details/",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
]
SAFE = ["/account/details/", "/forms/?page=2"]


def is_signed_in(client: Client) -> bool:
    return client.get("/account/details/").status_code == 200


@pytest.mark.parametrize("next_url", UNSAFE)
def test_the_sign_in_page_sends_a_signed_in_visitor_home(client, professional, run_tasks, next_url):
    sign_in(client, professional, run_tasks)

    response = client.get("/account/sign-in/", {"next": next_url})

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("next_url", SAFE)
def test_the_sign_in_page_sends_a_signed_in_visitor_to_a_local_next(
    client, professional, run_tasks, next_url
):
    sign_in(client, professional, run_tasks)

    assert client.get("/account/sign-in/", {"next": next_url})["Location"] == next_url


@pytest.mark.parametrize("next_url", UNSAFE)
def test_signing_in_through_a_bad_link_signs_in_and_goes_home(
    client, professional, run_tasks, next_url
):
    # The victim follows /account/sign-in/?next=foo: the code is spent, so it must work.
    page = client.get("/account/sign-in/", {"next": next_url})
    assert page.status_code == 200

    response = sign_in(client, professional, run_tasks, next_url=next_url)

    assert response["Location"] == "/"
    assert is_signed_in(client)


@pytest.mark.parametrize("next_url", UNSAFE)
def test_a_bad_next_in_the_query_string_while_signing_in_goes_home(
    client, professional, run_tasks, next_url
):
    response = client.post(
        "/account/sign-in/?" + "next=" + next_url,
        {"email": professional.email, "password": PASSWORD},
    )
    assert response["Location"] == "/account/sign-in/code/"
    run_tasks()

    response = client.post("/account/sign-in/code/", {"code": last_code(professional.email)})

    assert response["Location"] == "/"
    assert is_signed_in(client)


@pytest.mark.parametrize("next_url", SAFE)
def test_signing_in_follows_a_local_next(client, professional, run_tasks, next_url):
    response = sign_in(client, professional, run_tasks, next_url=next_url)

    assert response["Location"] == next_url


@pytest.mark.parametrize("next_url", UNSAFE)
def test_stay_signed_in_goes_home_for_a_bad_next(client, professional, run_tasks, next_url):
    sign_in(client, professional, run_tasks)

    response = client.post("/account/session/extend/", {"next": next_url})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_timed_out_page_links_back_to_the_page_signed_out_from(client):
    session = client.session
    session[RETURN_TO] = "/forms/draft/1/"
    session.save()

    html = client.get("/account/timed-out/").content.decode()

    assert 'href="/account/sign-in/?next=/forms/draft/1/"' in html


def test_stay_signed_in_returns_to_a_local_page(client, professional, run_tasks):
    sign_in(client, professional, run_tasks)

    response = client.post("/account/session/extend/", {"next": "/forms/?page=2"})

    assert response["Location"] == "/forms/?page=2"


@pytest.mark.parametrize("next_url", UNSAFE)
def test_the_timed_out_page_links_only_to_a_local_return(client, next_url):
    session = client.session
    session[RETURN_TO] = next_url
    session.save()

    page = client.get("/account/timed-out/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Sign in again" in html
    assert "next=" not in html


@pytest.mark.parametrize("next_url", UNSAFE)
def test_the_admins_sign_in_link_with_a_bad_next_ends_home(
    client, administrator, run_tasks, next_url
):
    response = client.get("/admin/login/", {"next": next_url})
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/?next=")
    assert client.get(response["Location"]).status_code == 200

    response = sign_in(client, administrator, run_tasks, next_url=next_url)

    assert response["Location"] == "/"
