from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Feil brukernavn eller passord. Etter flere feil forsøk blir kontoen låst en stund."
        ),
        "inactive": _("Kontoen er deaktivert."),
    }


class OTPForm(forms.Form):
    token = forms.CharField(
        label=_("Engangskode fra autentiseringsappen"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("Koden består av seks sifre."))
        return token
