"""Where a settlement (活动费用决算表) is, and the attachment types an expense may carry."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SettlementStatus(models.TextChoices):
    """The settlement's life: draft → submitted → approved, or back to draft when rejected."""

    DRAFT = "draft", pgettext_lazy("settlement status", "Draft")  # finance writes the explanations
    SUBMITTED = "submitted", pgettext_lazy("settlement status", "Submitted")  # waits for management
    APPROVED = "approved", pgettext_lazy("settlement status", "Approved")  # signed off; immutable


class AttachmentType(models.TextChoices):
    """What an attachment's content is, as sniffed from its first bytes (never from its name)."""

    PDF = "pdf", _("PDF document")
    JPEG = "jpg", _("JPEG image")
    PNG = "png", _("PNG image")
    XLSX = "xlsx", _("Excel workbook")


CONTENT_TYPES = {
    AttachmentType.PDF: "application/pdf",
    AttachmentType.JPEG: "image/jpeg",
    AttachmentType.PNG: "image/png",
    AttachmentType.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# The file name extensions each type may be uploaded under.
EXTENSIONS = {
    AttachmentType.PDF: ("pdf",),
    AttachmentType.JPEG: ("jpg", "jpeg"),
    AttachmentType.PNG: ("png",),
    AttachmentType.XLSX: ("xlsx",),
}
