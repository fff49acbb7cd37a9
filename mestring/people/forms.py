from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mestring.accounts.models import User
from mestring.organisations.models import Organisation
from mestring.people.fnr import validate_fodselsnummer
from mestring.people.models import ChildrenRoutine, ConsentRecipient, Gender, Relative

DATE = {"type": "date"}


class PersonFieldsForm(forms.Form):
    first_name = forms.CharField(label=_("Fornavn"), max_length=100)
    last_name = forms.CharField(label=_("Etternavn"), max_length=100)
    national_id = forms.CharField(
        label=_("Fødselsnummer eller D-nummer"),
        max_length=20,
        required=False,
        help_text=_("11 sifre. Kan stå tomt og legges til senere; da må fødselsåret fylles inn."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_year = forms.IntegerField(label=_("Fødselsår"), required=False, min_value=1900, max_value=2100)
    gender = forms.ChoiceField(
        label=_("Kjønn"),
        required=False,
        choices=[("", _("Ikke oppgitt")), *Gender.choices],
        help_text=_("Hentes fra fødselsnummeret når det er fylt inn."),
    )
    phone = forms.CharField(label=_("Telefon"), max_length=30, required=False)
    email = forms.EmailField(label=_("E-post"), required=False)
    address = forms.CharField(label=_("Adresse"), max_length=300, required=False)
    preferred_meeting_places = forms.CharField(
        label=_("Foretrukne møtesteder"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Hvor vil personen helst møtes? For eksempel hjemme, på kafé, på tur."),
    )
    interpreter_needed = forms.BooleanField(label=_("Trenger tolk"), required=False)
    interpreter_language = forms.CharField(label=_("Tolk, språk"), max_length=100, required=False)
    confidential_address = forms.BooleanField(
        label=_("Fortrolig eller strengt fortrolig adresse"), required=False
    )

    def clean_national_id(self) -> str:
        value = (self.cleaned_data.get("national_id") or "").strip()
        return validate_fodselsnummer(value) if value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("national_id") and not data.get("birth_year") and "national_id" not in self.errors:
            self.add_error(
                "birth_year",
                _("Uten fødselsnummer må fødselsåret fylles inn. Fødselsnummeret kan legges til senere."),
            )
        if data.get("interpreter_needed") and not (data.get("interpreter_language") or "").strip():
            self.add_error("interpreter_language", _("Skriv hvilket språk tolken skal kunne."))
        return data


class PersonCreateForm(PersonFieldsForm):
    organisation = forms.ModelChoiceField(
        label=_("Bostedskommune"), queryset=Organisation.objects.none(), empty_label=None
    )
    unit = forms.ModelChoiceField(
        label=_("Enhet som gir tjenester"), queryset=Organisation.objects.none(), required=False
    )

    field_order = ["first_name", "last_name", "national_id", "birth_year", "organisation", "unit"]

    def __init__(self, *args: Any, municipalities: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = municipalities  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class PersonEditForm(PersonFieldsForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)

    def __init__(self, *args: Any, has_national_id: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_national_id = has_national_id
        if has_national_id:
            self.fields["national_id"].help_text = _(
                "Fødselsnummeret er lagret. La feltet stå tomt for å beholde det, "
                "eller skriv et nytt for å rette."
            )

    def clean(self) -> dict[str, Any]:
        data = forms.Form.clean(self) or {}
        if (
            not self.has_national_id
            and not data.get("national_id")
            and not data.get("birth_year")
            and "national_id" not in self.errors
        ):
            self.add_error("birth_year", _("Uten fødselsnummer må fødselsåret fylles inn."))
        if data.get("interpreter_needed") and not (data.get("interpreter_language") or "").strip():
            self.add_error("interpreter_language", _("Skriv hvilket språk tolken skal kunne."))
        return data


class ConsentForm(forms.Form):
    recipient = forms.ChoiceField(label=_("Mottaker"), choices=ConsentRecipient.choices)
    recipient_detail = forms.CharField(label=_("Mottaker, utdypet"), max_length=200, required=False)
    scope = forms.CharField(
        label=_("Hva kan deles"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    given = forms.TypedChoiceField(
        label=_("Beslutning"),
        choices=[("1", _("Samtykke gitt")), ("0", _("Samtykke trukket / ikke gitt"))],
        coerce=lambda v: v == "1",
    )
    decided_on = forms.DateField(label=_("Dato"), widget=forms.DateInput(attrs=DATE))


class ShareForm(forms.Form):
    recipient = forms.ChoiceField(label=_("Mottaker"), choices=ConsentRecipient.choices)
    recipient_detail = forms.CharField(
        label=_("Mottaker, utdypet"),
        max_length=200,
        required=False,
        help_text=_("Påkrevd for «Andre»: skriv hvem, slik det står i samtykket."),
    )
    what = forms.CharField(label=_("Hva deles"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class RelativeForm(forms.Form):
    name = forms.CharField(label=_("Navn"), max_length=200)
    relation = forms.ChoiceField(label=_("Relasjon"), choices=Relative.Relation.choices)
    birth_year = forms.IntegerField(
        label=_("Fødselsår"), required=False, min_value=1900, max_value=2100, help_text=_("Påkrevd for barn.")
    )
    phone = forms.CharField(label=_("Telefon"), max_length=30, required=False)
    is_next_of_kin = forms.BooleanField(label=_("Nærmeste pårørende"), required=False)
    followup_offered = forms.BooleanField(label=_("Tilbudt samtale eller oppfølging"), required=False)
    notes = forms.CharField(label=_("Merknad"), max_length=500, required=False)


class ChildrenRoutineForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Er personen spurt om barn under 18 år?"),
        choices=[
            ("", _("Velg svar")),
            *[c for c in ChildrenRoutine.choices if c[0] != ChildrenRoutine.NOT_ASKED],
        ],
    )
    followup_offered = forms.BooleanField(
        label=_("Barna og den andre forelderen er tilbudt samtale/oppfølging"), required=False
    )


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Begrunnelse"),
        min_length=20,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Hvorfor trenger du tilgang nå, uten å være i teamet rundt personen? Begrunnelsen logges og "
            "vises for enhetslederen."
        ),
        error_messages={"min_length": _("Skriv en begrunnelse på minst 20 tegn.")},
    )


class CareTeamForm(forms.Form):
    user: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Ansatt"), queryset=User.objects.none())
    role_title = forms.CharField(label=_("Rolle i teamet"), max_length=200, required=False)

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    grant = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    note = forms.CharField(label=_("Merknad"), max_length=500, required=False)


class ServiceRelationForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Enhet"), queryset=Organisation.objects.none())
    valid_from = forms.DateField(
        label=_("Fra"), initial=timezone.localdate, widget=forms.DateInput(attrs=DATE)
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
