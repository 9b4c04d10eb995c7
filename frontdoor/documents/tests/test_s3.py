"""Supporting documents kept in S3 (DOCUMENTS_STORAGE=s3), through the real views.

moto's S3 server runs on 127.0.0.1 and is spoken to over HTTP, as a council's S3 (or an
S3-compatible store) would be. The "documents" storage is built by frontdoor/settings.py
itself from the DOCUMENTS_S3_* variables, so what is tested is what a council configures.
"""

import re
import runpy
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.test import Client

from conftest import sign_in
from frontdoor.documents.models import Document
from frontdoor.documents.storage import documents_storage
from frontdoor.documents.tests import files
from frontdoor.documents.tests.conftest import upload
from frontdoor.referrals.models import Draft, Submission
from frontdoor.referrals.submissions import unfinished

pytestmark = pytest.mark.django_db

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "settings.py"
REGION = "eu-west-2"
PREFIX = "documents"
# moto takes any credentials; the storage finds them where boto3 does (the environment).
ACCESS_KEY = "frontdoor-test-access-key"
SECRET_KEY = "frontdoor-test-secret-key"


@dataclass(frozen=True)
class Bucket:
    client: Any  # boto3's S3 client, signed with the test credentials
    name: str

    def keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name)
        return [item["Key"] for item in listed.get("Contents", [])]


