"""The audit viewer's reading of the log: a filter, the events it finds, and their rows.

A filter names a person by account id (the page turns the email typed into one: an email
never goes in an address), a referral by its reference, an action and a range of days.
A reference finds the events that carry it (the sent form, its case's steps, its documents'
downloads: AuditEvent.reference) and the events of the draft it was sent from (started,
documents uploaded or refused), of its documents, which happened before it had one, and
of its questions and added information and their documents (read, saved, downloaded).
"""

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from frontdoor.accounts.models import User
from frontdoor.audit.models import AuditEvent
from frontdoor.documents.models import Document
from frontdoor.enquiries.models import Enquiry, EnquiryDocument
from frontdoor.referrals.models import Submission

CSV_HEADER = (
    "When (UTC)",
    "Action",
    "Account",
    "Account kind",
    "Object type",
    "Object id",
    "Reference",
    "Client address",
    "Detail",
)


@dataclass(frozen=True)
class Filter:
    person: int | None = None
    reference: str = ""
    action: str = ""
    start: datetime.date | None = None
    end: datetime.date | None = None

    @classmethod
    def from_query(cls, query: Any) -> "Filter":
        """From the page's address (what the filter form redirected to). Anything not
        understood is left out, never an error: the address is the page's own making."""

        def day(name: str) -> datetime.date | None:
            try:
                return datetime.date.fromisoformat(query.get(name, ""))
            except ValueError:
                return None

        def text(name: str, longest: int) -> str:
            said = str(query.get(name, ""))[:longest]
            return "" if "\x00" in said else said  # no text column holds a NUL

        person = query.get("person", "")
        return cls(
            # ASCII digits only: "²" is a digit to isdigit(), and not a number to int().
            person=int(person) if person.isascii() and person.isdigit() else None,
            reference=text("reference", 20).strip().upper(),
            action=text("action", 64),
            start=day("from"),
            end=day("to"),
        )

    def query(self) -> dict[str, str]:
        """The filter as the page's query string (no personal data: an account id)."""
        said = {
            "person": str(self.person) if self.person is not None else "",
            "reference": self.reference,
            "action": self.action,
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
        }
        return {key: value for key, value in said.items() if value}

    def audited(self) -> dict[str, Any]:
        """The filter as the audit records a view of the log: ids, names and days only."""
        return {
            "person": self.person,
            "reference": self.reference,
            "action": self.action,
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
        }


def actions() -> list[str]:
    """Every action the log holds, for the filter's list (one indexed query)."""
    found = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
    return list(found)


def events(chosen: Filter) -> QuerySet[AuditEvent]:
    found = AuditEvent.objects.all()
    if chosen.person is not None:
        about_them = Q(object_type=User._meta.label_lower, object_id=str(chosen.person))
        found = found.filter(Q(actor_id=chosen.person) | about_them)
    if chosen.reference:
        found = found.filter(_about_referral(chosen.reference))
    if chosen.action:
        found = found.filter(action=chosen.action)
    if chosen.start:
        found = found.filter(at__gte=_midnight(chosen.start))
    if chosen.end and chosen.end < datetime.date.max:  # the last day there is: no end
        found = found.filter(at__lt=_midnight(chosen.end + datetime.timedelta(days=1)))
    return found.order_by("-at", "-id")


def _midnight(day: datetime.date) -> datetime.datetime:
    """The start of a day in the council's time zone (a day is a day on its clocks)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _about_referral(reference: str) -> Q:
    about = Q(reference=reference)
    sent = Submission.objects.filter(reference=reference).values_list("pk", "draft_key").first()
    if sent is None:
        return about
    pk, draft_key = sent
    if draft_key is not None:
        about |= Q(object_type="referrals.draft", object_id=str(draft_key))
    # Its questions and added information (a case's pk is its submission's), whose reading
    # and saving are recorded about the enquiry; and their documents, with the form's own.
    asked = [str(e) for e in Enquiry.objects.filter(case_id=pk).values_list("pk", flat=True)]
    if asked:
        about |= Q(object_type=Enquiry._meta.label_lower, object_id__in=asked)
    answered = EnquiryDocument.objects.filter(enquiry__case_id=pk).values("document_id")
    documents = Document.objects.filter(Q(submission_id=pk) | Q(pk__in=answered))
    ids = [str(d) for d in documents.values_list("pk", flat=True)]
    if ids:
        about |= Q(object_type=Document._meta.label_lower, object_id__in=ids)
    return about


def csv_rows(found: QuerySet[AuditEvent]) -> Iterator[list[Any]]:
    """Each event as a CSV row, read in chunks (the export streams: core/spreadsheet)."""
    for event in found.iterator(chunk_size=2000):
        yield [
            event.at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            event.action,
            event.actor_id,
            event.actor_label or system_of(event),
            event.object_type,
            event.object_id,
            event.reference,
            event.client_ip,
            json.dumps(event.detail, sort_keys=True) if event.detail else "",
        ]


def system_of(event: AuditEvent) -> str:
    """Who acted when no account did: "API client: Liquidlogic LCS" for a call by an API
    client (its id and name are in the event's detail, api/views.py `_audit`), "Drop:
    Mosaic" for a drop's delivery (api/drops.py), "Scheduled job: apply-retention" for a
    job's work (retention); else "" (nobody signed in)."""
    detail = event.detail if isinstance(event.detail, dict) else {}
    if event.actor_id is not None:
        return ""
    for key, said in (
        ("client_name", "API client"),
        ("drop_name", "Drop"),
        ("job", "Scheduled job"),
    ):
        name = detail.get(key)
        if isinstance(name, str) and name:
            return f"{said}: {name}"
    return ""


def detail_text(detail: dict[str, Any]) -> str:
    """What an event's detail says, for the page: `key: value`, one after another."""
    return "; ".join(f"{key}: {json.dumps(value)}" for key, value in sorted(detail.items()))


ACCOUNT = "accounts.user"  # an event's object_type when it is about an account


def about(event: AuditEvent, names: dict[int, str] | None = None) -> str:
    """What an event is about, for the page: the referral's reference, and the object when
    it is something else (one of its documents, an account: by name, when `names`, by the
    account's key, has it)."""
    said = [event.reference] if event.reference else []
    if event.object_type == ACCOUNT and event.object_id.isdigit():
        name = (names or {}).get(int(event.object_id))
        if name:
            said.append(f"the account of {name}")
            return ", ".join(said)
    if event.object_type and not (event.reference and event.object_type == "referrals.submission"):
        said.append(f"{event.object_type} {event.object_id}")
    return ", ".join(said)
