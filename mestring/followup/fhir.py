"""Export of a person's follow-up as FHIR R4B (CarePlan with Goals and a CareTeam) for interoperability.

Built from the current state, validated with `fhir.resources` before it leaves. No national id is included;
the subject is referenced by the platform's own id.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.bundle import Bundle

from mestring.followup.models import CareTeamMember, Goal, IndividualPlan, Measure
from mestring.people.models import Person

GOAL_STATUS = {
    Goal.Status.ACTIVE: "active",
    Goal.Status.ACHIEVED: "completed",
    Goal.Status.DROPPED: "cancelled",
}
ACTIVITY_STATUS = {
    Measure.Status.PLANNED: "scheduled",
    Measure.Status.ACTIVE: "in-progress",
    Measure.Status.DONE: "completed",
    Measure.Status.STOPPED: "stopped",
}
PLAN_STATUS = {
    IndividualPlan.Status.DRAFT: "draft",
    IndividualPlan.Status.ACTIVE: "active",
    IndividualPlan.Status.DECLINED: "revoked",
}


def careplan_bundle(person: Person) -> dict[str, Any]:
    subject = {"reference": f"Patient/{person.pk}", "display": person.full_name}
    goals = list(Goal.objects.filter(person=person).order_by("created_on", "pk"))
    measures = list(Measure.objects.filter(person=person).order_by("start_on", "pk"))
    team = list(CareTeamMember.objects.filter(person=person, valid_to__isnull=True).order_by("pk"))
    plan = IndividualPlan.objects.filter(person=person).first()
    goal_resources = [
        {
            "resourceType": "Goal",
            "id": f"goal-{g.pk}",
            "lifecycleStatus": GOAL_STATUS[Goal.Status(g.status)],
            "description": {"text": g.text},
            "subject": subject,
            "startDate": g.created_on.isoformat(),
        }
        for g in goals
    ]
    care_team = {
        "resourceType": "CareTeam",
        "id": f"careteam-{person.pk}",
        "status": "active",
        "subject": subject,
        "participant": [
            {
                "role": [{"text": m.role_title or m.get_agency_display()}],
                "member": {"display": m.name},
                "period": {"start": m.valid_from.isoformat()},
            }
            for m in team
        ],
    }
    activities = []
    for m in measures:
        detail: dict[str, Any] = {
            "status": ACTIVITY_STATUS[Measure.Status(m.status)],
            "description": m.title,
            "scheduledPeriod": {
                "start": m.start_on.isoformat(),
                **({"end": m.end_on.isoformat()} if m.end_on else {}),
            },
            "performer": [{"display": m.responsible}],
        }
        if m.goal_id:
            detail["goal"] = [{"reference": f"Goal/goal-{m.goal_id}"}]
        activities.append({"detail": detail})
    notes = []
    if plan is not None:
        if plan.next_review_on:
            notes.append({"text": f"Neste evaluering: {plan.next_review_on:%d.%m.%Y}"})
        if plan.status == IndividualPlan.Status.DECLINED:
            notes.append({"text": f"Personen takket nei til individuell plan {plan.declined_on:%d.%m.%Y}."})
    careplan = {
        "resourceType": "CarePlan",
        "id": f"careplan-{person.pk}",
        "status": PLAN_STATUS[IndividualPlan.Status(plan.status)] if plan else "draft",
        "intent": "plan",
        "title": "Individuell plan",
        "subject": subject,
        "careTeam": [{"reference": f"CareTeam/careteam-{person.pk}"}],
        "goal": [{"reference": f"Goal/goal-{g.pk}"} for g in goals],
        "activity": activities,
        **({"note": notes} if notes else {}),
    }
    resources: list[dict[str, Any]] = [careplan, care_team, *goal_resources]
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"urn:mestring:{r['resourceType']}/{r['id']}", "resource": r} for r in resources
        ],
    }
    return Bundle.model_validate(bundle).model_dump(mode="json", exclude_none=True)
