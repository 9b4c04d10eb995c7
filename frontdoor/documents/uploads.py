"""Uploads stream to temporary files on disk, and a file over the size limit is cut off as
it arrives (its part already received is deleted), not read to the end first."""

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import (
    FileUploadHandler,
    SkipFile,
    TemporaryFileUploadHandler,
)

TOO_LARGE = "upload_too_large"


class LimitedUploadHandler(TemporaryFileUploadHandler):
    def new_file(self, *args: Any, **kwargs: Any) -> None:
        FileUploadHandler.new_file(self, *args, **kwargs)
        # The temporary file's name is ours, never the person's: Django would put their
        # extension in it (a long one fails, and a name may name a child).
        self.file = TemporaryUploadedFile(
            "upload", self.content_type, 0, self.charset, self.content_type_extra
        )
        self.file.name = self.file_name
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received >= settings.DOCUMENT_MAX_MB * 1024 * 1024:  # "smaller than 20MB"
            self.file.close()  # a temporary file: closing deletes it
            if self.request is not None:
                refused = getattr(self.request, TOO_LARGE, [])
                refused.append(self.file_name or "")
                setattr(self.request, TOO_LARGE, refused)
            raise SkipFile
        self.file.write(raw_data)
        return None
