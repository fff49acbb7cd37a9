from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mestring.organisations.models import Organisation
from mestring.organisations.selectors import frame_years
from mestring.surveys.models import (
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
    min_group_size,
)


class QuestionnaireForm(forms.Form):
    title = forms.CharField(label=_("Tittel"), max_length=200)
    description = forms.CharField(
        label=_("Beskrivelse"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SectionForm(forms.Form):
    title = forms.CharField(label=_("Tittel på delen"), max_length=200)
    description = forms.CharField(
        label=_("Innledning"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def _lines(text: str) -> list[list[str]]:
    out = []
    for line in (text or "").splitlines():
        line = line.strip()
        if line:
            out.append([part.strip() for part in line.split("|")])
    return out


class QuestionForm(forms.Form):
    section = forms.ChoiceField(label=_("Del"))
    name = forms.CharField(
        label=_("Variabelnavn"),
        max_length=60,
        help_text=_(
            "Små bokstaver a–z, tall og _, for eksempel «tilgjengelig». Brukes i eksport og analyse."
        ),
    )
    text = forms.CharField(label=_("Spørsmål"), max_length=500)
    help_text = forms.CharField(label=_("Hjelpetekst"), max_length=500, required=False)
    type = forms.ChoiceField(label=_("Spørsmålstype"), choices=QuestionType.choices)
    required = forms.BooleanField(label=_("Må besvares"), required=False)
    options = forms.CharField(
        label=_("Svaralternativer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Ett per linje: kode|tekst, for eksempel «3|I stor grad». Legg til «|ir» for «ikke relevant». "
            "Tomt for gradert skala gir i stor grad / i noen grad / i liten grad / ikke relevant."
        ),
    )
    items = forms.CharField(
        label=_("Linjer (matrise eller samarbeid)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Én per linje: kode|tekst, for eksempel «nav|NAV»."),
    )
    condition_question = forms.CharField(
        label=_("Vis bare når spørsmålet (variabelnavn)"), required=False, max_length=60
    )
    condition_values = forms.CharField(
        label=_("har en av kodene"),
        required=False,
        help_text=_("Skill kodene med komma, for eksempel «1, 2»."),
    )
    min_value = forms.IntegerField(label=_("Minste tall"), required=False)
    max_value = forms.IntegerField(label=_("Største tall"), required=False)

    def __init__(self, *args: Any, sections: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [(str(pk), title) for pk, title in sections]  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(question: Question) -> dict[str, Any]:
        """The form's fields filled from an existing question (same text format as when adding)."""
        return {
            "section": str(question.section_id),
            "name": question.name,
            "text": question.text,
            "help_text": question.help_text,
            "type": question.type,
            "required": question.required,
            "options": "\n".join(
                f"{o.value}|{o.label}{'|ir' if o.not_applicable else ''}" for o in question.options.all()
            ),
            "items": "\n".join(f"{i['name']}|{i['label']}" for i in question.items or []),
            "condition_question": question.condition_question,
            "condition_values": ", ".join(str(v) for v in question.condition_values or []),
            "min_value": question.min_value,
            "max_value": question.max_value,
        }

    def clean_name(self) -> str:
        return str(self.cleaned_data["name"]).strip()

    def parsed_options(self) -> list[tuple[str, str, bool]]:
        out = []
        for parts in _lines(self.cleaned_data.get("options", "")):
            value = parts[0]
            label = parts[1] if len(parts) > 1 and parts[1] else value
            na = len(parts) > 2 and parts[2].lower() in ("ir", "ikke relevant", "na")
            out.append((value, label, na))
        return out

    def parsed_items(self) -> list[tuple[str, str]]:
        return [
            (p[0], p[1] if len(p) > 1 and p[1] else p[0]) for p in _lines(self.cleaned_data.get("items", ""))
        ]

    def parsed_condition_values(self) -> list[str]:
        raw = self.cleaned_data.get("condition_values") or ""
        return [v.strip() for v in raw.split(",") if v.strip()]


class XLSFormImportForm(forms.Form):
    file = forms.FileField(label=_("XLSForm-fil (.xlsx)"))
    kind = forms.ChoiceField(label=_("Brukes til"), choices=Questionnaire.Kind.choices)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("Filen er større enn 5 MB."))
        return upload


class NationalSurveyForm(forms.Form):
    title = forms.CharField(label=_("Tittel"), max_length=200)
    slug = forms.SlugField(label=_("Kortnavn"), max_length=70, help_text=_("Brukes i lenker og kommandoer."))
    version = forms.ModelChoiceField(
        label=_("Skjema (publisert versjon)"), queryset=QuestionnaireVersion.objects.none()
    )
    frame_year = forms.TypedChoiceField(label=_("Kommuneramme (populasjon)"), coerce=int)
    reminder_interval_days = forms.IntegerField(
        label=_("Dager mellom påminnelser"), min_value=1, max_value=60, initial=7
    )
    max_reminders = forms.IntegerField(
        label=_("Høyst antall påminnelser"), min_value=0, max_value=10, initial=2
    )

    def __init__(self, *args: Any, versions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = versions  # type: ignore[attr-defined]
        self.fields["version"].label_from_instance = lambda v: f"{v.questionnaire.title} (v{v.number})"  # type: ignore[attr-defined]
        self.fields["frame_year"].choices = [(y, str(y)) for y in frame_years()]  # type: ignore[attr-defined]


class UnitSurveyForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Tjeneste/enhet"), queryset=Organisation.objects.none())
    version = forms.ModelChoiceField(label=_("Skjema"), queryset=QuestionnaireVersion.objects.none())
    title = forms.CharField(label=_("Tittel"), max_length=200, required=False)
    min_answers = forms.IntegerField(label=_("Minste antall svar før resultater vises"), max_value=1000)

    def __init__(self, *args: Any, units: Any, versions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        minimum = min_group_size()
        field = self.fields["min_answers"]
        field.initial = minimum
        field.widget.attrs["min"] = minimum
        field.help_text = _(
            "Resultatene vises først når runden har minst så mange svar. Du kan sette et høyere tall, "
            "men ikke lavere enn %(minimum)s (minste gruppestørrelse for statistikk)."
        ) % {"minimum": minimum}
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["version"].queryset = versions  # type: ignore[attr-defined]
        self.fields["version"].label_from_instance = lambda v: f"{v.questionnaire.title} (v{v.number})"  # type: ignore[attr-defined]

    def clean_min_answers(self) -> int:
        value: int = self.cleaned_data["min_answers"]
        minimum = min_group_size()
        if value < minimum:
            raise forms.ValidationError(
                _("Minste antall svar kan ikke være lavere enn %(minimum)s."), params={"minimum": minimum}
            )
        return value


class InvitationEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Kontaktadresse (e-post)"),
        max_length=254,
        error_messages={"invalid": _("Skriv en gyldig e-postadresse.")},
    )


class InvitationAddressesForm(forms.Form):
    lines = forms.CharField(
        label=_("Kommunenummer og e-postadresse"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text=_(
            "Én kommune per linje: kommunenummer;e-post, for eksempel «4219;postmottak@kommune.no». "
            "Lim gjerne inn fra et regneark. Er én linje feil, lagres ingen av adressene."
        ),
        error_messages={"required": _("Skriv minst én linje med kommunenummer og e-postadresse.")},
    )


class RoundForm(forms.Form):
    name = forms.CharField(
        label=_("Navn på ny runde"), max_length=100, help_text=_("For eksempel «Høst 2026».")
    )


class ThemeForm(forms.Form):
    name = forms.CharField(label=_("Nytt tema"), max_length=200)
    description = forms.CharField(label=_("Beskrivelse"), max_length=500, required=False)


class CrosstabForm(forms.Form):
    """A crosstab of a question against another question or a grouping (one of them, not both). Bound to
    the page's GET parameters; every mistake is a field error in Norwegian."""

    sporsmal = forms.ChoiceField(
        label=_("Spørsmål"),
        error_messages={
            "invalid_choice": _("Velg spørsmål med faste svaralternativer."),
            "required": _("Velg spørsmålet som skal krysses."),
        },
    )
    mot = forms.ChoiceField(
        label=_("Krysset mot spørsmål"),
        required=False,
        error_messages={"invalid_choice": _("Velg spørsmål med faste svaralternativer.")},
    )
    etter = forms.ChoiceField(
        label=_("… eller etter gruppering"),
        required=False,
        error_messages={"invalid_choice": _("Velg en gruppering fra listen.")},
    )

    def __init__(
        self, *args: Any, questions: list[tuple[str, str]], group_sets: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sporsmal"].choices = [("", "–"), *questions]  # type: ignore[attr-defined]
        self.fields["mot"].choices = [("", "–"), *questions]  # type: ignore[attr-defined]
        self.fields["etter"].choices = [("", "–"), *group_sets]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        question, by_question, by_group = (
            cleaned.get("sporsmal"),
            cleaned.get("mot"),
            cleaned.get("etter"),
        )
        if question and by_question and by_question == question:
            self.add_error("mot", _("Et spørsmål kan ikke krysses med seg selv. Velg et annet spørsmål."))
        if by_question and by_group:
            message = _("Velg enten et spørsmål eller en gruppering å krysse mot, ikke begge.")
            self.add_error("mot", message)
            self.add_error("etter", message)
        if (
            question
            and not by_question
            and not by_group
            and not self.has_error("mot")
            and not self.has_error("etter")
        ):
            self.add_error("mot", _("Velg et spørsmål eller en gruppering å krysse mot."))
        return cleaned
