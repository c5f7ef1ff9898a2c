from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "campaignflow.web"
    label = "web"
