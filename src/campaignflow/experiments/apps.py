from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

VERB_LABELS = {
    "experiment.created": _("designed an A/B test"),
    "experiment.updated": _("changed an A/B test"),
    "experiment.deleted": _("deleted an A/B test"),
    "experiment.started": _("started an A/B test"),
    "experiment.stopped": _("stopped an A/B test"),
    "experiment.decided": _("decided an A/B test"),
    "experiment.observed": _("recorded A/B test results"),
}


class ExperimentsConfig(AppConfig):
    name = "campaignflow.experiments"
    label = "experiments"
    verbose_name = _("Experiments")

    def ready(self) -> None:
        from campaignflow.campaigns import demo as campaign_demo
        from campaignflow.campaigns.navigation import CampaignTab, register_tab
        from campaignflow.campaigns.templatetags import campaign_ui
        from campaignflow.evaluation import documents as evaluation_documents

        from . import demo, report

        register_tab(CampaignTab("experiments", _("Experiments"), "experiments:list", order=50))
        for verb, label in VERB_LABELS.items():
            campaign_ui.VERB_LABELS.setdefault(verb, label)
        campaign_demo.register_before_action(demo.before_action)
        evaluation_documents.register_section(report.evaluation_section)
