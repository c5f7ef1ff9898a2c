from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "campaignflow.core"
    label = "core"
