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
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"max_length": _("Koden består av seks sifre.")},
    )

    def clean_token(self) -> str:
        # Apps show the code as "123 456"; people type it that way.
        token = "".join(self.cleaned_data["token"].split())
        if len(token) != 6 or not token.isascii() or not token.isdigit():
            raise forms.ValidationError(_("Koden består av seks sifre."))
        return token


class PasswordResetRequestForm(forms.Form):
    identifier = forms.CharField(
        label=_("Brukernavn eller e-postadresse"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
        error_messages={
            "required": _("Skriv brukernavnet ditt eller e-postadressen din."),
            "max_length": _("Brukernavn og e-postadresse er høyst 254 tegn."),
        },
    )
