"""The individual plan as a PDF for the person (WeasyPrint), from a plain-Norwegian HTML page."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from mestring.followup.models import IndividualPlan, PlanVersion
from mestring.people.models import Person


def plan_context(*, person: Person, plan: IndividualPlan, version: PlanVersion) -> dict[str, Any]:
    """What a saved version says, ready for a template: used by the PDF and by the version page."""
    snapshot: dict[str, Any] = version.snapshot
    goals = [g for g in snapshot.get("goals", []) if g.get("parent") is None]
    subs: dict[int, list[dict[str, Any]]] = {}
    for goal in snapshot.get("goals", []):
        if goal.get("parent") is not None:
            subs.setdefault(goal["parent"], []).append(goal)
    from mestring.followup.diff import display

    measures = [
        {
            **m,
            "start": display(m.get("start_on")),
            "end": display(m.get("end_on")),
            "status_label": display(m.get("status"), "measure_status"),
        }
        for m in snapshot.get("measures", [])
    ]
    return {
        "person": person,
        "plan": plan,
        "version": version,
        "s": snapshot,
        "goals": [(g, subs.get(g["id"], [])) for g in goals],
        "measures": measures,
        "next_review": display(snapshot.get("next_review_on")),
        "declined_on": display(snapshot.get("declined_on")),
        "printed": timezone.localtime(),
    }


def plan_html(*, person: Person, plan: IndividualPlan, version: PlanVersion) -> str:
    """The HTML the PDF is made from (WeasyPrint only: it carries its own print styles, so it is never
    served as a page; the site's CSP forbids inline styles): the saved version's snapshot, for the person."""
    return render_to_string("followup/plan_pdf.html", plan_context(person=person, plan=plan, version=version))


def plan_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=html).write_pdf())
