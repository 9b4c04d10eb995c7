"""Referrals sent, decided and imported at given times (time-machine), through the real
services: what retention is then asked about, `now` passed to apply_retention."""

import datetime
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from frontdoor.accounts.models import Membership, User
from frontdoor.api.models import ApiClient, ApiImport
from frontdoor.api.tests.conftest import System
from frontdoor.api.tests.conftest import lado_system as lado_system  # a fixture
from frontdoor.api.tests.conftest import loopback_allowed as loopback_allowed  # a fixture
from frontdoor.api.tests.conftest import social_care_system as social_care_system  # a fixture
from frontdoor.cases import services
from frontdoor.cases.models import Case
from frontdoor.documents import services as documents
from frontdoor.documents.models import Document
from frontdoor.documents.tests import files
from frontdoor.documents.tests.conftest import _empty_documents_folder as _empty_documents_folder
from frontdoor.documents.tests.test_s3 import bucket as bucket  # a fixture
from frontdoor.referrals.models import Submission
from frontdoor.referrals.submissions import submit
from tests.sending import CHILD, fill

SENT = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def manager(mash_staff: User) -> User:
    Membership.objects.filter(user=mash_staff).update(role=Membership.Role.MANAGER)
    return mash_staff


def send_at(
    user: User,
    at: datetime.datetime,
    *named: tuple[str, bytes],
    child: dict[str, Any] | None = None,
) -> Submission:
    """A Social Care referral sent at `at` with these documents attached."""
    with time_machine.travel(at, tick=False):
        draft = fill(user, "social-care-referral", children=[child or CHILD])
        for name, data in named:
            attached = documents.attach(draft, user, SimpleUploadedFile(name, data))
            assert isinstance(attached, Document), attached
        return submit(draft.pk, user)


def close_at(sent: Submission, manager: User, at: datetime.datetime) -> Case:
    """Decided "no further action" (which closes it) at `at`."""
    with time_machine.travel(at, tick=False):
        case = Case.objects.get(pk=sent.pk)
        services.move_to_stage(case, "decision", manager)
        return services.decide(
            Case.objects.get(pk=case.pk), "no-further-action", "No action needed.", manager
        )


def import_at(case: Case, system: System | ApiClient, at: datetime.datetime) -> ApiImport:
    """Marked imported by the system, for the team the case is in now, at `at`."""
    client = system.client_row if isinstance(system, System) else system
    return ApiImport.objects.create(
        client=client,
        case=case,
        team=Case.objects.get(pk=case.pk).team,
        external_reference="LCS-12345",
        imported_at=at,
    )


def two_documents() -> tuple[tuple[str, bytes], tuple[str, bytes]]:
    return ("chronology.pdf", files.pdf("A chronology", pages=1)), ("photo.png", files.image("PNG"))
