"""Demo data for surveys (idempotent, deterministic): a national survey with the 002 structure (our wording)
answered by most municipalities in the demo frame, and satisfaction surveys for units in Suldal and Evje.

With ~38 municipalities in the demo frame many cells are suppressed in the analysis; that is correct."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from mestring.core.world import World
from mestring.surveys import engine, services
from mestring.surveys.defaults import ensure_default_questionnaires
from mestring.surveys.engine import COLLAB_DIMENSIONS, Form
from mestring.surveys.models import (
    Invitation,
    NationalSurvey,
    QuestionType,
    Response,
    SatisfactionAnswer,
    SatisfactionRound,
    SatisfactionSurvey,
    Theme,
)

NATIONAL_DEMO_SLUG = "demo-kommunalt-rusarbeid-2026"
OPEN_TEXTS = {
    "utfordringer": [
        "For få boliger til personer med rusproblemer, og lang ventetid på TSB.",
        "Vanskelig å rekruttere fagfolk; vi er sårbare når én er borte.",
        "Samarbeidet med spesialisthelsetjenesten ved utskriving må bli bedre.",
        "Mangel på aktivitetstilbud på dagtid og lite lavterskeltilbud.",
        "Økonomien er stram, og rusarbeidet taper mot andre oppgaver.",
        "Unge med begynnende rusproblemer fanges opp for sent.",
    ],
    "organisering_bra": [
        "Felles enhet gir kort vei mellom rus og psykisk helse.",
        "Oppstykket tilbud; brukerne må forholde seg til mange.",
        "God koordinering gjennom faste tverrfaglige møter.",
    ],
    "tiltak_fungerer": [
        "Oppfølging i hjemmet og fast kontaktperson.",
        "Individuell plan med koordinator fungerer godt når den brukes.",
        "Lavterskel helsetilbud og aktivitetsgruppe.",
    ],
}
THEMES = {
    "utfordringer": [
        ("Bolig", "Mangel på egnede boliger"),
        ("Kompetanse og bemanning", "Rekruttering, sårbarhet"),
        ("Samarbeid med spesialisthelsetjenesten", ""),
        ("Aktivitet og lavterskel", ""),
        ("Økonomi", ""),
        ("Tidlig innsats", ""),
    ]
}


def synthetic_answer(form: Form, rng: random.Random, *, bias: float = 0.0) -> dict[str, Any]:
    """A plausible answer: choices lean to the favourable end (the first options) by `bias`."""
    data: dict[str, Any] = {}

    def pick(values: list[str]) -> str:
        weights = [max(0.2, 1.0 + bias * (len(values) - i) / len(values)) for i in range(len(values))]
        return rng.choices(values, weights=weights)[0]

    for q in form.questions.values():
        if not engine.is_shown(q, data, form):
            continue
        if not q.required and rng.random() < 0.1:
            continue
        values = [o.value for o in q.options]
        if q.type in (QuestionType.SINGLE, QuestionType.SCALE):
            data[q.name] = pick(values)
        elif q.type == QuestionType.MULTIPLE:
            chosen = [v for v in values if rng.random() < 0.45]
            data[q.name] = chosen or [values[0]]
        elif q.type == QuestionType.NUMBER:
            data[q.name] = rng.randint(max(q.min_value or 0, 1), min(q.max_value or 30, 30))
        elif q.type in (QuestionType.TEXT, QuestionType.LONGTEXT):
            texts = OPEN_TEXTS.get(q.name)
            if texts and rng.random() < 0.7:
                data[q.name] = rng.choice(texts)
        elif q.type == QuestionType.MATRIX:
            data[q.name] = {item: pick(values) for item, _l in q.items}
        elif q.type == QuestionType.COLLABORATION:
            data[q.name] = {
                partner: {
                    d: pick([c for c, _l in engine.collab_options(d)]) for d, _l, _o in COLLAB_DIMENSIONS
                }
                for partner, _label in q.items
            }
    return data


@transaction.atomic
def load_national(world: World) -> NationalSurvey:
    _satisfaction, national = ensure_default_questionnaires()
    survey = NationalSurvey.objects.filter(slug=NATIONAL_DEMO_SLUG).first()
    if survey is not None:
        return survey
    version = national.latest_published()
    assert version is not None
    survey = services.national_survey_create(
        owner=world.org("nasjonalt-kompetansemiljo"),
        title="Kommunenes rusarbeid 2026 (demo)",
        version=version,
        frame_year=2026,
        slug=NATIONAL_DEMO_SLUG,
    )
    services.national_survey_open(survey=survey)
    form = engine.load_form(version)
    rng = random.Random(2026)
    now = timezone.now()
    sent = now - timedelta(days=20)
    invitations = list(survey.invitations.order_by("kommunenummer"))
    # The demo municipalities have no contact address; give them fictitious ones (reserved .example domain)
    # so the demo shows a survey that went out. Two are left without one further down.
    for invitation in invitations:
        if not invitation.email:
            Invitation.objects.filter(pk=invitation.pk).update(
                email=f"postmottak.{invitation.kommunenummer}@demo.example"
            )
    Invitation.objects.filter(survey=survey).update(sent_at=sent, last_contact_at=sent)
    for invitation in invitations:
        invitation.refresh_from_db()
        if invitation.covered_by_id:
            continue
        roll = rng.random()
        if invitation.kommunenummer == "4219":  # Evje og Hornnes answers for Valle as well (Setesdal)
            roll = 0.0
        if roll < 0.62:
            data = synthetic_answer(form, rng, bias=rng.uniform(-0.5, 1.5))
            cleaned, _errors = engine.clean_answers(form, data, final=False)
            Response.objects.create(invitation=invitation, version=version, data=cleaned, submitted_at=now)
            Invitation.objects.filter(pk=invitation.pk).update(
                opened_at=sent, started_at=sent, completed_at=now
            )
            if invitation.kommunenummer == "4219":
                Invitation.objects.filter(survey=survey, kommunenummer="4221").update(covered_by=invitation)
        elif roll < 0.72:
            Response.objects.create(invitation=invitation, version=version, data={"stilling": "2"})
            Invitation.objects.filter(pk=invitation.pk).update(opened_at=sent, started_at=sent)
        elif roll < 0.82:
            Invitation.objects.filter(pk=invitation.pk).update(opened_at=sent)
    # Two municipalities that have not reacted lack an address: "Mangler adresse – ikke sendt".
    untouched = survey.invitations.filter(
        opened_at__isnull=True, completed_at__isnull=True, covered_by__isnull=True
    ).order_by("-kommunenummer")
    Invitation.objects.filter(pk__in=list(untouched.values_list("pk", flat=True)[:2])).update(
        email="", sent_at=None, last_contact_at=None
    )
    for question_name, themes in THEMES.items():
        created = [
            Theme.objects.create(
                survey=survey, question_name=question_name, name=name, description=description
            )
            for name, description in themes
        ]
        texts = OPEN_TEXTS[question_name]
        codes: dict[int, list[int]] = {}
        for response in Response.objects.filter(invitation__survey=survey, submitted_at__isnull=False):
            text = response.data.get(question_name)
            if text in texts:
                codes[response.pk] = [created[texts.index(text)].pk]
        services.answer_codes_set(survey=survey, question_name=question_name, codes=codes)
    return survey


def _satisfaction(
    world: World, unit_slug: str, code: str, rounds: list[tuple[str, date, int, float]]
) -> None:
    if SatisfactionSurvey.objects.filter(code=code).exists():
        return
    satisfaction, _national = ensure_default_questionnaires()
    version = satisfaction.latest_published()
    assert version is not None
    survey = SatisfactionSurvey.objects.create(
        unit=world.org(unit_slug),
        version=version,
        title="Hva synes du om tjenesten?",
        code=code,
        min_answers=10,
    )
    form = engine.load_form(version)
    rng = random.Random(code)
    for index, (name, opened, count, bias) in enumerate(rounds):
        last = index == len(rounds) - 1
        round_ = SatisfactionRound.objects.create(
            survey=survey,
            name=name,
            opened_on=opened,
            closed_on=None if last else opened + timedelta(days=60),
        )
        SatisfactionAnswer.objects.bulk_create(
            [
                SatisfactionAnswer(
                    round=round_,
                    version=version,
                    data=engine.clean_answers(form, synthetic_answer(form, rng, bias=bias), final=False)[0],
                    submitted_on=opened + timedelta(days=rng.randint(0, 30)),
                )
                for _ in range(count)
            ]
        )


def load(world: World) -> None:
    load_national(world)
    _satisfaction(
        world,
        "suldal-fact-light",
        "suldal-fact",
        [("2025", date(2025, 3, 1), 31, 0.6), ("2026", date(2026, 3, 1), 44, 1.2)],
    )
    _satisfaction(world, "suldal-rus-psykisk-helse", "suldal-rus", [("2026", date(2026, 3, 1), 23, 0.4)])
    _satisfaction(world, "evje-rus-psykisk-helse", "evje-rus", [("2026", date(2026, 4, 1), 4, 0.5)])
