from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mestring.accounts.models import Membership, User
from mestring.accounts.roles import PERMISSIONS, Perm
from mestring.followup.models import (
    GOAL_TEXT_MAX_LENGTH,
    Agency,
    Goal,
    Instrument,
    Measure,
    Meeting,
    Referral,
)
from mestring.mapping.areas import AREAS, Phase, Rating
from mestring.organisations.models import CooperationMember, Organisation
from mestring.organisations.selectors import active_units
from mestring.people.models import Person

PERSON_ROLES = [role for role, perms in PERMISSIONS.items() if Perm.PERSON_VIEW in perms]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def serving_units(person: Person, membership: Membership) -> QuerySet[Organisation]:
    """Units that may serve the person: in the person's municipality or its person-sharing cooperations."""
    municipality_ids = {person.organisation_id}
    cooperations = CooperationMember.objects.filter(
        municipality_id=person.organisation_id, cooperation__shares_person_data=True
    ).values("cooperation_id")
    municipality_ids |= set(
        CooperationMember.objects.filter(cooperation_id__in=cooperations).values_list(
            "municipality_id", flat=True
        )
    )
    return active_units(municipality_ids).order_by("parent__name", "name")


def staff_for(person: Person, membership: Membership) -> QuerySet[User]:
    """Staff who may work with the person: person-work roles in serving units or sharing cooperations."""
    units = serving_units(person, membership).values("pk")
    cooperations = CooperationMember.objects.filter(
        municipality_id=person.organisation_id, cooperation__shares_person_data=True
    ).values("cooperation_id")
    memberships = (
        Membership.objects.active()
        .filter(role__in=PERSON_ROLES)
        .filter(
            Q(organisation_id__in=units)
            | Q(organisation_id__in=cooperations)
            | Q(organisation_id=membership.organisation_id)
        )
    )
    return User.objects.filter(pk__in=memberships.values("user_id"), is_active=True).order_by(
        "first_name", "last_name"
    )


def check_dates(
    form: forms.Form, person: Person | None, fields: tuple[str, ...], *, past: bool = False
) -> None:
    """Field errors for dates before the person was born and, with `past` (things that have happened), after
    today. The services check the same (`services.date_errors`), so the API refuses them too."""
    from mestring.followup.services import date_errors

    if person is None:
        return
    for name in fields:
        value = form.cleaned_data.get(name)
        if isinstance(value, datetime):
            value = timezone.localtime(value).date()
        for message in date_errors(person, value, past=past):
            form.add_error(name, message)


