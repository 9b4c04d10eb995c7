"""Leavers: an administrator closes the account of someone who has left.

`deactivate()` closes the account (sign-in refused; every session ends at once, since a
closed account's session token is renewed: accounts.User.save), gives a member of staff's
open referrals back to their teams' unassigned lists, takes them off the restricted
referrals that name them (one then naming no manager of its team is the team's managers'
to see and lift), and hands a professional's drafts to a named colleague of the same
organisation (same work email domain, not a personal email service's), whose account is
in use, who is emailed. `hand_over_drafts()` does the last alone, for an account already
closed. Everything is audited, with ids only.
"""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet, Sum

from frontdoor.accounts.models import User, normalise_email
from frontdoor.audit.services import record
from frontdoor.cases import services as cases
from frontdoor.cases.models import Case
from frontdoor.documents.models import Document
from frontdoor.documents.services import stored_by
from frontdoor.notifications.services import send
from frontdoor.referrals.drafts import hand_over as give_drafts
from frontdoor.referrals.models import Draft


class Refused(Exception):
    """What was asked cannot be done (the message says why, for the page)."""


@dataclass(frozen=True)
class Leaving:
    """What closing an account would do (shown before confirming) or did."""

    drafts: int
    open_referrals: int
    # Drafts that stayed with the leaver: they did not fit within the colleague's limits.
    drafts_kept: int = 0
    # Restricted referrals naming them, and of those the ones naming no other manager of
    # the team still there: once they go, the team's managers see those.
    restricted: int = 0
    restricted_to_managers: int = 0
    # Decisions they proposed that wait for a manager: they stay, for a manager.
    proposals: int = 0


@dataclass(frozen=True)
class HandedOver:
    """How many drafts went to the colleague, and how many stayed (they did not fit)."""

    handed: int
    kept: int = 0


def domain_of(email: str) -> str:
    return normalise_email(email).rpartition("@")[2]


def is_personal(domain: str) -> bool:
    """Whether an email domain is a personal email service's (PERSONAL_EMAIL_DOMAINS):
    anyone can have an address there, so sharing it says nothing about who works where."""
    return domain.lower() in {personal.lower() for personal in settings.PERSONAL_EMAIL_DOMAINS}


def why_no_hand_over(leaver: User) -> str:
    """Why a professional's drafts cannot go to a colleague at all, or "" if they can."""
    domain = domain_of(leaver.email)
    if is_personal(domain):
        return (
            f"Their drafts cannot be handed to a colleague: their email address is at "
            f"{domain}, a personal email service, so an address there does not show who "
            "they work with"
        )
    return ""


def open_referrals(leaver: User) -> QuerySet[Case]:
    return Case.objects.filter(assignee=leaver, closed_at=None)


def what_leaving_does(leaver: User) -> Leaving:
    return Leaving(
        drafts=Draft.objects.filter(owner=leaver).count(),
        open_referrals=open_referrals(leaver).count(),
        restricted=cases.restricted_naming(leaver).count(),
        restricted_to_managers=cases.left_to_managers(leaver).count(),
        proposals=cases.proposals_of(leaver).count(),
    )


def colleague(leaver: User, email: str) -> User:
    """The account a professional's drafts may go to: an active professional whose email
    address is confirmed, not the leaver, whose email is at the same domain, which is not
    a personal email service's (anyone can have an address there). Otherwise Refused,
    saying why."""
    cannot = why_no_hand_over(leaver)
    if cannot:
        raise Refused(
            f"{cannot}. Their drafts stay with this account, and are deleted "
            f"{settings.DRAFT_DAYS} days after they were last saved"
        )
    if domain_of(email) != domain_of(leaver.email):
        raise Refused(
            f"Drafts can only go to a colleague whose email address ends @{domain_of(leaver.email)}"
        )
    found = User.objects.filter(email=normalise_email(email)).first()
    if found is None:
        raise Refused("There is no account with that email address")
    if found.pk == leaver.pk:
        raise Refused("Enter a colleague's email address, not the leaver's own")
    if not found.is_active:
        raise Refused("That account is closed: choose a colleague whose account is open")
    if not found.is_verified:
        raise Refused(
            f"{found.email} has not confirmed their email address yet, and an account that "
            f"is not confirmed is deleted with its drafts {settings.UNVERIFIED_ACCOUNT_DAYS} "
            "days after it was made: choose a colleague whose account is in use"
        )
    if not found.is_professional:
        raise Refused("That account is not a professional's: drafts can only go to a professional")
    return found


