"""The knowledge base: one frozen entry per archived campaign, its labels, and org templates.

A KnowledgeEntry keeps an immutable JSON snapshot of the whole campaign taken when it was
archived, so later edits to users, templates or even the deletion of the campaign row do not
change what the archive says. Keywords and tags are the only parts people edit. The full-text
index lives beside the table (see search.py): an FTS5 table on SQLite, a tsvector column on
PostgreSQL, both fed with `search_tokens`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class KnowledgeEntry(models.Model):
    """An archived campaign, frozen: the snapshot plus the columns search and filters need."""

    campaign = models.OneToOneField(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        # The entry outlives the campaign row: the archive is the record of what happened.
        on_delete=models.SET_NULL,
        related_name="knowledge_entry",
    )
    number = models.CharField(_("number"), max_length=20, blank=True)
    name = models.CharField(_("name"), max_length=200)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department_name = models.CharField(_("department"), max_length=100, blank=True)
    scenario = models.CharField(_("scenario"), max_length=40, blank=True, db_index=True)
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    snapshot = models.JSONField(_("snapshot"), default=dict)
    proposed_keywords = models.JSONField(_("proposed keywords"), default=list)
    keywords = models.JSONField(_("keywords"), default=list)
    search_text = models.TextField(_("searchable text"), blank=True)
    # search_text segmented by jieba's search mode, lower-cased, joined by spaces: what the
    # full-text index of search.py holds.
    search_tokens = models.TextField(blank=True)
    # Synthetic entries of past years loaded by the demo; never a real campaign.
    is_history = models.BooleanField(_("demo history"), default=False)
    archived_at = models.DateTimeField(_("archived"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-archived_at", "-id"]
        verbose_name = _("knowledge entry")
        verbose_name_plural = _("knowledge entries")

    def __str__(self) -> str:
        return f"{self.number} {self.name}".strip()

    def save(self, *args, **kwargs):
        # The snapshot is the archive: once written, an update must name its fields and leave it out.
        update_fields = kwargs.get("update_fields")
        if (
            self.pk is not None
            and not self._state.adding
            and (update_fields is None or "snapshot" in update_fields)
        ):
            raise ValueError("a knowledge entry's snapshot is immutable; save with update_fields")
        super().save(*args, **kwargs)


class EntryTag(models.Model):
    """A tag a person put on an entry (free text, filterable)."""

    entry = models.ForeignKey(KnowledgeEntry, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("tag"), max_length=40)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["entry", "name"], name="unique_entry_tag")]
        indexes = [models.Index(fields=["name"], name="knowledge_tag_name")]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class EntryChannel(models.Model):
    """One channel's results in an entry, copied from its snapshot for filters and benchmarks."""

    entry = models.ForeignKey(KnowledgeEntry, on_delete=models.CASCADE, related_name="channels")
    name = models.CharField(_("channel"), max_length=100)
    kind = models.CharField(_("kind"), max_length=30, blank=True)
    impressions = models.BigIntegerField(default=0)
    clicks = models.BigIntegerField(default=0)
    conversions = models.BigIntegerField(default=0)
    cost = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    revenue = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    ctr = models.DecimalField(max_digits=20, decimal_places=10, null=True, blank=True)
    cvr = models.DecimalField(max_digits=20, decimal_places=10, null=True, blank=True)
    cpa = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["entry", "name"], name="unique_entry_channel")]
        indexes = [models.Index(fields=["name"], name="knowledge_channel_name")]
        verbose_name = _("channel result")
        verbose_name_plural = _("channel results")

    def __str__(self) -> str:
        return self.name


class KnowledgeTemplate(models.Model):
    """A scenario template saved from an archived campaign, in the shape of campaigns/scenarios/*.json.

    `key` ("kb-<id>") is what a new campaign's `template` names; `data` holds the template.
    """

    key = models.CharField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    entry = models.ForeignKey(
        KnowledgeEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="templates"
    )
    data = models.JSONField(_("template"), default=dict)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization template")
        verbose_name_plural = _("organization templates")

    def __str__(self) -> str:
        return self.name
