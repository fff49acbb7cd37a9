"""Quality figures for a unit (kvalitetstall): how the follow-up of the persons it serves now is going.

For the unit leader: of the persons the unit serves today, how many have a coordinator, a current
individual plan, a crisis plan, a plan review that is overdue, overdue measures, a "not on track" flag, a
referral waiting for an answer, a planned care-team meeting, and have been asked about children as
relatives; and where they are in the pathway. Counted in the database (one aggregate query over
`annotate_followup`) and published through `mestring.stats` like every aggregate: each indicator is
yes/no of the same persons (`suppress_indicators`: a count of 1..k−1 hides its complement too), shares need
a group of `MESTRING_MIN_GROUP_SIZE`. No person is shown, so nothing is written to the access log.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mestring.followup.models import IndividualPlan
from mestring.followup.selectors import annotate_followup, served_now
from mestring.mapping.areas import Phase
from mestring.organisations.models import Organisation
from mestring.people.models import ChildrenRoutine, Person
from mestring.stats.suppression import Table, suppress_indicators
from mestring.stats.tables import Report, ReportSection, ReportTable, publish


def indicators(today: date) -> list[tuple[str, str, Q]]:
    """(key, label, condition on an `annotate_followup` row), in the order the page shows them."""
    active_plan = Q(plan_status=IndividualPlan.Status.ACTIVE)
    return [
        ("koordinator", _("Har koordinator"), Q(coordinator_id__isnull=False)),
        ("plan", _("Har gjeldende individuell plan"), active_plan),
        ("plan_nei", _("Har takket nei til individuell plan"), Q(plan_status=IndividualPlan.Status.DECLINED)),
        ("evaluering", _("Evaluering av planen har forfalt"), active_plan & Q(review_on__lt=today)),
        ("tiltak", _("Har tiltak som har forfalt"), Q(overdue_measures__gt=0)),
        ("kriseplan", _("Har kriseplan"), Q(has_crisis_plan=True)),
        ("barn", _("Er spurt om barn under 18 år"), ~Q(children_routine=ChildrenRoutine.NOT_ASKED)),
        ("ikke_i_rute", _("Ikke i rute etter siste tilbakemelding"), Q(off_track=True)),
        ("henvisning", _("Venter på svar på en henvisning"), Q(waiting_referral=True)),
        ("mote", _("Har planlagt møte i ansvarsgruppen"), Q(next_meeting_at__isnull=False)),
    ]


def unit_quality(unit: Organisation, today: date | None = None) -> Report:
    """The unit's quality figures as a suppressed report (tables with charts beside them)."""
    day = today or timezone.localdate()
    rows = annotate_followup(served_now(Person.objects.all(), unit), day).order_by()
    checks = indicators(day)
    counts = rows.aggregate(
        n=Count("pk"),
        **{key: Count("pk", filter=q) for key, _label, q in checks},
        **{f"phase_{key}": Count("pk", filter=q) for key, _label, q in phases()},
    )
    follow_up = ReportTable(
        key="oppfolging",
        title=_("Oppfølgingen av personene enheten gir tjenester nå"),
        table=suppress_indicators(
            [(label, counts[key]) for key, label, _q in checks], counts["n"], columns=(_("Ja"), _("Nei"))
        ),
        row_header=_("Personer som …"),
        share_axis="row",
        chart="stacked",
        show_totals=False,
    )
    return Report(
        title=_("Kvalitetstall for %(unit)s") % {"unit": unit.name},
        subtitle=_("Sammenstilte og skjermede tall. Ingen opplysninger om enkeltpersoner."),
        sections=(
            ReportSection(
                _("Oppfølging"),
                (follow_up,),
                intro=_("Andelen av personene som fikk tjenester fra enheten %(day)s.")
                % {"day": day.strftime("%d.%m.%Y")},
            ),
            ReportSection(
                _("Fase i forløpet"),
                (publish("fase", _phase_table(counts), chart="bars", share_axis="column"),),
            ),
        ),
        facts=(
            (_("Enhet"), unit.name),
            (_("Dato"), day.strftime("%d.%m.%Y")),
        ),
        key=f"kvalitet-{unit.slug}-{day.isoformat()}",
    )


def phases() -> list[tuple[str, str, Q]]:
    """(key, label, condition) per pathway phase, and persons without an open episode."""
    return [(code, str(label), Q(phase=code)) for code, label in Phase.choices] + [
        ("none", _("Ikke i et forløp"), Q(phase__isnull=True))
    ]


def _phase_table(counts: dict[str, int]) -> Table:
    return Table(
        rows=[label for _key, label, _q in phases()],
        columns=[_("Personer")],
        counts=[[counts[f"phase_{key}"]] for key, _label, _q in phases()],
        title=_("Personer etter fase i forløpet"),
    )
