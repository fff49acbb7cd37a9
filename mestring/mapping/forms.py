from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mestring.accounts.models import User
from mestring.mapping.areas import AREAS, Phase, Rating
from mestring.mapping.catalog import MAX_AGE, MIN_AGE, SERVICES, Gender
from mestring.mapping.models import MappingEntry
from mestring.mapping.validation import FLAG_COLUMNS, parse_entry
from mestring.organisations.models import Organisation

RATING_CHOICES = [("", _("Velg vurdering")), *Rating.choices]


class RoundForm(forms.Form):
    year = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)
    starts_on = forms.DateField(label=_("Fra"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Til"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Merknad"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, units: list[Organisation], staff: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.units = units
        self.staff = staff
        for unit in units:
            self.fields[f"unit_{unit.pk}"] = forms.IntegerField(
                label=_("Forventet antall kartlagte – %(unit)s") % {"unit": unit.name},
                min_value=0,
                max_value=100000,
                required=False,
                help_text=_("Tomt eller 0: enheten er ikke med i runden."),
            )
        for user in staff:
            self.fields[f"staff_{user.pk}"] = forms.IntegerField(
                label=_("Forventet antall for %(name)s") % {"name": user.get_full_name() or user.username},
                min_value=0,
                max_value=100000,
                required=False,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("Sluttdatoen kan ikke være før startdatoen."))
        return data

    def unit_targets(self) -> dict[Organisation, int]:
        return {
            u: self.cleaned_data[f"unit_{u.pk}"] for u in self.units if self.cleaned_data.get(f"unit_{u.pk}")
        }

    def staff_targets(self) -> dict[User, int]:
        return {
            u: self.cleaned_data[f"staff_{u.pk}"]
            for u in self.staff
            if self.cleaned_data.get(f"staff_{u.pk}")
        }


class EntryForm(forms.Form):
    """Anonymous (or follow-up prefilled) mapping of one person. Field names are the import column names."""

    municipality = forms.ModelChoiceField(label=_("Kommune"), queryset=Organisation.objects.none())
    unit = forms.ModelChoiceField(label=_("Enhet"), queryset=Organisation.objects.none(), required=False)
    dato = forms.DateField(label=_("Dato for kartleggingen"), widget=forms.DateInput(attrs={"type": "date"}))
    fodselsaar = forms.IntegerField(
        label=_("Fødselsår"),
        help_text=_("Personen må være 16 år eller eldre."),
        error_messages={"invalid": _("Skriv fødselsåret med fire sifre, for eksempel 1984.")},
    )
    kjonn = forms.ChoiceField(label=_("Kjønn"), choices=[("", _("Velg kjønn")), *Gender.choices])
    mottar = forms.MultipleChoiceField(
        label=_("Tjenester personen mottar"),
        choices=SERVICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    trenger = forms.MultipleChoiceField(
        label=_("Tjenester personen trenger"),
        choices=SERVICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    ip = forms.BooleanField(label=_("Har individuell plan"), required=False)
    koordinator = forms.BooleanField(label=_("Har koordinator"), required=False)
    lar = forms.BooleanField(label=_("I legemiddelassistert rehabilitering (LAR)"), required=False)
    barn_under_18 = forms.BooleanField(label=_("Har barn under 18 år"), required=False)
    fase = forms.ChoiceField(
        label=_("Fase i forløpet"), choices=[("", _("Ikke oppgitt")), *Phase.choices], required=False
    )

    def __init__(
        self,
        *args: Any,
        year: int,
        municipalities: Any,
        units: Any,
        period: tuple[date, date] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.year = year
        self.period = period
        self.fields["municipality"].queryset = municipalities  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.only_municipality = municipalities.first() if municipalities.count() == 1 else None
        if self.only_municipality is not None:
            self.fields["municipality"].initial = self.only_municipality
            self.fields["municipality"].widget = forms.HiddenInput()
            self.fields["municipality"].required = False
        today = timezone.localdate()
        first, last = period or (date(year, 1, 1), date(year, 12, 31))
        self.fields["dato"].initial = today if first <= today <= last else None
        self.fields["dato"].widget.attrs.update(
            {"min": first.isoformat(), "max": min(last, today).isoformat()}
        )
        self.fields["dato"].help_text = _("Innenfor rundens periode %(first)s–%(last)s, ikke fram i tid.") % {
            "first": first.strftime("%d.%m.%Y"),
            "last": last.strftime("%d.%m.%Y"),
        }
        for code, label in reversed(AREAS):
            self.fields[code] = forms.ChoiceField(label=label, choices=RATING_CHOICES, required=True)
        order = ["municipality", "unit", "dato", "fodselsaar", "kjonn", *(c for c, _l in AREAS)]
        self.order_fields(order)
        for code, _label in AREAS:
            self.fields[code].error_messages["required"] = _("Velg grønn, gul eller rød for %(area)s.") % {
                "area": str(_label).lower()
            }
        self.fields["kjonn"].error_messages["required"] = _("Velg kjønn.")
        self.fields["kjonn"].error_messages["invalid_choice"] = _("Kjønn må være kvinne (k) eller mann (m).")
        for code, _label in AREAS:
            self.fields[code].error_messages["invalid_choice"] = _("Velg grønn, gul eller rød.")
        self.fields["fodselsaar"].error_messages["required"] = _("Skriv inn fødselsåret.")
        self.fields["dato"].error_messages["required"] = _("Skriv inn datoen for kartleggingen.")

    def clean_fodselsaar(self) -> int:
        value: int = self.cleaned_data["fodselsaar"]
        youngest = self.year - MIN_AGE
        if value > youngest:
            raise forms.ValidationError(
                _(
                    "Kartleggingen gjelder personer som er 16 år eller eldre: fødselsåret må være %(y)s "
                    "eller tidligere."
                )
                % {"y": youngest}
            )
        if value < self.year - MAX_AGE:
            raise forms.ValidationError(_("Fødselsåret %(v)s er ikke trolig.") % {"v": value})
        return value

    def raw(self) -> dict[str, Any]:
        """The cleaned values in the import column format (for `parse_entry` and the service)."""
        data = self.cleaned_data
        raw: dict[str, Any] = {
            "fodselsaar": data.get("fodselsaar"),
            "kjonn": data.get("kjonn"),
            "fase": data.get("fase"),
        }
        raw["dato"] = data.get("dato")
        for code, _label in AREAS:
            raw[code] = data.get(code)
        for column in FLAG_COLUMNS:
            raw[column] = bool(data.get(column))
        for code, _label in SERVICES:
            raw[f"mottar_{code}"] = code in (data.get("mottar") or [])
            raw[f"trenger_{code}"] = code in (data.get("trenger") or [])
        return raw

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("municipality") and self.only_municipality is not None:
            data["municipality"] = self.only_municipality
        if self.errors:
            return data
        parsed = parse_entry(self.raw(), year=self.year, period=self.period, today=timezone.localdate())
        for column, message in parsed.errors:
            field = column if column in self.fields else None
            self.add_error(field, message)
        unit = data.get("unit")
        municipality = data.get("municipality")
        if unit is not None and municipality is not None and unit.parent_id != municipality.pk:
            self.add_error("unit", _("Enheten hører ikke til kommunen du valgte."))
        return data


class EntryEditForm(EntryForm):
    """Correcting a registered entry: the registration form, prefilled, with the version it was loaded at."""

    versjon = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, entry: MappingEntry, **kwargs: Any) -> None:
        kwargs["initial"] = {**entry_initial(entry), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        for code in ("required", "invalid", "min_value"):
            self.fields["versjon"].error_messages[code] = _(
                "Skjemaet mangler et gyldig versjonsnummer. Last siden på nytt og prøv igjen."
            )


def entry_initial(entry: MappingEntry) -> dict[str, Any]:
    """The form's initial values from a stored entry."""
    initial: dict[str, Any] = {
        "municipality": entry.municipality_id,
        "unit": entry.unit_id,
        "dato": entry.assessed_on,
        "fodselsaar": entry.birth_year,
        "kjonn": entry.gender,
        "fase": entry.phase,
        "mottar": [code for code, _l in SERVICES if getattr(entry, f"received_{code}")],
        "trenger": [code for code, _l in SERVICES if getattr(entry, f"needed_{code}")],
        "versjon": entry.version,
        **{code: getattr(entry, code) for code, _l in AREAS},
    }
    for column, field_name in FLAG_COLUMNS.items():
        initial[column] = getattr(entry, field_name)
    return initial


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Fil (CSV i UTF-8 eller Excel .xlsx)"))
    municipality = forms.ModelChoiceField(
        label=_("Kommune"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("For en runde i et samarbeid: tomt betyr at filen har kolonnen kommunenummer."),
    )

    MAX_BYTES = 50_000_000

    def __init__(self, *args: Any, municipalities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities  # type: ignore[attr-defined]
        if municipalities.count() <= 1:
            del self.fields["municipality"]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not (name.endswith(".csv") or name.endswith(".xlsx") or name.endswith(".txt")):
            raise forms.ValidationError(_("Filen må være CSV (.csv) eller Excel (.xlsx)."))
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("Filen er for stor (over 50 MB)."))
        return upload


class YearForm(forms.Form):
    aar = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)
