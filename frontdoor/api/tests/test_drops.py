"""Drops for systems without an API: new referrals written as JSON with their documents to
a folder or an S3 prefix (moto's S3 server), documents first and the JSON last, once."""

import datetime
import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.core.files.base import ContentFile

from frontdoor.accounts.models import Membership
from frontdoor.api import drops
from frontdoor.api.models import Drop, DropDelivery
from frontdoor.audit.models import AuditEvent
from frontdoor.cases import services
from frontdoor.cases.models import Case
from frontdoor.core.periodic import JOBS
from frontdoor.documents.models import Document
from frontdoor.documents.storage import documents_storage
from frontdoor.documents.tests import files
from tests.sending import send

pytestmark = pytest.mark.django_db

REGION = "eu-west-2"


def attach(submission: Any, name: str, data: bytes, kind: str = Document.Kind.PDF) -> Document:
    stored = documents_storage().save(f"2026/12/{uuid.uuid4().hex}", ContentFile(data))
    return Document.objects.create(
        owner=submission.owner,
        submission=submission,
        name=name,
        kind=kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        stored_as=stored,
        scanned=True,
    )


@pytest.fixture
def sent(professional: Any, run_pdf_tasks: Any) -> Any:
    """A Social Care referral with two documents and its PDF copy made."""
    submission = send(professional, "social-care-referral")
    attach(submission, "Chronology.pdf", files.pdf("A chronology"))
    attach(submission, "../../etc/passwd.png", files.image("PNG"), Document.Kind.PNG)
    run_pdf_tasks()
    return submission


