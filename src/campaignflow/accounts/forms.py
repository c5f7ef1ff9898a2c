"""The sign-in form, with throttling of failed attempts (throttle.py)."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from . import services, throttle


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form that refuses, without checking the password, while a lock lasts."""

    locked_for = 0  # seconds, when the attempt was refused because of a lock

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if not username or not self.cleaned_data.get("password"):
            return super().clean()  # a missing field: a form error, not a sign-in attempt
        address = throttle.client_address(self.request)
        self.locked_for = services.login_locked_for(username=username, address=address)
        if self.locked_for:
            raise ValidationError(services.lockout_message(self.locked_for), code="too_many_attempts")
        try:
            cleaned = super().clean()
        except ValidationError:
            self.locked_for = services.login_failed(username=username, address=address, channel="web")
            if self.locked_for:
                raise ValidationError(services.lockout_message(self.locked_for), code="too_many_attempts")
            raise
        services.login_succeeded(username=username)
        return cleaned
