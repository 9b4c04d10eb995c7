import pytest

from frontdoor.documents.models import Document
from frontdoor.documents.storage import documents_storage
from frontdoor.documents.tests import files
from frontdoor.documents.tests.conftest import upload

pytestmark = pytest.mark.django_db


def test_a_pdf_is_attached_and_eicar_refused(professional_client, draft):
    response = upload(professional_client, draft, ("chronology.pdf", files.pdf()))
    assert "‘chronology.pdf’ has been uploaded." in response.content.decode()
    document = Document.objects.get()
    assert document.kind == "pdf"
    assert documents_storage().exists(document.stored_as)
    response = upload(professional_client, draft, ("letter.pdf", files.eicar_pdf()))
    assert response.status_code == 200
    assert "contains a virus" in response.content.decode()
    assert Document.objects.count() == 1
