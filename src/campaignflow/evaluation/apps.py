from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

VERB_LABELS = {
    "evaluation.created": _("started the evaluation report"),
    "evaluation.updated": _("changed the evaluation report"),
    "evaluationdimension.updated": _("changed an evaluation dimension"),
    "evaluation.submitted": _("submitted the evaluation report"),
    "evaluation.approved": _("approved the evaluation report"),
    "evaluation.rejected": _("rejected the evaluation report"),
}


class EvaluationConfig(AppConfig):
    name = "campaignflow.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        from campaignflow.campaigns import demo as campaign_demo
        from campaignflow.campaigns.lifecycle import register_after, register_guard
        from campaignflow.campaigns.navigation import CampaignTab, register_tab
        from campaignflow.campaigns.templatetags import campaign_ui
        from campaignflow.core.files import register_owner
        from campaignflow.knowledge.snapshot import register_snapshot_part

        from . import archive, demo, documents, permissions, services, snapshot

        register_tab(
            CampaignTab(
                "evaluation",
                _("Evaluation"),
                "evaluation:campaign",
                order=58,
                visible=permissions.has_evaluation_tab,
            )
        )
        for verb, label in VERB_LABELS.items():
            campaign_ui.VERB_LABELS.setdefault(verb, label)
        documents.register()
        register_owner("archives", archive.referenced_folders)
        register_guard("archive", services.archive_guard)
        # After the knowledge base's hook (earlier in INSTALLED_APPS), which writes the snapshot.
        register_after("archive", archive.on_archive)
        register_after("close", demo.after_close)
        campaign_demo.register_before_action(demo.before_action)
        register_snapshot_part("evaluation", snapshot.evaluation_part, text=snapshot.evaluation_text)
