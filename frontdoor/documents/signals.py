"""A document's file goes when its row goes: removed, or deleted with its draft."""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from frontdoor.documents.models import Document
from frontdoor.documents.storage import documents_storage


@receiver(post_delete, sender=Document)
def delete_stored_file(sender: type[Document], instance: Document, **kwargs: Any) -> None:
    name = instance.stored_as
    # Only once the deletion is committed: a rolled-back delete keeps its file.
    transaction.on_commit(lambda: documents_storage().delete(name))
