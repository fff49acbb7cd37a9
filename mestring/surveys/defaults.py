"""Questionnaires written for mestring (our own wording; no licensed item texts).

* `satisfaction_spec()`: the default user-satisfaction questionnaire on the themes in DOMAIN.md (availability,
  trust, respect, politeness, user involvement, help with housing/economy/activity, relatives).
* `national_spec()`: a national survey to all municipalities with the structure of the 2015-style survey of
  municipal substance-use work (respondent, organisation, mapping and plans, measures per pathway phase,
  collaboration grid, challenges, funding), in our own words.
"""

from __future__ import annotations

from django.db import transaction

from mestring.surveys.authoring import FormSpec, QuestionSpec, questionnaire_from_spec
from mestring.surveys.models import Questionnaire, QuestionType

SATISFACTION_SLUG = "brukertilfredshet-standard"
NATIONAL_SLUG = "kommunalt-rusarbeid-standard"

GRADE_SCALE: list[tuple[str, str] | tuple[str, str, bool]] = [
    ("3", "I stor grad"),
    ("2", "I noen grad"),
    ("1", "I liten grad"),
    ("9", "Ikke relevant", True),
]


def _grade(name: str, text: str, help_text: str = "") -> QuestionSpec:
    return QuestionSpec(
        name=name, text=text, type=QuestionType.SCALE, options=GRADE_SCALE, help_text=help_text
    )


def satisfaction_spec() -> FormSpec:
    return FormSpec(
        title="Hva synes du om tjenesten?",
        sections=[
            (
                "Om å få hjelp",
                "Svaret ditt er anonymt. Vi lagrer ikke hvem du er, hvor du svarer fra eller når på dagen.",
                [
                    _grade("tilgjengelig", "Får du kontakt med tjenesten når du trenger det?"),
                    _grade("tid", "Har de ansatte nok tid til deg?"),
                    _grade("tillit", "Har du tillit til de ansatte du møter her?"),
                    _grade("respekt", "Blir du møtt med respekt?"),
                    _grade("hoflig", "Er de ansatte vennlige og høflige?"),
                ],
            ),
            (
                "Å bestemme selv",
                "",
                [
                    _grade("medvirkning", "Får du være med og bestemme hva hjelpen skal gå ut på?"),
                    _grade("egne_mal", "Tar hjelpen utgangspunkt i det som er viktig for deg?"),
                    _grade("informasjon", "Får du informasjon du forstår om hjelpen og rettighetene dine?"),
                ],
            ),
            (
                "Hjelp i hverdagen",
                "",
                [
                    _grade("bolig", "Får du den hjelpen du trenger med bolig?"),
                    _grade("okonomi", "Får du den hjelpen du trenger med økonomi?"),
                    _grade("aktivitet", "Får du hjelp til å finne noe meningsfylt å gjøre på dagtid?"),
                    _grade("nettverk", "Får du hjelp til å bygge et nettverk av folk rundt deg?"),
                    _grade("parorende", "Får de som står deg nær, hjelp eller samtaler hvis de trenger det?"),
                ],
            ),
            (
                "Alt i alt",
                "",
                [
                    _grade("nytte", "Alt i alt: har hjelpen du får her, gjort livet ditt bedre?"),
                    QuestionSpec(
                        name="forbedring",
                        text="Er det noe vi kan gjøre bedre?",
                        type=QuestionType.LONGTEXT,
                        help_text="Ikke skriv navn eller annet som kan vise hvem du eller andre er.",
                    ),
                ],
            ),
        ],
    )


GOOD_SCALE = [
    ("5", "Svært godt"),
    ("4", "Ganske godt"),
    ("3", "Verken godt eller dårlig"),
    ("2", "Ganske dårlig"),
    ("1", "Svært dårlig"),
]
DEGREE_SCALE = [
    ("4", "I svært stor grad"),
    ("3", "I ganske stor grad"),
    ("2", "I noen grad"),
    ("1", "I liten grad"),
]
YES_NO = [("1", "Ja"), ("2", "Nei"), ("3", "Vet ikke")]
PARTNERS = [
    ("nav", "NAV"),
    ("psyk", "Psykisk helsevern (DPS)"),
    ("fastlege", "Fastlegen"),
    ("tsb", "Spesialisert rusbehandling (TSB)"),
    ("barnevern", "Barnevernet"),
    ("politi", "Politiet"),
    ("skole", "Skolen"),
    ("frivillig", "Frivillige organisasjoner"),
    ("bruker", "Bruker- og pårørendeorganisasjoner"),
]


