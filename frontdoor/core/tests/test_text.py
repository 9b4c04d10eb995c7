"""Control and bidirectional characters: refused in every field, revealed where stored.

The walk below proves that no form field in the portal, and no question of any type,
goes without the one validator, so a field added later cannot forget it.
"""

import datetime
import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from django import forms
from django.contrib import admin

import frontdoor
from frontdoor.accounts.models import Team, User
from frontdoor.cases.models import Case, PartnerCheck
from frontdoor.cases.workflows import workflow_for
from frontdoor.core.text import PlainText, first_hidden, guarded, message, reveal
from frontdoor.referrals import registry
from frontdoor.referrals.answers import FIELD_TYPES, section_form
from frontdoor.referrals.definitions import ROLES, Option, Question, Section

RLO = "\u202e"
BEL = "\x07"


@pytest.mark.parametrize(
    ("value", "found"),
    [
        (f"Ava{RLO}htimS", "a right-to-left override"),
        (f"bell{BEL}", "a control character (U+0007)"),
        ("nul\x00", "a control character (U+0000)"),
        ("del\x7f", "a control character (U+007F)"),
        ("next line\x85", "a control character (U+0085)"),
        ("csi\x9b", "a control character (U+009B)"),
        ("\u202aembedded", "a left-to-right embedding"),
        ("\u202bembedded", "a right-to-left embedding"),
        ("pop\u202c", "a pop directional formatting character"),
        ("\u202doverride", "a left-to-right override"),
        ("\u2066isolate", "a left-to-right isolate"),
        ("\u2067isolate", "a right-to-left isolate"),
        ("\u2068isolate", "a first strong isolate"),
        ("isolate\u2069", "a pop directional isolate"),
    ],
)
def test_each_hidden_character_is_refused_and_named(value, found):
    for multi_line in (False, True):
        with pytest.raises(forms.ValidationError) as refused:
            PlainText("Reason for referral", multi_line=multi_line)(value)
        assert refused.value.messages == [
            "Reason for referral must not contain invisible or control characters "
            f"({found} was found)"
        ]


def test_line_breaks_and_tabs_only_in_multi_line_answers():
    browser_textarea = "First line\r\nSecond line\n\tindented"
    PlainText("What happened?", multi_line=True)(browser_textarea)
    for value, found in (("a\nb", "a line break"), ("a\r\nb", "a line break"), ("a\tb", "a tab")):
        with pytest.raises(forms.ValidationError) as refused:
            PlainText("First name")(value)
        assert f"({found} was found)" in refused.value.messages[0]


def test_ordinary_text_in_any_script_is_accepted():
    for value in ("Zoë O'Brien-Łukasz", "محمد", "שָׁלוֹם", "李小龍", "emoji 👍🏽", "a\u200db"):
        assert first_hidden(value, multi_line=False) is None


def test_a_question_is_named_in_quotes():
    assert message("What happened?", RLO) == (
        "The answer to \u201cWhat happened?\u201d must not contain invisible or control "
        "characters (a right-to-left override was found)"
    )


def test_reveal_shows_each_hidden_character_and_keeps_line_breaks():
    assert reveal(f"Ava{RLO}htimS{BEL}\r\nnext\tline") == ("Ava⟨U+202E⟩htimS⟨U+0007⟩\r\nnext\tline")


# The walk: every form class in the portal, every field.

CONSTRUCTOR_ARGUMENTS: dict[str, Any] = {
    "user": User(email="walk@example.org"),
    "step1": {},
    "professional": None,
    "team": Team(slug="social-care", name="Children's Social Care"),  # the inbox's filters
    # A referral's action forms (backoffice.forms): about a case, in a team's workflow.
    "case": Case(stage="received"),
    "colleagues": [],
    "me": User(email="walk.staff@example.org"),
    "workflow": workflow_for("social-care"),
    "actions": ["signin.succeeded"],  # the audit viewer's filter (administration.forms)
    # A partner check's chase and reply forms (backoffice.partners).
    "check": PartnerCheck(asked_on=datetime.date(2026, 11, 25), due_on=datetime.date(2026, 11, 26)),
}