def check_phone(value: str) -> None:
    from mestring.followup.services import phone_errors

    if errors := phone_errors(value):
        raise ValidationError(errors)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class EpisodeForm(forms.Form):
    phase = forms.ChoiceField(label=_("Fase i forløpet"), choices=Phase.choices)
    started_on = forms.DateField(label=_("Startdato"), initial=timezone.localdate, widget=DateInput())
    ended_on = forms.DateField(
        label=_("Sluttdato"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "Når forløpet avsluttes, settes åpne tiltak til «Avsluttet uten å fullføres», personen tas av "
            "FACT-tavla og åpne påminnelser lukkes."
        ),
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Enheter som gir tjenester"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Enheter i personens kommune eller i samarbeidskommuner."),
    )
    coordinator = UserChoiceField(
        label=_("Koordinator"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Koordinator oppnevnes selv om personen ikke har individuell plan."),
    )
    note = forms.CharField(label=_("Merknad"), required=False, widget=textarea(2))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, person: Person, membership: Membership, editing: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["units"].queryset = serving_units(person, membership)  # type: ignore[attr-defined]
        if editing:
            del self.fields["coordinator"]
        else:
            del self.fields["ended_on"]
            self.fields["coordinator"].queryset = staff_for(person, membership)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("started_on"), data.get("ended_on")
        if start and end and end < start:
            self.add_error("ended_on", _("Sluttdatoen kan ikke være før startdatoen."))
        check_dates(self, self.person, ("started_on",))
        check_dates(self, self.person, ("ended_on",), past=True)
        return data


class CoordinatorForm(forms.Form):
    coordinator = UserChoiceField(label=_("Koordinator"), queryset=User.objects.none(), required=False)
    since = forms.DateField(label=_("Fra dato"), initial=timezone.localdate, widget=DateInput())

    def __init__(self, *args: Any, person: Person, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["coordinator"].queryset = staff_for(person, membership)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_dates(self, self.person, ("since",))
        return data


class ReferralForm(forms.Form):
    direction = forms.ChoiceField(label=_("Retning"), choices=Referral.Direction.choices)
    agency = forms.ChoiceField(label=_("Instans"), choices=Agency.choices)
    agency_name = forms.CharField(label=_("Navn på instansen"), max_length=200, required=False)
    reason = forms.CharField(label=_("Grunn"), max_length=500, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Referral.Status.choices)
    referred_on = forms.DateField(label=_("Henvist dato"), initial=timezone.localdate, widget=DateInput())
    answered_on = forms.DateField(label=_("Svar dato"), required=False, widget=DateInput())
    started_on = forms.DateField(label=_("Oppstart dato"), required=False, widget=DateInput())

    def __init__(self, *args: Any, person: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_dates(self, self.person, ("referred_on", "answered_on"), past=True)
        check_dates(self, self.person, ("started_on",))
        return data


class GoalForm(forms.Form):
    text = forms.CharField(
        label=_("Hva er viktig for deg?"),
        help_text=_("Skriv målet med personens egne ord."),
        max_length=GOAL_TEXT_MAX_LENGTH,
        widget=textarea(3),
    )
    parent = forms.ModelChoiceField(
        label=_("Delmål under hovedmål"),
        queryset=Goal.objects.none(),
        required=False,
        empty_label=_("Nei, dette er et hovedmål"),
    )
    area = forms.ChoiceField(label=_("Levekårsområde"), choices=[("", "–"), *AREAS], required=False)

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Goal.objects.filter(  # type: ignore[attr-defined]
            person=person, parent__isnull=True
        ).exclude(status=Goal.Status.DROPPED)


class GoalEditForm(forms.Form):
    text = forms.CharField(
        label=_("Målet med personens egne ord"), max_length=GOAL_TEXT_MAX_LENGTH, widget=textarea(3)
    )
    status = forms.ChoiceField(label=_("Status"), choices=Goal.Status.choices)
    area = forms.ChoiceField(label=_("Levekårsområde"), choices=[("", "–"), *AREAS], required=False)


SCALE_1_5 = [(i, str(i)) for i in range(1, 6)]
# No value is chosen for the person: a skipped scale must be an error, not a silent 1.
SCALE_1_5_EMPTY = [("", _("Velg 1–5")), *SCALE_1_5]
SCALE_REQUIRED = {"required": _("Velg en verdi fra 1 til 5.")}


class GoalRatingForm(forms.Form):
    progress = forms.TypedChoiceField(
        label=_("Fremgang mot målet (1 = ingen, 5 = nådd)"),
        choices=SCALE_1_5_EMPTY,
        coerce=int,
        error_messages=SCALE_REQUIRED,
    )
    confidence = forms.TypedChoiceField(
        label=_("Hvor sikker er personen på å nå målet? (1–5)"),
        choices=SCALE_1_5_EMPTY,
        coerce=int,
        error_messages=SCALE_REQUIRED,
    )
    satisfaction = forms.TypedChoiceField(
        label=_("Hvor fornøyd er personen med innsatsen så langt? (1–5)"),
        choices=SCALE_1_5_EMPTY,
        coerce=int,
        error_messages=SCALE_REQUIRED,
    )
    rated_on = forms.DateField(label=_("Dato"), initial=timezone.localdate, widget=DateInput())

    def __init__(self, *args: Any, person: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_dates(self, self.person, ("rated_on",), past=True)
        return data


class MappingForm(forms.Form):
    """Eight areas, each green/yellow/red with a note (rendered as one fieldset per area)."""

    assessed_on = forms.DateField(label=_("Kartlagt dato"), initial=timezone.localdate, widget=DateInput())
    note = forms.CharField(label=_("Merknad til kartleggingen"), required=False, widget=textarea(2))

    def __init__(self, *args: Any, person: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        for code, label in AREAS:
            self.fields[code] = forms.ChoiceField(
                label=label,
                choices=Rating.choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Velg grønn, gul eller rød.")},
            )
            self.fields[f"{code}_note"] = forms.CharField(
                label=_("Merknad om %(area)s") % {"area": str(label).lower()},
                required=False,
                widget=textarea(2),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_dates(self, self.person, ("assessed_on",), past=True)
        return data

    def area_rows(self) -> list[tuple[Any, Any]]:
        return [(self[code], self[f"{code}_note"]) for code, _label in AREAS]

    def ratings(self) -> dict[str, tuple[str, str]]:
        return {code: (self.cleaned_data[code], self.cleaned_data[f"{code}_note"]) for code, _label in AREAS}


class PlanForm(forms.Form):
    resources = forms.CharField(label=_("Personens ressurser"), required=False, widget=textarea(3))
    needs = forms.CharField(label=_("Personens behov"), required=False, widget=textarea(3))
    participants = forms.CharField(
        label=_("Hvem som deltar i arbeidet med planen"), required=False, widget=textarea(2)
    )
    person_participated = forms.BooleanField(
        label=_("Personen har deltatt i arbeidet med planen"), required=False
    )
    time_perspective = forms.CharField(
        label=_("Tidsperspektiv"), max_length=200, required=False, help_text=_("For eksempel «ett år»")
    )
    next_review_on = forms.DateField(label=_("Neste evaluering"), widget=DateInput())
    consent_to_share = forms.BooleanField(
        label=_("Personen samtykker til at informasjon deles i ansvarsgruppen"), required=False
    )
    consent_note = forms.CharField(label=_("Samtykke, utdypet"), max_length=500, required=False)
    rights_informed = forms.BooleanField(
        label=_("Personen er informert om rettigheter og plikter"), required=False
    )
    change_note = forms.CharField(label=_("Hva er endret (kort)"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_next_review_on(self) -> Any:
        day = self.cleaned_data.get("next_review_on")
        if day is not None and day < timezone.localdate():
            raise ValidationError(_("Neste evaluering må være i dag eller senere."))
        return day


class PlanDeclineForm(forms.Form):
    reason = forms.CharField(label=_("Personens begrunnelse (valgfritt)"), required=False, widget=textarea(3))
    declined_on = forms.DateField(label=_("Dato"), initial=timezone.localdate, widget=DateInput())
    version = forms.IntegerField(widget=forms.HiddenInput)


class MeasureForm(forms.Form):
    title = forms.CharField(label=_("Tiltak"), max_length=300)
    goal = forms.ModelChoiceField(label=_("Hører til mål"), queryset=Goal.objects.none(), required=False)
    responsible = forms.CharField(
        label=_("Ansvarlig (person eller instans)"), max_length=200, help_text=_("For eksempel «NAV Evje»")
    )
    responsible_user = UserChoiceField(
        label=_("Ansvarlig ansatt (får påminnelser)"), queryset=User.objects.none(), required=False
    )
    extent = forms.CharField(
        label=_("Omfang"), max_length=200, required=False, help_text=_("For eksempel «to timer per uke»")
    )
    how = forms.CharField(label=_("Hvordan det gjennomføres"), required=False, widget=textarea(3))
    start_on = forms.DateField(label=_("Start"), initial=timezone.localdate, widget=DateInput())
    end_on = forms.DateField(label=_("Slutt / evalueres"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=Measure.Status.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, person: Person, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["goal"].queryset = Goal.objects.filter(person=person)  # type: ignore[attr-defined]
        self.fields["responsible_user"].queryset = staff_for(person, membership)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start_on") and data.get("end_on") and data["end_on"] < data["start_on"]:
            self.add_error("end_on", _("Sluttdatoen kan ikke være før startdatoen."))
        check_dates(self, self.person, ("start_on",))
        return data


class CareTeamForm(forms.Form):
    user = UserChoiceField(
        label=_("Ansatt i kommunen eller samarbeidet"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Velg en ansatt, eller fyll inn navn for eksterne deltakere og pårørende."),
    )
    name = forms.CharField(
        label=_("Navn (eksterne)"),
        max_length=200,
        required=False,
        help_text=_("Bare for eksterne deltakere og pårørende; la feltet stå tomt når du velger en ansatt."),
    )
    agency = forms.ChoiceField(label=_("Instans"), choices=Agency.choices, initial=Agency.MUNICIPAL)
    role_title = forms.CharField(label=_("Rolle i ansvarsgruppen"), max_length=200, required=False)
    phone = forms.CharField(
        label=_("Telefon"),
        max_length=30,
        required=False,
        validators=[check_phone],
        help_text=_("Sifre og mellomrom, gjerne med + og landkode foran."),
    )
    email = forms.EmailField(label=_("E-post"), required=False)
    consent_to_share = forms.BooleanField(
        label=_("Personen har samtykket til at denne deltakeren får informasjon"), required=False
    )

    def __init__(self, *args: Any, person: Person, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff_for(person, membership)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("user") and not (data.get("name") or "").strip():
            self.add_error("name", _("Velg en ansatt eller skriv navnet på deltakeren."))
        if data.get("user") and (data.get("name") or "").strip():
            self.add_error(
                "name",
                _(
                    "Navnet er bare for eksterne deltakere. En ansatt står med navnet sitt; "
                    "tøm navnefeltet eller velg ingen ansatt."
                ),
            )
        return data


class MeetingCreateForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Tidspunkt"), widget=DateTimeInput())
    place = forms.CharField(label=_("Sted"), max_length=200, required=False)
    agenda = forms.CharField(label=_("Saksliste"), required=False, widget=textarea(4))

    def __init__(self, *args: Any, person: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_dates(self, self.person, ("starts_at",))
        return data


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Tidspunkt"), widget=DateTimeInput())
    status = forms.ChoiceField(label=_("Status"), choices=Meeting.Status.choices)
    place = forms.CharField(label=_("Sted"), max_length=200, required=False)
    agenda = forms.CharField(label=_("Saksliste"), required=False, widget=textarea(3))
    present = forms.MultipleChoiceField(
        label=_("Til stede"), choices=[], required=False, widget=forms.CheckboxSelectMultiple
    )
    minutes = forms.CharField(label=_("Referat"), required=False, widget=textarea(5))
    next_meeting_on = forms.DateField(label=_("Neste møte"), required=False, widget=DateInput())
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, members: list[Any], person: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["present"].choices = [(str(m.pk), str(m)) for m in members]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_dates(self, self.person, ("starts_at",))
        starts_at = data.get("starts_at")
        if data.get("status") == Meeting.Status.HELD and starts_at and starts_at > timezone.now():
            self.add_error("starts_at", _("Et møte som er avholdt, kan ikke ha et tidspunkt fram i tid."))
        return data


class DecisionForm(forms.Form):
    ACTIONS = [
        ("none", _("Bare beslutning")),
        ("create", _("Opprett nytt tiltak")),
        ("change", _("Endre et tiltak")),
    ]
    text = forms.CharField(label=_("Beslutning"), widget=textarea(2))
    action = forms.ChoiceField(label=_("Påvirker tiltak"), choices=ACTIONS, initial="none")
    measure = forms.ModelChoiceField(
        label=_("Tiltak som endres"), queryset=Measure.objects.none(), required=False
    )
    title = forms.CharField(
        label=_("Navn på nytt tiltak"),
        max_length=300,
        required=False,
        help_text=_("Må fylles ut når du velger «Opprett nytt tiltak»."),
    )
    responsible = forms.CharField(
        label=_("Ansvarlig (nytt tiltak)"),
        max_length=200,
        required=False,
        help_text=_("Må fylles ut når du velger «Opprett nytt tiltak»."),
    )
    end_on = forms.DateField(
        label=_("Ny sluttdato / evalueres"),
        required=False,
        widget=DateInput(),
        help_text=_("Et nytt tiltak starter i dag."),
    )
    status = forms.ChoiceField(
        label=_("Ny status for tiltaket"), choices=[("", "–"), *Measure.Status.choices], required=False
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = Measure.objects.filter(person=person)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        end_on = data.get("end_on")
        if action == "create":
            if not (data.get("title") or "").strip():
                self.add_error("title", _("Skriv hva det nye tiltaket er."))
            if not (data.get("responsible") or "").strip():
                self.add_error("responsible", _("Skriv hvem som er ansvarlig."))
            if end_on and end_on < timezone.localdate():
                self.add_error("end_on", _("Sluttdatoen kan ikke være før i dag, når tiltaket starter."))
        if action == "change":
            measure = data.get("measure")
            if not measure:
                self.add_error("measure", _("Velg tiltaket som endres."))
            if not end_on and not data.get("status"):
                self.add_error("status", _("Velg ny status eller ny sluttdato."))
            if measure and end_on and end_on < measure.start_on:
                self.add_error(
                    "end_on",
                    _("Sluttdatoen kan ikke være før tiltaket startet (%(d)s).")
                    % {"d": measure.start_on.strftime("%d.%m.%Y")},
                )
        return data


class CrisisPlanForm(forms.Form):
    warning_signs = forms.CharField(
        label=_("Varselsignaler – slik merker jeg og andre at det går dårlig"), widget=textarea(3)
    )
    what_helps = forms.CharField(label=_("Dette hjelper meg"), widget=textarea(3))
    what_i_do = forms.CharField(label=_("Dette gjør jeg selv"), required=False, widget=textarea(3))
    avoid = forms.CharField(label=_("Dette hjelper ikke / bør unngås"), required=False, widget=textarea(2))
    contacts = forms.CharField(label=_("Hvem jeg kan ringe (navn og telefon)"), widget=textarea(3))
    version = forms.IntegerField(widget=forms.HiddenInput)


class FeedbackForm(forms.Form):
    """One radio group per item of the instrument."""

    answered_on = forms.DateField(label=_("Dato"), initial=timezone.localdate, widget=DateInput())
    note = forms.CharField(label=_("Merknad"), max_length=500, required=False)

    def __init__(
        self, *args: Any, instrument: Instrument, person: Person | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        self.instrument = instrument
        self.items = list(instrument.items.all())
        choices = [(i, str(i)) for i in range(instrument.scale_min, instrument.scale_max + 1)]
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.TypedChoiceField(
                label=item.text,
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Svar på dette spørsmålet.")},
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_dates(self, self.person, ("answered_on",), past=True)
        return data

    def item_fields(self) -> list[Any]:
        return [self[f"item_{item.pk}"] for item in self.items]

    def values(self) -> list[int]:
        return [self.cleaned_data[f"item_{item.pk}"] for item in self.items]


class InstrumentForm(forms.Form):
    name = forms.CharField(label=_("Navn"), max_length=200)
    slug = forms.SlugField(label=_("Kortnavn (bokstaver, tall og bindestrek)"), max_length=80)
    purpose = forms.ChoiceField(label=_("Formål"), choices=Instrument.Purpose.choices)
    description = forms.CharField(label=_("Beskrivelse"), required=False, widget=textarea(2))
    items = forms.CharField(label=_("Spørsmål, ett per linje"), widget=textarea(5))
    scale_min = forms.IntegerField(label=_("Laveste verdi"), min_value=0, max_value=100, initial=0)
    scale_max = forms.IntegerField(label=_("Høyeste verdi"), min_value=1, max_value=100, initial=10)
    low_label = forms.CharField(label=_("Tekst for laveste verdi"), max_length=100, required=False)
    high_label = forms.CharField(label=_("Tekst for høyeste verdi"), max_length=100, required=False)
    scoring = forms.ChoiceField(label=_("Skåring"), choices=Instrument.Scoring.choices)
    expected_gain_per_session = forms.FloatField(
        label=_("Forventet bedring per samtale"), min_value=0, initial=0
    )
    expected_gain_max = forms.FloatField(label=_("Forventet bedring, tak"), min_value=0, initial=0)
    band_width = forms.FloatField(label=_("Båndbredde (toleranse)"), min_value=0, initial=0)
    alert_below = forms.FloatField(label=_("Varsle når skåren er under (0 = aldri)"), min_value=0, initial=0)

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        if Instrument.objects.filter(slug=slug).exists():
            raise ValidationError(_("Det finnes allerede et instrument med dette kortnavnet."))
        return slug

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("scale_min"), data.get("scale_max")
        if low is not None and high is not None and high <= low:
            self.add_error("scale_max", _("Høyeste verdi må være større enn laveste."))
        return data


class BoardEntryForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    reason = forms.CharField(label=_("Hvorfor trengs tett oppfølging nå?"), max_length=500)
    responsible = UserChoiceField(label=_("Ansvarlig"), queryset=User.objects.none(), required=False)

    def __init__(
        self,
        *args: Any,
        persons: QuerySet[Person],
        staff: QuerySet[User],
        on_board: dict[int, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """`on_board`: {person id: open BoardEntry}; those persons are not offered, and naming one anyway (a
        stale form) gives a clear error instead of replacing the entry."""
        super().__init__(*args, **kwargs)
        self.on_board = on_board or {}
        field = self.fields["person"]
        field.queryset = persons  # type: ignore[attr-defined]
        field.widget.choices = [  # type: ignore[attr-defined]
            choice
            for choice in field.choices  # type: ignore[attr-defined]
            if not choice[0] or choice[0].value not in self.on_board
        ]
        self.fields["responsible"].queryset = staff  # type: ignore[attr-defined]

    def clean_person(self) -> Person:
        from mestring.followup.services import board_duplicate_message

        person: Person = self.cleaned_data["person"]
        entry = self.on_board.get(person.pk)
        if entry is not None:
            raise ValidationError(board_duplicate_message(person, entry))
        return person
