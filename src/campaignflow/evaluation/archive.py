"""The archive of a campaign as files: the rendered close-out reports, stored once at archive time.

The lifecycle hook (registered after the knowledge base's, which writes the snapshot) renders the
plan, tasks, evaluation and settlement reports as PDF and XLSX into
MEDIA_ROOT/archives/<campaign id>/, so later edits to users or templates do not change them. The
download zips those files with the knowledge snapshot as JSON.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from campaignflow.campaigns.choices import CampaignStatus
from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import Conflict
from campaignflow.reports import registry

logger = logging.getLogger(__name__)

ARCHIVED_KINDS = ("plan", "tasks", "evaluation", "settlement")
ARCHIVED_FORMATS = ("pdf", "xlsx")
SNAPSHOT_NAME = "snapshot.json"


def archive_dir(campaign_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "archives" / str(int(campaign_id))


def referenced_folders() -> list[str]:
    """core.files owner: the folders of archived campaigns; a rolled-back archive's files are orphans."""
    ids = Campaign.objects.filter(status=CampaignStatus.ARCHIVED).values_list("pk", flat=True)
    return [f"archives/{pk}/" for pk in ids]


def store_archive_files(*, campaign: Campaign, actor=None) -> list[str]:
    """Render and store the archived reports; a report that fails is logged and left out."""
    folder = archive_dir(campaign.pk)
    folder.mkdir(parents=True, exist_ok=True)
    stored = []
    for kind in ARCHIVED_KINDS:
        if kind not in registry.KINDS:
            continue
        for fmt in ARCHIVED_FORMATS:
            try:
                with transaction.atomic():  # a failing builder must not break the archive on PostgreSQL
                    rendered = registry.produce(
                        kind, fmt, campaign=campaign, request=registry.Request(user=actor)
                    )
            except Exception:  # one broken report never blocks archiving
                logger.exception("archive: %s report of campaign %s as %s failed", kind, campaign.pk, fmt)
                continue
            name = f"{kind}.{fmt}"
            (folder / name).write_bytes(rendered.content)
            stored.append(name)
    return stored


def on_archive(*, campaign: Campaign, actor, comment: str = "") -> None:
    """lifecycle.register_after("archive", …): store the rendered reports in the archive's transaction."""
    store_archive_files(campaign=campaign, actor=actor)


def _snapshot(campaign: Campaign) -> dict | None:
    from campaignflow.knowledge.models import KnowledgeEntry

    entry = KnowledgeEntry.objects.filter(campaign_id=campaign.pk).only("snapshot").first()
    return entry.snapshot if entry is not None else None


def archive_zip(*, campaign: Campaign) -> tuple[bytes, str]:
    """(zip bytes, file name) of an archived campaign: snapshot.json and the stored reports."""
    if campaign.status != CampaignStatus.ARCHIVED:
        raise Conflict(
            _("Only an archived campaign can be downloaded as an archive; this one is %(status)s.")
            % {"status": campaign.get_status_display()},
            code="not_archived",
        )
    folder = archive_dir(campaign.pk)
    if not folder.is_dir() or not any(folder.iterdir()):
        store_archive_files(campaign=campaign)  # archived before this app: store them now, once
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        snapshot = _snapshot(campaign)
        if snapshot is not None:
            archive.writestr(SNAPSHOT_NAME, json.dumps(snapshot, ensure_ascii=False, indent=2))
        for path in sorted(folder.iterdir()):
            if path.is_file():
                archive.write(path, path.name)
    return buffer.getvalue(), f"archive-{campaign.number or campaign.pk}.zip"
