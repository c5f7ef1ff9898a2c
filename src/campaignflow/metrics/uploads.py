"""Refusing an oversized import before its body is read.

Django writes a multipart upload to a temporary file before a view sees it. For an import the
limit (CAMPAIGNFLOW_MAX_IMPORT_BYTES) must hold earlier: a request announcing more than the limit
in Content-Length is refused without reading its body, and a body without one (chunked) is cut
off by an upload handler as soon as the file passes the limit.
"""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

# Multipart boundaries and the other form fields around the file.
MULTIPART_SLACK = 1 << 20


class SizeLimitHandler(FileUploadHandler):
    """Stops reading an uploaded file once it reaches `limit` bytes; `exceeded` tells afterwards."""

    def __init__(self, request: HttpRequest, limit: int):
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) >= self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


def announced_too_large(request: HttpRequest, limit: int) -> bool:
    """Whether Content-Length already says the file cannot fit."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length >= limit + MULTIPART_SLACK


def guard(request: HttpRequest, limit: int) -> SizeLimitHandler | None:
    """Install the size limit on the request's upload handlers, unless its body was already read."""
    if hasattr(request, "_files"):
        return None
    handler = SizeLimitHandler(request, limit)
    request.upload_handlers = [handler, *request.upload_handlers]
    return handler


def open_upload(upload):
    """An uploaded file as a binary file object to use in a `with` block.

    A temporary file is reopened by its path (a real file for the CSV reader's text wrapper); an
    in-memory one is its own buffer.
    """
    if hasattr(upload, "temporary_file_path"):
        return open(upload.temporary_file_path(), "rb")
    upload.seek(0)
    return upload.file