@pytest.fixture
def bucket(s3_endpoint: str, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Bucket:
    """A new private bucket, and the "documents" storage pointed at it as settings.py makes
    it for DOCUMENTS_STORAGE=s3."""
    name = f"frontdoor-documents-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})

    for variable, value in {
        "DOCUMENTS_STORAGE": "s3",
        "DOCUMENTS_S3_BUCKET": name,
        "DOCUMENTS_S3_ENDPOINT_URL": s3_endpoint,
        "DOCUMENTS_S3_REGION": REGION,
        "DOCUMENTS_S3_PREFIX": PREFIX,
    }.items():
        monkeypatch.setenv(variable, value)
    built = runpy.run_path(str(SETTINGS_FILE))["STORAGES"]["documents"]
    assert built["BACKEND"] == "storages.backends.s3.S3Storage"
    assert built["OPTIONS"]["default_acl"] == "private"
    assert built["OPTIONS"]["querystring_auth"] is True
    assert built["OPTIONS"]["file_overwrite"] is False
    # Streamed, not held in a web worker's memory (bench/upload_memory.py measures it): a
    # whole file in one request, and downloads spilt to disk.
    largest = settings.DOCUMENT_MAX_MB * 1024 * 1024
    assert built["OPTIONS"]["transfer_config"].multipart_threshold > largest
    assert 0 < built["OPTIONS"]["max_memory_size"] < largest
    # A new STORAGES (not a change inside the old one) sends setting_changed, whose handler
    # (django.test.signals.storages_changed) drops the storages already made; pytest-django
    # puts the old value back, and sends it again, after the test.
    settings.STORAGES = {**settings.STORAGES, "documents": built}
    assert type(documents_storage()).__name__ == "S3Storage"
    assert documents_storage().bucket_name == name
    return Bucket(client, name)


def anonymous_get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - http://127.0.0.1
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_an_upload_is_stored_privately_under_a_generated_name_then_downloaded_and_removed(
    professional_client: Client,
    draft: int,
    bucket: Bucket,
    s3_endpoint: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    data = files.pdf("Chronology for S3")
    response = upload(professional_client, draft, ("chronology.pdf", data))
    assert "‘chronology.pdf’ has been uploaded." in response.content.decode()
    document = Document.objects.get()

    # In the bucket, under the prefix and a generated name: nothing of the file's own name.
    stored = bucket.keys()
    assert stored == [f"{PREFIX}/{document.stored_as}"]
    assert "chronology" not in stored[0]
    assert re.fullmatch(r"\d{4}/\d{2}/[0-9a-f]{32}", document.stored_as), document.stored_as
    assert bucket.client.get_object(Bucket=bucket.name, Key=stored[0])["Body"].read() == data

    # Private: only the owner is granted anything, and nobody can fetch it without signing.
    acl = bucket.client.get_object_acl(Bucket=bucket.name, Key=stored[0])
    assert [grant["Permission"] for grant in acl["Grants"]] == ["FULL_CONTROL"]
    assert acl["Grants"][0]["Grantee"]["Type"] == "CanonicalUser"
    assert anonymous_get(f"{s3_endpoint}/{bucket.name}/{stored[0]}") == 403
    # (moto does serve a public-read object anonymously: the 403 above is the ACL's doing.)
    bucket.client.put_object(Bucket=bucket.name, Key="public.txt", Body=b"x", ACL="public-read")
    assert anonymous_get(f"{s3_endpoint}/{bucket.name}/public.txt") == 200
    bucket.client.delete_object(Bucket=bucket.name, Key="public.txt")

    # Downloaded by its owner through the portal: the same bytes, as an attachment.
    response = professional_client.get(f"/forms/draft/{draft}/file/{document.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Disposition"].startswith('attachment; filename="chronology.pdf"')
    assert response["Content-Type"] == "application/pdf"

    # A refused file never reaches the bucket.
    response = upload(professional_client, draft, ("letter.pdf", files.eicar_pdf()))
    assert "There is a problem" in response.content.decode()
    assert "contains a virus" in response.content.decode()
    assert bucket.keys() == stored

    # Removed: the row at once, the object once the removal is committed.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = professional_client.post(
            f"/forms/draft/{draft}/documents/", {"remove": str(document.pk)}
        )
    assert response.status_code == 302
    assert not Document.objects.exists()
    assert bucket.keys() == stored  # not before the commit: a rolled-back removal keeps it
    for callback in callbacks:
        callback()
    assert bucket.keys() == []
    assert professional_client.get(f"/forms/draft/{draft}/file/{document.pk}/").status_code == 404


def test_deleting_a_draft_deletes_its_objects(
    professional_client: Client, draft: int, bucket: Bucket, django_capture_on_commit_callbacks: Any
) -> None:
    upload(professional_client, draft, ("one.pdf", files.pdf("One")))
    upload(professional_client, draft, ("two.png", files.image("PNG")))
    assert len(bucket.keys()) == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = professional_client.post(f"/forms/draft/{draft}/delete/")
    assert response["Location"] == "/forms/recover/"
    assert not Draft.objects.filter(pk=draft).exists()
    assert bucket.keys() == []


def test_a_sent_forms_document_stays_in_the_bucket_for_the_receiving_team(
    professional_client: Client,
    draft: int,
    bucket: Bucket,
    mash_staff: Any,
    early_help_staff: Any,
    run_tasks: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    data = files.pdf("Assessment for the team", pages=2)
    upload(professional_client, draft, ("assessment.pdf", data))
    document = Document.objects.get()
    stored = bucket.keys()
    assert stored == [f"{PREFIX}/{document.stored_as}"]

    # Every other section marked done (answering ten sections by their pages is
    # referrals/tests/test_pages.py's work): sending itself is the real view.
    pending = Draft.objects.get(pk=draft)
    Draft.objects.filter(pk=draft).update(
        completed=[*pending.completed, *(s.slug for s in unfinished(pending))]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = professional_client.post(f"/forms/draft/{draft}/send/")
    submission = Submission.objects.get()
    assert response["Location"] == f"/forms/sent/{submission.reference}/"
    assert submission.team_slug == "social-care"
    assert not Draft.objects.filter(pk=draft).exists()  # the draft went, its file did not
    document.refresh_from_db()
    assert (document.draft_id, document.submission_id) == (None, submission.pk)
    assert bucket.keys() == stored

    staff = Client()
    sign_in(staff, mash_staff, run_tasks)
    response = staff.get(f"/team/{submission.reference}/file/{document.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Disposition"].startswith('attachment; filename="assessment.pdf"')

    # Another team's staff, and the draft's old address, find nothing.
    other = Client()
    sign_in(other, early_help_staff, run_tasks)
    assert other.get(f"/team/{submission.reference}/file/{document.pk}/").status_code == 404
    assert professional_client.get(f"/forms/draft/{draft}/file/{document.pk}/").status_code == 404
    # The referrer still has it under the sent form.
    response = professional_client.get(f"/forms/sent/{submission.reference}/file/{document.pk}/")
    assert b"".join(response.streaming_content) == data
    assert bucket.keys() == stored
