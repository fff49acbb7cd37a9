from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import openpyxl
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mestring.organisations.models import Organisation


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Navn på enheten"), max_length=200)
    contact_email = forms.EmailField(label=_("Kontaktadresse (e-post)"), required=False)
    address = forms.CharField(label=_("Postadresse"), max_length=300, required=False)

    def __init__(
        self, *args: Any, municipality: Organisation, instance: Organisation | None = None, **kwargs: Any
    ) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "contact_email": instance.contact_email,
                "address": instance.address,
            }
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.instance = instance

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = Organisation.objects.filter(kind="unit", parent=self.municipality, name__iexact=name)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Kommunen har allerede en enhet med dette navnet."))
        return name


class CooperationMemberForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Kommune"), queryset=Organisation.objects.filter(kind="municipality").order_by("name")
    )
    valid_from = forms.DateField(
        label=_("Medlem fra"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_to = forms.DateField(
        label=_("Medlem til (valgfritt)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: date | None = data.get("valid_from")
        end: date | None = data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("Sluttdatoen kan ikke være før startdatoen."))
        return data


class CooperationMemberEndForm(forms.Form):
    valid_to = forms.DateField(
        label=_("Siste dag som medlem"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class AgreementForm(forms.Form):
    members_see_each_other = forms.BooleanField(
        label=_("Medlemskommunene kan se hverandres enheter og nøkkeltall"), required=False
    )
    shares_person_data = forms.BooleanField(
        label=_("Felles personell kan følge opp personer i alle medlemskommuner"),
        help_text=_("Gir ansatte i samarbeidet tjenstlig tilgang til personer på tvers av medlemskommunene."),
        required=False,
    )


class SteeringSeatForm(forms.Form):
    title = forms.CharField(label=_("Rolle i styringsgruppen"), max_length=200)
    holder = forms.CharField(label=_("Innehaver (stilling eller navn)"), max_length=200, required=False)
    municipality = forms.ModelChoiceField(
        label=_("Representerer kommune"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = members  # type: ignore[attr-defined]


class FrameImportForm(forms.Form):
    year = forms.IntegerField(label=_("År"), min_value=1900, max_value=2200)
    file = forms.FileField(
        label=_("Fil (CSV i UTF-8 eller Excel XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > 2_000_000:
            raise forms.ValidationError(_("Filen er for stor (over 2 MB)."))
        content = upload.read()
        if content.startswith(b"PK\x03\x04") or upload.name.lower().endswith(".xlsx"):
            return xlsx_to_csv(content)
        try:
            return content.decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _(
                    "Filen er ikke UTF-8. Lagre den som CSV UTF-8 (eller Excel-arbeidsbok, .xlsx) "
                    "og prøv igjen."
                )
            ) from None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def xlsx_to_csv(content: bytes) -> str:
    """The first sheet of a workbook as CSV text, so that one parser validates both kinds of file.

    Excel drops leading zeros from numbers, so a number in the kommunenummer column gets them back
    (301 → 0301).
    """
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        rows = [
            [_cell_text(value) for value in row] for row in workbook.worksheets[0].iter_rows(values_only=True)
        ]
        workbook.close()
    except Exception:  # a broken or foreign file: openpyxl raises many kinds
        raise forms.ValidationError(
            _("Filen kunne ikke leses som Excel-arbeidsbok (.xlsx). Lagre den på nytt, eller bruk CSV UTF-8.")
        ) from None
    header = [cell.strip() for cell in rows[0]] if rows else []
    if "kommunenummer" in header:
        column = header.index("kommunenummer")
        for row in rows[1:]:
            if column < len(row) and row[column].isdigit() and len(row[column]) < 4:
                row[column] = row[column].zfill(4)
    while rows and not any(rows[-1]):
        rows.pop()
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


class GroupSetForm(forms.Form):
    name = forms.CharField(label=_("Navn på grupperingen"), max_length=200)
    description = forms.CharField(
        label=_("Beskrivelse"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    lines = forms.CharField(
        label=_("Kommuner og grupper"),
        help_text=_("Én linje per kommune: kommunenummer;gruppe, for eksempel 4219;Setesdal"),
        widget=forms.Textarea(attrs={"rows": 8}),
    )
