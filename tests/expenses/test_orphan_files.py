"""Files left behind by a rolled-back transaction are swept; files rows point to are never touched."""

from __future__ import annotations

import datetime as dt
import os
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from campaignflow.core import files
from campaignflow.expenses import services
from tests.expenses.conftest import expense_data, pdf_bytes, upload

LATER = dt.timedelta(hours=25)


class Abort(Exception):
    pass


def _on_disk(media) -> set[str]:
    return {path.relative_to(media).as_posix() for path in media.rglob("*") if path.is_file()}


def test_an_upload_whose_transaction_rolls_back_is_removed_by_the_sweep(live, finance, media):
    kept = services.expense_create(
        campaign=live,
        actor=finance,
        data=expense_data(live.lines["materials"]),
        attachment=upload(pdf_bytes(), "a.pdf"),
    )
    with pytest.raises(Abort), transaction.atomic():
        services.expense_create(
            campaign=live,
            actor=finance,
            data=expense_data(live.lines["materials"], reference="INV-0002"),
            attachment=upload(pdf_bytes(), "b.pdf"),
        )
        raise Abort  # e.g. a later step of the same request failed
    assert len(_on_disk(media)) == 2  # the rolled-back upload is still on disk

    assert files.sweep_orphans() == []  # younger than the grace period: its transaction may still run
    removed = files.sweep_orphans(now=timezone.now() + LATER)

    assert len(removed) == 1 and removed[0].startswith(f"expenses/{live.pk}/")
    assert _on_disk(media) == {kept.attachment.name}
    kept.refresh_from_db()
    assert kept.attachment.read().startswith(b"%PDF")


def test_archive_files_of_a_campaign_that_is_not_archived_are_orphans(live, media):
    from campaignflow.campaigns.models import Campaign

    stale = media / "archives" / str(live.pk) / "plan.pdf"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"%PDF-1.4")
    Campaign.objects.filter(pk=live.pk).update(status="archived")
    assert files.sweep_orphans(now=timezone.now() + LATER) == []  # archived: its files are the archive

    Campaign.objects.filter(pk=live.pk).update(status="closing")
    assert files.sweep_orphans(now=timezone.now() + LATER) == [f"archives/{live.pk}/plan.pdf"]
    assert not (media / "archives" / str(live.pk)).exists()


def test_the_command_lists_before_it_removes(live, media):
    orphan = media / "expenses" / str(live.pk) / "left.pdf"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"%PDF-1.4")
    old = (timezone.now() - LATER).timestamp()
    os.utime(orphan, (old, old))

    out = StringIO()
    call_command("sweep-files", "--dry-run", stdout=out, stderr=StringIO())
    assert out.getvalue().split() == [f"expenses/{live.pk}/left.pdf"] and orphan.exists()

    call_command("sweep-files", stdout=StringIO(), stderr=StringIO())
    assert not orphan.exists()
