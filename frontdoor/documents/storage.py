"""Where documents are kept: never at a public address, only streamed out by a view that
checks who is asking (downloads)."""

from typing import Any

from django.core.files.storage import FileSystemStorage, Storage, storages


class PrivateFileSystemStorage(FileSystemStorage):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("directory_permissions_mode", 0o700)
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs["base_url"] = None
        super().__init__(**kwargs)

    def url(self, name: str | None) -> str:
        raise NotImplementedError("Documents have no public address: use the download views")


def documents_storage() -> Storage:
    return storages["documents"]
