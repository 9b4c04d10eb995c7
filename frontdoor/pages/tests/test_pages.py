import re

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.html import escape

from frontdoor.accounts.models import Team
from frontdoor.pages import views

pytestmark = pytest.mark.django_db

COUNCIL_NAME = escape(settings.COUNCIL["name"])

PUBLIC_PAGES = [
    ("pages:home", escape(settings.COUNCIL["service_name"])),
    ("pages:help", "Help using this service"),
    ("pages:accessibility", "Accessibility statement for"),
    ("pages:privacy", "Privacy notice"),
    ("pages:cookies", "Cookies"),
    ("pages:contact", "Contact us"),
]
FOOTER_PAGES = [
    "pages:help",
    "pages:contact",
    "pages:accessibility",
    "pages:privacy",
    "pages:cookies",
]


def h1_text(html: str) -> str:
    headings = re.findall(r"<h1\b[^>]*>(.*?)</h1>", html, re.S)
    assert len(headings) == 1, f"expected one h1, found {len(headings)}"
    return " ".join(headings[0].split())


def ids(html: str) -> list[str]:
    return re.findall(r'\bid="([^"]+)"', html)


@pytest.mark.parametrize(("name", "heading"), PUBLIC_PAGES)
def test_public_page_answers_anonymously(client, name, heading):
    response = client.get(reverse(name))

    assert response.status_code == 200
    html = response.content.decode()
    assert heading in h1_text(html)
    assert COUNCIL_NAME in html
    duplicates = {i for i in ids(html) if ids(html).count(i) > 1}
    assert not duplicates, f"duplicate ids: {duplicates}"
    assert " style=" not in html


@pytest.mark.parametrize(("name", "heading"), PUBLIC_PAGES)
def test_footer_links_to_every_page(client, name, heading):
    html = client.get(reverse(name)).content.decode()

    for page in FOOTER_PAGES:
        assert f'href="{reverse(page)}"' in html


def test_home_page_for_anonymous_user_offers_sign_in_and_register(client):
    html = client.get(reverse("pages:home")).content.decode()

    assert "govuk-button--start" in html
    assert f'href="{reverse("accounts:login")}"' in html
    assert f'href="{reverse("accounts:register")}"' in html
    assert "Register for new account" in html
    assert "If a child is in immediate danger, call 999" in html
    assert escape(settings.COUNCIL["emergency_phone"]) in html
    for team in ("MASH", "Early Help", "LADO", "EHCNA", "feedback"):
        assert team in html


def test_home_page_welcomes_a_signed_in_user(client, django_user_model):
    user = django_user_model.objects.create_user(
        "sam@example.com", "Correct-Horse-Battery-9", first_name="Sam", last_name="Jones"
    )
    client.force_login(user)

    html = client.get(reverse("pages:home")).content.decode()

    assert h1_text(html) == "Welcome, Sam"
    for name in (
        "referrals:choose",
        "referrals:recover",
        "referrals:submitted",
        "accounts:details",
    ):
        assert f'href="{reverse(name)}"' in html
    assert "Your teams" not in html


def test_home_page_shows_council_staff_their_teams(client, django_user_model):
    user = django_user_model.objects.create_user(
        "ali@council.example", "Correct-Horse-Battery-9", first_name="Ali", last_name="Khan"
    )
    user.teams.add(
        Team.objects.create(slug="mash", name="MASH team", mailbox="mash@council.example")
    )
    client.force_login(user)

    html = client.get(reverse("pages:home")).content.decode()

    assert "Your teams" in html
    assert "MASH team" in html


def test_help_page_contents_list_links_to_its_sections(client):
    html = client.get(reverse("pages:help")).content.decode()

    anchors = re.findall(r'href="#([^"]+)"', html)
    page_ids = ids(html)
    assert len(anchors) >= 10
    for anchor in anchors:
        if anchor != "main-content":
            assert anchor in page_ids
    assert "Please send me a new code" in html
    assert "12 characters" in html


def test_pages_answer_only_get_and_head(client):
    assert client.head(reverse("pages:help")).status_code == 200
    assert client.post(reverse("pages:help")).status_code == 405


def test_unknown_url_shows_govuk_not_found_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert h1_text(html) == "Page not found"
    assert "If you typed the web address, check it is correct." in html
    assert COUNCIL_NAME in html


def test_csrf_failure_shows_friendly_expired_page():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/account/sign-in/", {"email": "a@example.com", "password": "x"})

    assert response.status_code == 403
    html = response.content.decode()
    assert h1_text(html) == "Sorry, this page has expired"
    assert "refresh the page and try again" in html
    assert "CSRF" not in html
    assert "Referer" not in html


def test_permission_denied_and_bad_request_pages(client):
    # A request through the client, so the context processors and middleware have run.
    request = client.get(reverse("pages:home")).wsgi_request

    denied = views.permission_denied(request)
    assert denied.status_code == 403
    assert "You cannot view this page" in denied.content.decode()

    bad = views.bad_request(request)
    assert bad.status_code == 400
    assert "Sorry, there is a problem" in bad.content.decode()


def test_server_error_page_renders_without_request_context():
    response = views.server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert "Nothing you saved has been lost" in html
    assert escape(settings.COUNCIL["contact_phone"]) in html
    assert escape(settings.COUNCIL["emergency_phone"]) in html


def test_server_error_falls_back_to_plain_page_if_template_fails(monkeypatch):
    def broken(name):
        raise RuntimeError("template broken")

    monkeypatch.setattr(views.loader, "get_template", broken)

    response = views.server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
    assert escape(settings.COUNCIL["emergency_phone"]) in response.content.decode()