def _portal_modules() -> None:
    for module in pkgutil.walk_packages(frontdoor.__path__, "frontdoor."):
        if ".tests" in module.name or ".migrations" in module.name:
            continue
        if module.name == "frontdoor.wsgi":
            continue  # the web server's entry: it runs the start-up checks, and has no forms
        importlib.import_module(module.name)


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


def _portal_form_classes() -> list[type[forms.BaseForm]]:
    _portal_modules()
    classes = [
        cls
        for cls in _subclasses(forms.BaseForm)
        if cls.__module__.startswith("frontdoor.")
        and ".tests" not in cls.__module__
        and not cls.__name__.endswith("Mixin")
    ]
    return sorted(classes, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _instance(cls: type[forms.BaseForm]) -> forms.BaseForm:
    parameters = inspect.signature(cls.__init__).parameters
    kwargs = {k: v for k, v in CONSTRUCTOR_ARGUMENTS.items() if k in parameters}
    return cls(**kwargs)


def _unguarded(form: forms.BaseForm) -> list[str]:
    return [name for name, field in form.fields.items() if not guarded(field)]


def test_the_walk_finds_the_portals_forms():
    names = {cls.__name__ for cls in _portal_form_classes()}
    # Referral sections are built by section_form (walked below), the rest are classes.
    assert {
        "SignInForm",
        "RegisterStep1Form",
        "RegisterStep2Form",
        "PersonalDetailsForm",
        "ChangeEmailForm",
        "DecideForm",
        "AccountForm",
    } <= names


@pytest.mark.django_db
def test_every_field_of_every_form_class_refuses_hidden_characters():
    missing = {}
    for cls in _portal_form_classes():
        if cls.__name__ == "SectionForm":
            continue  # a base class without questions: its subclasses are walked below
        if issubclass(cls, forms.ModelForm) and cls._meta.model is None:
            continue  # the admin's, given their model there: walked below
        unguarded = _unguarded(_instance(cls))
        if unguarded:
            missing[cls.__qualname__] = unguarded
    assert missing == {}


@pytest.mark.django_db
def test_every_admin_form_that_can_change_something_refuses_hidden_characters(rf):
    from django.contrib.auth.models import AnonymousUser

    _portal_modules()
    request = rf.get("/admin/")
    request.user = User(is_staff=True, is_superuser=True, is_active=True)
    assert not isinstance(request.user, AnonymousUser)
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if not (
            model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
        ):
            continue
        for obj in (None, model()):
            form_class = model_admin.get_form(request, obj if obj is not None else None)
            form = form_class(instance=obj) if obj is not None else form_class()
            assert _unguarded(form) == [], f"{model.__name__} admin ({'change' if obj else 'add'})"
            checked += 1
    assert checked >= 4


def _every_type_section() -> Section:
    options = (Option("a", "A"), Option("b", "B"))
    questions = tuple(
        Question(
            id=f"q_{kind}",
            type=kind,
            label=f"A {kind} question",
            options=options if kind in ("radios", "checkboxes", "select") else (),
            allow_unknown=kind == "address",
        )
        for kind in sorted(FIELD_TYPES)
    )
    return Section(slug="every-type", title="Every type", questions=questions)


def test_every_question_type_refuses_hidden_characters():
    section = _every_type_section()
    for professional in (True, False):
        form = section_form(section, ROLES, professional)()
        assert {q.type for q in section.questions} == FIELD_TYPES
        assert _unguarded(form) == []
        # The factory itself guards each question's field, not only the form around it.
        for question in section.questions:
            field = form.base_fields[question.id]
            assert guarded(field), question.type


def test_every_question_of_every_shipped_form_refuses_hidden_characters():
    for definition in registry.forms().values():
        for section in definition.sections:
            for professional in (True, False):
                form = section_form(section, definition.who, professional)()
                assert _unguarded(form) == [], f"{definition.slug} {section.slug}"