def deactivate(leaver: User, by: User, *, drafts_to: str = "", ip: str | None = None) -> Leaving:
    """Close the account of a leaver, in one transaction: their drafts to `drafts_to` (an
    email address; empty: they stay, and are deleted DRAFT_DAYS after their last save),
    their open referrals back to their teams, then the account closed."""
    if not by.is_staff:
        raise PermissionError("Only an administrator closes accounts")
    if leaver.pk == by.pk:
        raise Refused("You cannot close your own account")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=leaver.pk)
        if not locked.is_active:
            raise Refused("This account is already closed")
        handed = _hand_over(locked, by, drafts_to, ip) if drafts_to else HandedOver(0)
        drafts = handed.handed
        referrals = 0
        for case in open_referrals(locked).select_related("submission"):
            cases.return_to_team(case, by, reason="leaver")
            referrals += 1
        # Off every restriction that names them; one left with no manager named is the
        # team's managers' to see and lift (cases.services.not_restricted_from).
        to_managers = set(cases.left_to_managers(locked).values_list("pk", flat=True))
        restricted = 0
        for case in cases.restricted_naming(locked):
            cases.unname_leaver(case, locked, by)
            restricted += 1
        # Decisions they proposed wait for a manager still, as any other (audited).
        proposals = 0
        for case in cases.proposals_of(locked).select_related("submission"):
            cases.keep_proposal_of_leaver(case, locked, by)
            proposals += 1
        locked.is_active = False
        locked.save(update_fields=["is_active"])  # renews session_token: sessions end
        record(
            "account.deactivated",
            actor=by,
            obj=locked,
            ip=ip,
            drafts_handed_over=drafts,
            referrals_returned=referrals,
            restrictions_left=restricted,
            restrictions_to_managers=len(to_managers),
            proposals_kept=proposals,
        )
    return Leaving(
        drafts=drafts,
        drafts_kept=handed.kept,
        open_referrals=referrals,
        restricted=restricted,
        restricted_to_managers=len(to_managers),
        proposals=proposals,
    )


def hand_over_drafts(leaver: User, by: User, *, to: str, ip: str | None = None) -> HandedOver:
    """Hand a closed account's drafts to a colleague (see colleague())."""
    if not by.is_staff:
        raise PermissionError("Only an administrator hands over drafts")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=leaver.pk)
        if locked.is_active:
            raise Refused("Close the account first: its owner could still be changing them")
        return _hand_over(locked, by, to, ip)


def _fitting(leaver: User, to: User) -> tuple[list[int], list[int]]:
    """The leaver's drafts (most recently saved first) split into those that fit within
    the colleague's limits, as if they had started them (DRAFTS_MAX_PER_FORM drafts of a
    form, ACCOUNT_DOCUMENTS_MAX_MB of documents), and those that do not."""
    per_form = Counter(Draft.objects.filter(owner=to).values_list("form_version__slug", flat=True))
    room = settings.ACCOUNT_DOCUMENTS_MAX_MB * 1024 * 1024 - stored_by(to.pk)
    sizes = dict(
        Document.objects.filter(draft__owner=leaver, owner=leaver)
        .values("draft_id")
        .annotate(total=Sum("size"))
        .values_list("draft_id", "total")
    )
    fits, kept = [], []
    # The drafts' rows locked, so a save in flight (the leaver's last session) finishes
    # first.
    theirs = Draft.objects.select_for_update().filter(owner=leaver).order_by("-saved_at", "-pk")
    for pk, slug in theirs.values_list("pk", "form_version__slug"):
        size = sizes.get(pk) or 0
        if per_form[slug] >= settings.DRAFTS_MAX_PER_FORM or size > room:
            kept.append(pk)
            continue
        per_form[slug] += 1
        room -= size
        fits.append(pk)
    return fits, kept


def _hand_over(leaver: User, by: User, email: str, ip: str | None) -> HandedOver:
    if not leaver.is_professional:
        raise Refused("Only a professional's drafts can be handed to a colleague")
    to = colleague(leaver, email)
    # The colleague's row locked, as when they start a draft: their counts hold.
    User.objects.select_for_update().get(pk=to.pk)
    ids, kept = _fitting(leaver, to)
    if not ids and not kept:
        raise Refused("This account has no drafts to hand over")
    if not ids:
        raise Refused(
            f"None of the drafts can go to {to.email}: they would have more than "
            f"{settings.DRAFTS_MAX_PER_FORM} drafts of a form, or more than "
            f"{settings.ACCOUNT_DOCUMENTS_MAX_MB}MB of documents. Choose another colleague"
        )
    # Each keeps its answers and documents, but those about the sender: the colleague
    # fills those in again, from their own account, and sends the form as themselves.
    give_drafts(ids, to)
    Document.objects.filter(Q(draft_id__in=ids), owner=leaver).update(owner=to)
    record(
        "drafts.handed_over",
        actor=by,
        obj=leaver,
        ip=ip,
        to=to.pk,
        drafts=sorted(ids),
        kept=sorted(kept),
    )
    send(to.email, "drafts_handed_over", {"first_name": to.first_name, "count": len(ids)})
    return HandedOver(handed=len(ids), kept=len(kept))
