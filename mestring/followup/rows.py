"""The caseload's rows, formatted once in Python.

The caseload is the page a coordinator opens most; formatting its 50 rows in the template (a URL reversal,
date filters and translated labels per cell) cost more than all of its queries. Here each row becomes plain
strings, and the template only prints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mestring.followup.models import IndividualPlan
from mestring.mapping.areas import Phase
from mestring.people.models import Person

DATE = "%d.%m.%Y"
DATETIME = "%d.%m.%Y %H:%M"


@dataclass(frozen=True)
class Tag:
    color: str
    label: str


@dataclass(frozen=True)
class CaseloadRow:
    url: str
    name: str
    phase: str  # empty: no open episode
    coordinator: str  # empty: none appointed
    next_meeting: str
    plan: str
    plan_tag: str  # a colour when the plan cell is a warning tag
    overdue_measures: int
    tags: list[Tag]


def caseload_rows(persons: list[Person], today: date) -> list[CaseloadRow]:
    """One row per person annotated by `selectors.annotate_followup`."""
    person_url = reverse("followup:person", args=[0]).removesuffix("0/")
    phases = {code: str(label) for code, label in Phase.choices}
    return [_row(p, today, person_url, phases) for p in persons]


def _row(p: Person, today: date, person_url: str, phases: dict[str, str]) -> CaseloadRow:
    values = p.__dict__  # annotations from annotate_followup
    meeting = values["next_meeting_at"]
    plan, plan_tag = _plan_cell(values["plan_status"], values["review_on"], today)
    coordinator = (
        f"{values['coordinator_first']} {values['coordinator_last']}" if values["coordinator_id"] else ""
    )
    return CaseloadRow(
        url=f"{person_url}{p.pk}/",
        name=p.full_name,
        phase=phases.get(values["phase"], values["phase"]) if values["phase"] else "",
        coordinator=coordinator,
        next_meeting=timezone.localtime(meeting).strftime(DATETIME) if meeting else "–",
        plan=plan,
        plan_tag=plan_tag,
        overdue_measures=values["overdue_measures"] or 0,
        tags=_tags(p, values),
    )


def _plan_cell(status: str | None, review_on: date | None, today: date) -> tuple[str, str]:
    if status == IndividualPlan.Status.ACTIVE:
        when = review_on.strftime(DATE) if review_on else ""
        if review_on and review_on < today:
            return f"{_('Evaluering forfalt')} {when}", "danger"
        return f"{_('Evalueres')} {when}".strip(), ""
    if status == IndividualPlan.Status.DECLINED:
        return _("Takket nei"), ""
    if status == IndividualPlan.Status.DRAFT:
        return _("Under arbeid"), ""
    return "", ""


def _tags(p: Person, values: dict[str, object]) -> list[Tag]:
    tags = []
    if values["off_track"]:
        tags.append(Tag("danger", _("Ikke i rute")))
    if values["waiting_referral"]:
        tags.append(Tag("warning", _("Venter på henvisning")))
    if p.children_routine_pending:
        tags.append(Tag("warning", _("Barn som pårørende: ikke spurt")))
    elif p.children_followup_pending:
        tags.append(Tag("warning", _("Barn som pårørende: oppfølging ikke tilbudt")))
    if not values["has_crisis_plan"]:
        tags.append(Tag("neutral", _("Ingen kriseplan")))
    return tags
