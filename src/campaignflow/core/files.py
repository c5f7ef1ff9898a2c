"""Files under MEDIA_ROOT that the database no longer points to, and their removal.

Django writes an uploaded file to storage as soon as it is assigned, before its row commits, and
the archive writes its rendered reports inside the archive's transaction. When that transaction
rolls back (a later check fails, the process is killed) the file stays on disk with nothing
pointing to it. Each app registers the folder it owns under MEDIA_ROOT and a function naming what
is still referenced; `sweep_orphans` (a daily job of the worker, and `campaignflow sweep-files`)
removes everything else in those folders once it is older than the grace period, which leaves
alone a file whose transaction is still running.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

GRACE = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Owner:
    folder: str  # relative to MEDIA_ROOT, e.g. "expenses"
    referenced: Callable[
        [], Iterable[str]
    ]  # names relative to MEDIA_ROOT; a name ending in "/" keeps a folder


OWNERS: list[Owner] = []


def register_owner(folder: str, referenced: Callable[[], Iterable[str]]) -> None:
    """Declare `folder` (under MEDIA_ROOT) as holding only files the database points to."""
    owner = Owner(folder.strip("/"), referenced)
    if owner not in OWNERS:
        OWNERS.append(owner)


def _kept(name: str, keep: set[str]) -> bool:
    if name in keep:
        return True
    parts = name.split("/")
    return any("/".join(parts[:depth]) + "/" in keep for depth in range(1, len(parts)))


def sweep_orphans(
    *, now: dt.datetime | None = None, grace: dt.timedelta = GRACE, dry_run: bool = False
) -> list[str]:
    """Remove unreferenced files older than `grace` from every registered folder; returns their names."""
    root = Path(settings.MEDIA_ROOT)
    cutoff = (now or timezone.now()).timestamp() - grace.total_seconds()
    removed = []
    for owner in OWNERS:
        folder = root / owner.folder
        if not folder.is_dir():
            continue
        keep = {str(name) for name in owner.referenced()}
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.is_symlink():
                continue
            name = path.relative_to(root).as_posix()
            if _kept(name, keep) or path.stat().st_mtime > cutoff:
                continue
            if not dry_run:
                path.unlink(missing_ok=True)
            removed.append(name)
        if not dry_run:
            _remove_empty_folders(folder)
    if removed:
        logger.info("removed %d orphaned file(s): %s", len(removed), ", ".join(removed[:20]))
    return removed


def _remove_empty_folders(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
            path.rmdir()
