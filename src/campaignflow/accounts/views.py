"""Sign-in: Django's login view with the throttled form; a refusal because of a lock answers 429."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from .forms import ThrottledAuthenticationForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.locked_for:
            response.status_code = 429
            response["Retry-After"] = str(form.locked_for)
        return response
