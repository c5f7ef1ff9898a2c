"""Where an evaluation report (活动效果评估报告, seed 003 Table 4) is in its life."""

from django.db import models
from django.utils.translation import pgettext_lazy


class EvaluationStatus(models.TextChoices):
    """draft → submitted → approved, or back to draft when management rejects it."""

    DRAFT = "draft", pgettext_lazy("evaluation status", "Draft")  # the data analyst writes it
    SUBMITTED = "submitted", pgettext_lazy("evaluation status", "Submitted")  # waits for management
    APPROVED = "approved", pgettext_lazy("evaluation status", "Approved")  # signed off; immutable


# Dimension keys besides the goals ("goal:<id>"): the return of the whole campaign.
ROI, ROAS = "roi", "roas"