def national_spec() -> FormSpec:
    return FormSpec(
        title="Kommunenes rusarbeid – nasjonal kartlegging",
        sections=[
            (
                "Om deg som svarer",
                "Svar på vegne av kommunen. Trykk «Lagre og fortsett senere» for å lagre og fortsette "
                "en annen gang.",
                [
                    QuestionSpec(
                        name="stilling",
                        text="Hvilken stilling har du?",
                        type=QuestionType.SINGLE,
                        required=True,
                        options=[
                            ("1", "Leder for tjenesten"),
                            ("2", "Ruskonsulent eller rådgiver"),
                            ("3", "Kommunalsjef eller tilsvarende"),
                            ("4", "Annet"),
                        ],
                    ),
                    QuestionSpec(
                        name="stilling_annet",
                        text="Hvilken annen stilling?",
                        type=QuestionType.TEXT,
                        condition_question="stilling",
                        condition_values=["4"],
                    ),
                ],
            ),
            (
                "Hvordan rusarbeidet er organisert",
                "",
                [
                    QuestionSpec(
                        name="organisering",
                        text="Hvordan er rusarbeidet i kommunen hovedsakelig organisert?",
                        type=QuestionType.SINGLE,
                        required=True,
                        options=[
                            ("1", "Felles enhet for rus og psykisk helse"),
                            ("2", "Som en del av NAV"),
                            ("3", "Egen enhet for rusarbeid"),
                            ("4", "Spredt på flere enheter"),
                        ],
                    ),
                    QuestionSpec(
                        name="organisering_fungerer",
                        text="Hvor godt fungerer denne organiseringen?",
                        type=QuestionType.SINGLE,
                        required=True,
                        options=GOOD_SCALE,
                    ),
                    QuestionSpec(
                        name="organisering_bra",
                        text="Hva er bra, og hva kunne vært bedre, med måten rusarbeidet er organisert på?",
                        type=QuestionType.LONGTEXT,
                    ),
                    QuestionSpec(
                        name="arsverk",
                        text="Omtrent hvor mange årsverk arbeider med rus i kommunen?",
                        type=QuestionType.NUMBER,
                        min_value=0,
                        max_value=5000,
                        help_text="Skriv et anslag. Bruk komma for desimaler.",
                    ),
                ],
            ),
            (
                "Kartlegging og planer",
                "",
                [
                    QuestionSpec(
                        name="kartlagt",
                        text="Har kommunen kartlagt hvor mange som har rusproblemer?",
                        type=QuestionType.SINGLE,
                        options=YES_NO,
                    ),
                    QuestionSpec(
                        name="kartlegging_verktoy",
                        text="Hvilke verktøy brukes i kartleggingen?",
                        type=QuestionType.MULTIPLE,
                        condition_question="kartlagt",
                        condition_values=["1"],
                        options=[
                            ("levekar", "Årlig levekårskartlegging"),
                            ("journal", "Tall fra journalsystemet"),
                            ("nav", "Tall fra NAV"),
                            ("annet", "Annet"),
                        ],
                    ),
                    QuestionSpec(
                        name="handlingsplan",
                        text="Har kommunen en gjeldende ruspolitisk handlingsplan?",
                        type=QuestionType.SINGLE,
                        required=True,
                        options=YES_NO,
                    ),
                ],
            ),
            (
                "Tjenestetilbudet",
                "",
                [
                    QuestionSpec(
                        name="tilbud",
                        text="I hvilken grad er tjenestetilbudet …",
                        type=QuestionType.MATRIX,
                        options=DEGREE_SCALE,
                        items=[
                            ("helhetlig", "helhetlig og samordnet"),
                            ("tilgjengelig", "tilgjengelig"),
                            ("tilpasset", "individuelt tilpasset"),
                        ],
                    ),
                    QuestionSpec(
                        name="tiltak_fungerer",
                        text="Hvilke tiltak fungerer best i kommunen, og hvorfor?",
                        type=QuestionType.LONGTEXT,
                    ),
                ],
            ),
            (
                "Samarbeid",
                "For hver aktør: hvor stort er behovet for samarbeid, hvor mye samarbeider dere, "
                "og hvor godt "
                "fungerer det?",
                [
                    QuestionSpec(
                        name="samarbeid",
                        text="Samarbeid med andre aktører",
                        type=QuestionType.COLLABORATION,
                        items=PARTNERS,
                    ),
                ],
            ),
            (
                "Utfordringer og finansiering",
                "",
                [
                    QuestionSpec(
                        name="utfordringer",
                        text="Hva er de største utfordringene i rusarbeidet i kommunen nå?",
                        type=QuestionType.LONGTEXT,
                    ),
                    QuestionSpec(
                        name="finansiering",
                        text="Hvilken form for statlig medfinansiering ønsker kommunen?",
                        type=QuestionType.SINGLE,
                        options=[
                            ("1", "Øremerket tilskudd"),
                            ("2", "Innlemmet i rammetilskuddet"),
                            ("3", "Vet ikke"),
                        ],
                    ),
                ],
            ),
        ],
    )


@transaction.atomic
def ensure_default_questionnaires() -> tuple[Questionnaire, Questionnaire]:
    """The shipped questionnaires (no owner), created and published once."""
    satisfaction = Questionnaire.objects.filter(slug=SATISFACTION_SLUG).first() or questionnaire_from_spec(
        spec=satisfaction_spec(), owner=None, kind=Questionnaire.Kind.SATISFACTION, slug=SATISFACTION_SLUG
    )
    national = Questionnaire.objects.filter(slug=NATIONAL_SLUG).first() or questionnaire_from_spec(
        spec=national_spec(), owner=None, kind=Questionnaire.Kind.NATIONAL, slug=NATIONAL_SLUG
    )
    return satisfaction, national
