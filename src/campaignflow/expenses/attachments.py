"""Checking an expense's scanned voucher before it is stored.

The type is read from the file's content, never trusted from its name or the browser's content
type: a PDF starts with `%PDF-`, a PNG and a JPEG with their signatures (and Pillow must be able to
read the image), an XLSX is a ZIP holding an Excel workbook. The name's extension must agree with
the content. The size limit is CAMPAIGNFLOW_MAX_ATTACHMENT_BYTES (default 10 MB).

The stored file gets a generated name (a random hex token plus the type's extension) in
MEDIA_ROOT/expenses/<campaign id>/; the uploaded name is only kept, cleaned, as the name offered on
download. Nothing the user sends ever becomes part of a path.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import File
from django.http import FileResponse
from django.utils.translation import gettext as _

from campaignflow.core.errors import NotFound, field_error

from .choices import CONTENT_TYPES, EXTENSIONS, AttachmentType

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
NAME_MAX = 200
SNIFF_BYTES = 16


def max_bytes() -> int:
    """The size limit in bytes; a broken setting falls back to the default rather than a 500."""
    value = getattr(settings, "CAMPAIGNFLOW_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_BYTES)
    try:
        value = int(value)
    except (TypeError, ValueError):
        return DEFAULT_MAX_BYTES
    return value if value > 0 else DEFAULT_MAX_BYTES


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


@dataclass(frozen=True)
class CheckedAttachment:
    """An upload that passed every check: what to store and what to remember about it."""

    file: File
    kind: str  # an AttachmentType value
    size: int
    display_name: str  # the cleaned original name, offered on download
    storage_name: str  # the generated name it is stored under


def clean_name(name: str) -> str:
    """The original file name made safe to show and to offer on download.

    Only the last path component is kept (both / and \\ separate), control characters and quotes
    are dropped, and it is cut to NAME_MAX characters keeping its extension.
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C" and ch not in '"<>|:*?')
    name = name.strip().strip(".").strip()
    if not name:
        return "attachment"
    stem, ext = os.path.splitext(name)
    if len(name) > NAME_MAX:
        name = stem[: NAME_MAX - len(ext)] + ext
    return name


def _extension(name: str) -> str:
    return os.path.splitext(name)[1].lower().lstrip(".")


def sniff(head: bytes, stream) -> str | None:
    """The attachment type of the content, or None when it is none of the accepted types."""
    if head.startswith(b"%PDF-"):
        return AttachmentType.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return AttachmentType.PNG if _image_ok(stream, "PNG") else None
    if head.startswith(b"\xff\xd8\xff"):
        return AttachmentType.JPEG if _image_ok(stream, "JPEG") else None
    if head.startswith(b"PK\x03\x04") and _is_workbook(stream):
        return AttachmentType.XLSX
    return None


def _image_ok(stream, expected: str) -> bool:
    """Pillow reads the header and checks the structure without decoding the whole image."""
    from PIL import Image

    stream.seek(0)
    try:
        with Image.open(stream) as image:
            if image.format != expected:
                return False
            image.verify()
    except Exception:  # Pillow raises many types for a broken file; any of them means "not an image"
        return False
    return True


def _is_workbook(stream) -> bool:
    """An XLSX is a ZIP with the OOXML content types and a workbook part."""
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


def check(upload, *, field: str = "attachment") -> CheckedAttachment:
    """Check type, size and name of an uploaded file; 422 naming `field` for anything wrong."""
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
    if size > limit:
        raise field_error(
            field,
            _("The file is %(size)s; attachments may be at most %(limit)s.")
            % {"size": human_size(size), "limit": human_size(limit)},
        )
    if size == 0:
        raise field_error(field, _("The file is empty."))
    display_name = clean_name(getattr(upload, "name", "") or "")
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    kind = sniff(head, upload)
    upload.seek(0)
    if kind is None:
        raise field_error(
            field, _("Attach a PDF, JPG, PNG or XLSX file; the content of this file is none of these.")
        )
    extension = _extension(display_name)
    if extension not in EXTENSIONS[kind]:
        raise field_error(
            field,
            _("The file is named “%(name)s” but its content is a %(type)s; rename it to .%(ext)s.")
            % {"name": display_name, "type": AttachmentType(kind).label, "ext": EXTENSIONS[kind][0]},
        )
    storage_name = f"{uuid.uuid4().hex}.{EXTENSIONS[kind][0]}"
    return CheckedAttachment(
        file=upload if isinstance(upload, File) else File(upload),
        kind=kind,
        size=size,
        display_name=display_name,
        storage_name=storage_name,
    )


def from_bytes(content: bytes, name: str) -> File:
    """Wrap bytes made in code (the demo's PDF, tests) as an upload."""
    file = File(io.BytesIO(content), name=name)
    file.size = len(content)
    return file


def download_response(expense) -> FileResponse:
    """The stored file with its sniffed type, as a download under its cleaned original name.

    404 when the expense has no attachment or its file is gone. `nosniff` keeps browsers from
    reinterpreting the content as anything but its checked type.
    """
    if not expense.attachment:
        raise NotFound(_("This expense has no attachment."))
    try:
        handle = expense.attachment.open("rb")
    except OSError:
        raise NotFound(_("The attachment file is missing."))
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=expense.attachment_name or expense.attachment.name.rsplit("/", 1)[-1],
        content_type=CONTENT_TYPES.get(expense.attachment_type, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
