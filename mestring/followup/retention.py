"""Retention of follow-up data: connected to `mestring.people.retention.person_retention`.

The people app sends the signal inside the retention transaction, before it anonymises or deletes the
person. Follow-up data is almost all free text written about or by the person (goals in their own words,
notes, minutes, decisions, crisis plan, plan snapshots, feedback comments) or names and phone numbers of
others (care team, contacts). Blanking it field by field would leave dated rows (episode dates, meeting
times, referral dates) that together with the birth year, gender and municipality kept on the anonymised
person can still point at one individual, and none of it feeds `stats` (the annual mapping keeps its own
anonymised rows with phase, IP and coordinator). So in **both** modes every follow-up row of the person is
deleted here; in `delete` mode this also means no follow-up row can block `person.delete()`.
"""

from __future__ import annotations

from typing import Any

from mestring.followup.models import (
    BoardEntry,
    CareTeamMember,
    CrisisPlan,
    Episode,
    FeedbackScore,
    Goal,
    IndividualPlan,
    Measure,
    Meeting,
    PersonMapping,
    Reminder,
)

# Order matters only for readability: children first, then what they point at. Cascades take the rest
# (phase changes, referrals, ratings, mapping areas, plan versions, attendance, decisions, episode units).
_MODELS = (
    Reminder,
    BoardEntry,
    FeedbackScore,
    Meeting,
    CareTeamMember,
    CrisisPlan,
    IndividualPlan,
    Measure,
    Goal,
    PersonMapping,
    Episode,
)


def remove_person_followup(*, person: Any) -> dict[str, int]:
    """Delete everything the follow-up app stores about `person`; returns rows removed per model label."""
    removed: dict[str, int] = {}
    for model in _MODELS:
        _total, per_model = model._default_manager.filter(person=person).delete()
        for label, count in per_model.items():
            if count:
                removed[label] = removed.get(label, 0) + count
    return removed


def on_person_retention(sender: Any, *, person: Any, mode: str, **kwargs: Any) -> None:
    """Receiver for `person_retention`: same cleanup for `anonymise` and `delete` (see module docstring)."""
    remove_person_followup(person=person)
