"""An answer's documents go with the answer: when an enquiry's row goes (deleted with its
referral, whatever deletes that), its documents' rows go too, and with them their stored
files (documents.signals). A document with an answer belongs to no draft and no
submission, so nothing else would delete it: it would stay in the store, counted against
its referrer's ACCOUNT_DOCUMENTS_MAX_MB."""

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from frontdoor.documents.models import Document
from frontdoor.enquiries.models import EnquiryDocument


@receiver(post_delete, sender=EnquiryDocument)
def delete_its_document(
    sender: type[EnquiryDocument], instance: EnquiryDocument, **kwargs: Any
) -> None:
    # (Gone already when the document itself was removed: then this deletes nothing.)
    Document.objects.filter(pk=instance.document_id).delete()
