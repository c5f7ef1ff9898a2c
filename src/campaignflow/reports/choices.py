from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewStatus(models.TextChoices):
    """Where an interim review (阶段性复盘报告) is."""

    DRAFT = "draft", _("Draft")  # the review meeting is still filling it in; editable
    FINAL = "final", _("Final")  # recorded and shared with the teams; never edited again
