"""Fixtures for the documents tests: signed-in clients, a draft, and an upload helper."""

import re
import shutil
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

UPLOAD_URL = "/forms/draft/{draft}/documents/"


@pytest.fixture(autouse=True)
def _empty_documents_folder(settings: Any) -> None:
    """Each test starts with no stored files (rows roll back with the test; files do not)."""
    location = settings.STORAGES["documents"].get("OPTIONS", {}).get("location")
    if settings.STORAGES["documents"]["BACKEND"].endswith("PrivateFileSystemStorage"):
        shutil.rmtree(location, ignore_errors=True)


@pytest.fixture
def draft(professional_client: Client) -> int:
    """A Social Care referral draft of the professional's."""
    response = professional_client.post("/forms/social-care-referral/")
    match = re.match(r"^/forms/draft/(\d+)/$", response["Location"])
    assert match, response
    return int(match.group(1))


def upload(client: Client, draft: int, *files: tuple[str, bytes], follow: bool = True):  # type: ignore[no-untyped-def]
    """POST files to the draft's Supporting documentation section, as a browser does, and
    follow the redirect to the page that says what happened."""
    return client.post(
        UPLOAD_URL.format(draft=draft),
        {"upload": "1", "documents": [SimpleUploadedFile(name, data) for name, data in files]},
        follow=follow,
    )
