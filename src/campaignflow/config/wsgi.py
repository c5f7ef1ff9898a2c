"""WSGI entry point used by gunicorn (`campaignflow serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaignflow.config.settings")
application = get_wsgi_application()