@pytest.fixture
def folder_drop(teams: Any, tmp_path: Path) -> Drop:
    drop = Drop.objects.create(
        name="Mosaic",
        destination=str(tmp_path),
        since=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    drop.teams.add(teams["social-care"])
    return drop


def every_file(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_a_referral_is_written_with_its_documents_and_pdf_once(
    sent: Any, folder_drop: Drop, tmp_path: Path
) -> None:
    reference = sent.reference
    assert drops.run(folder_drop) == 1

    assert every_file(tmp_path) == [
        f"{reference}.json",
        f"{reference}/{reference}.pdf",
        f"{reference}/documents/01-Chronology.pdf",
        f"{reference}/documents/02-passwd.png",  # a name is never a path
    ]
    body = json.loads((tmp_path / f"{reference}.json").read_text())
    assert body["reference"] == reference
    assert body["team"] == "social-care"
    assert body["drop"] == "Mosaic"
    assert body["people"][0]["first_name"] == "Ava"
    assert body["people"][0]["date_of_birth"] == "2016-03-27"
    # Each document the JSON names is there, with the digest it gives.
    assert [d["name"] for d in body["documents"]] == ["Chronology.pdf", "../../etc/passwd.png"]
    for document in body["documents"]:
        data = (tmp_path / document["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == document["sha256"]
        assert len(data) == document["size"]
    assert (tmp_path / body["pdf"]["path"]).read_bytes().startswith(b"%PDF")

    delivery = DropDelivery.objects.get()
    assert (delivery.case.submission_id, delivery.files) == (sent.pk, 4)
    event = AuditEvent.objects.get(action="drop.delivered")
    assert (event.reference, event.detail["drop_name"], event.detail["files"]) == (
        reference,
        "Mosaic",
        4,
    )
    # Once: the next run has nothing to do, and writes nothing again.
    (tmp_path / f"{reference}.json").unlink()
    assert drops.run(folder_drop) == 0
    assert not (tmp_path / f"{reference}.json").exists()
    # Delivered is not imported.
    assert not Case.objects.get(submission=sent).api_imports.exists()


def test_only_the_drops_teams_unrestricted_referrals_since_its_start_with_their_copy(
    professional: Any,
    mash_staff: Any,
    folder_drop: Drop,
    tmp_path: Path,
    run_pdf_tasks: Any,
) -> None:
    lado = send(professional, "lado-referral")
    waiting = send(professional, "social-care-referral")
    assert drops.run(folder_drop) == 0  # its PDF copy is not made yet
    assert every_file(tmp_path) == []

    run_pdf_tasks()
    restricted = send(professional, "social-care-referral")
    run_pdf_tasks()
    Membership.objects.filter(user=mash_staff).update(role=Membership.Role.MANAGER)
    case = services.restrict(Case.objects.get(submission=restricted), [], mash_staff)
    old = send(professional, "social-care-referral")
    run_pdf_tasks()
    Case.objects.filter(submission=old).update(
        received_at=datetime.datetime(2025, 12, 31, tzinfo=datetime.UTC)
    )

    assert drops.run(folder_drop) == 1
    assert [p.name for p in tmp_path.glob("*.json")] == [f"{waiting.reference}.json"]
    assert not list(tmp_path.glob(f"{lado.reference}*"))

    # Once the restriction is lifted, it goes at the next run.
    services.lift_restriction(case, mash_staff)
    assert drops.run(folder_drop) == 1
    assert (tmp_path / f"{restricted.reference}.json").exists()


def test_the_json_is_never_written_when_a_document_could_not_be(
    sent: Any, folder_drop: Drop, tmp_path: Path
) -> None:
    # Something in the way of the documents' folder: the delivery fails before the JSON.
    (tmp_path / sent.reference).mkdir()
    (tmp_path / sent.reference / "documents").write_text("in the way")
    assert drops.run(folder_drop) == 0
    assert not (tmp_path / f"{sent.reference}.json").exists()
    assert not DropDelivery.objects.exists()
    failed = AuditEvent.objects.get(action="drop.failed")
    assert (failed.reference, failed.detail["error"]) == (sent.reference, "FileExistsError")
    assert not [p for p in tmp_path.rglob(".partial-*")]

    # Tried again at the next run, once the way is clear.
    (tmp_path / sent.reference / "documents").unlink()
    assert drops.run(folder_drop) == 1
    assert (tmp_path / f"{sent.reference}.json").exists()


def test_a_paused_drop_delivers_nothing_and_the_job_runs_every_live_drop(
    sent: Any, folder_drop: Drop, tmp_path: Path
) -> None:
    assert JOBS["drop-referrals"][0] == "frontdoor.api.drops.run_all"
    Drop.objects.filter(pk=folder_drop.pk).update(paused_at=datetime.datetime.now(datetime.UTC))
    drops.run_all()
    assert every_file(tmp_path) == []
    Drop.objects.filter(pk=folder_drop.pk).update(paused_at=None)
    drops.run_all()
    assert (tmp_path / f"{sent.reference}.json").exists()


@pytest.fixture
def drop_s3(s3_endpoint: str, settings: Any, monkeypatch: Any) -> str:
    """Drops to S3 pointed at moto's server, with credentials where boto3 finds them."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "frontdoor-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "frontdoor-test")
    settings.DROP_S3_ENDPOINT_URL = s3_endpoint
    settings.DROP_S3_REGION = REGION
    return s3_endpoint


def test_a_drop_to_an_s3_prefix(sent: Any, teams: Any, drop_s3: str) -> None:
    s3 = boto3.client("s3", endpoint_url=drop_s3, region_name=REGION)
    bucket = f"drop-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    drop = Drop.objects.create(
        name="Eclipse",
        destination=f"s3://{bucket}/frontdoor/new/",
        since=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    drop.teams.add(teams["social-care"])

    assert drops.run(drop) == 1
    reference = sent.reference
    keys = sorted(item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert keys == [
        f"frontdoor/new/{reference}.json",
        f"frontdoor/new/{reference}/{reference}.pdf",
        f"frontdoor/new/{reference}/documents/01-Chronology.pdf",
        f"frontdoor/new/{reference}/documents/02-passwd.png",
    ]
    got = s3.get_object(Bucket=bucket, Key=f"frontdoor/new/{reference}.json")
    assert got["ContentType"] == "application/json"
    body = json.loads(got["Body"].read())
    for document in body["documents"]:
        data = s3.get_object(Bucket=bucket, Key=f"frontdoor/new/{document['path']}")["Body"].read()
        assert hashlib.sha256(data).hexdigest() == document["sha256"]


def test_a_drop_to_a_missing_bucket_is_tried_again(sent: Any, teams: Any, drop_s3: str) -> None:
    drop = Drop.objects.create(
        name="Eclipse",
        destination="s3://no-such-bucket-here/x",
        since=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    drop.teams.add(teams["social-care"])
    assert drops.run(drop) == 0
    assert not DropDelivery.objects.exists()
    assert AuditEvent.objects.filter(action="drop.failed", reference=sent.reference).exists()


@pytest.mark.parametrize(
    ("destination", "message"),
    [
        ("relative/folder", "Enter a folder as an absolute path"),
        ("/no/such/folder/here", "The folder does not exist or the portal cannot write to it"),
        ("s3://", "Enter an S3 prefix like s3://bucket/prefix"),
    ],
)
def test_the_admin_refuses_a_destination_it_cannot_use(
    admin_client: Any, teams: Any, destination: str, message: str
) -> None:
    response = admin_client.post(
        "/admin/api/drop/add/",
        {
            "name": "Mosaic",
            "teams": [teams["social-care"].pk],
            "destination": destination,
            "since_0": "2026-12-01",
            "since_1": "09:00:00",
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Drop.objects.exists()


def test_the_admin_adds_pauses_and_lists_a_drop(
    admin_client: Any, teams: Any, tmp_path: Path, sent: Any
) -> None:
    form = {
        "name": "Mosaic",
        "teams": [teams["social-care"].pk],
        "destination": str(tmp_path),
        "since_0": "2026-01-01",
        "since_1": "09:00:00",
    }
    response = admin_client.post("/admin/api/drop/add/", form)
    assert response.status_code == 302, response.content.decode()
    drop = Drop.objects.get()
    assert drop.paused_at is None
    assert AuditEvent.objects.get(action="drop.created").detail["teams"] == ["social-care"]

    drops.run(drop)
    listed = admin_client.get("/admin/api/drop/").content.decode()
    assert "Mosaic" in listed
    assert "social-care" in listed
    assert ">1<" in listed  # delivered

    response = admin_client.post(f"/admin/api/drop/{drop.pk}/change/", {**form, "paused": "on"})
    assert response.status_code == 302
    drop.refresh_from_db()
    assert drop.paused_at is not None
    assert "Paused" in admin_client.get("/admin/api/drop/").content.decode()
    assert AuditEvent.objects.get(action="drop.changed").detail["paused"] is True
