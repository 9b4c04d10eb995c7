"""Parts a higher app adds to the referrer's sent-form pages, without referrals importing it.

frontdoor.enquiries (the team's questions and the referrer's answers) registers, in its
AppConfig.ready(), a panel for a sent form's page and a note for each row of View
Submitted Forms. A panel is a dict with the `template` to include and its context; a note
is a short text under a row's status ("Question waiting for your answer"). A list's notes
are read for all its rows at once (the page's queries do not grow with its rows).
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest

from frontdoor.referrals.models import Submission

Panel = Callable[[HttpRequest, Submission], dict[str, Any] | None]
Notes = Callable[[list[Submission]], dict[int, str]]

_panels: list[Panel] = []
_notes: list[Notes] = []


def add_sent_panel(panel: Panel) -> None:
    if panel not in _panels:
        _panels.append(panel)


def add_list_note(notes: Notes) -> None:
    if notes not in _notes:
        _notes.append(notes)


def sent_panels(request: HttpRequest, submission: Submission) -> list[dict[str, Any]]:
    return [found for panel in _panels if (found := panel(request, submission)) is not None]


def list_notes(submissions: Iterable[Submission]) -> dict[int, list[str]]:
    rows = list(submissions)
    found: dict[int, list[str]] = {}
    for notes in _notes:
        for pk, note in notes(rows).items():
            found.setdefault(pk, []).append(note)
    return found
