"""A document's file goes when its row goes: removed, or deleted with its draft."""

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from frontdoor.documents.models import Document
from frontdoor.documents.storage import documents_storage

logger = logging.getLogger(__name__)


@receiver(post_delete, sender=Document)
def delete_stored_file(sender: type[Document], instance: Document, **kwargs: Any) -> None:
    name = instance.stored_as
    # Only once the deletion is committed: a rolled-back delete keeps its file.
    transaction.on_commit(lambda: _delete(name), robust=True)


def _delete(name: str) -> None:
    try:
        documents_storage().delete(name)
    except Exception:
        # The row is gone; the file stays until someone removes it (the name is generated:
        # no personal data in this line).
        logger.exception("Could not delete the stored document %s", name)
        raise
