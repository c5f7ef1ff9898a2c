"""Telling people what concerns them. Other apps call `notify` inside their transaction.

CONTRACT (the notifications helper implements it; callers rely on nothing else):

    notify(*, event, recipients, title, body="", params=None, campaign=None, url="", actor=None)

- event: a key such as "task.assigned", "task.due_soon", "task.overdue", "approval.requested",
  "approval.decided", "change_request.requested", "change_request.decided".
- recipients: users; duplicates and inactive users are dropped, the actor is not told about their
  own action.
- title/body: gettext_lazy strings with %(name)s placeholders, rendered per recipient in the
  recipient's language with `params`.
- Called inside the caller's transaction: the rows (in-app notification + outbox deliveries) commit
  or roll back with the business write; delivery runs after commit in the worker.
"""

from __future__ import annotations

from collections.abc import Iterable


def notify(
    *,
    event: str,
    recipients: Iterable,
    title,
    body="",
    params: dict | None = None,
    campaign=None,
    url: str = "",
    actor=None,
) -> list:
    """Placeholder until the notifications app lands in this change: records nothing yet."""
    return []
