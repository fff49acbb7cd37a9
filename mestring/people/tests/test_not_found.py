"""A person id the actor may not see answers exactly like one that does not exist (no existence oracle)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mestring.audit.models import AccessLog
from mestring.core.testing.personas import client_for
from mestring.people.models import Person
from mestring.people.retention import run_retention
from mestring.people.tests.fixtures import make_person

pytestmark = pytest.mark.django_db

MISSING_PK = 987654321


@pytest.fixture
def cases(world, settings) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Person ids koordinator.evje cannot see: missing, anonymised (was on the care team), other unit's."""
    settings.MESTRING_RETENTION = {"person_days": 3650, "mode": "anonymise", "access_log_days": 3650}
    gone = make_person(world, first_name="Utskrevet")
    Person.objects.filter(pk=gone.pk).update(
        status=Person.Status.ENDED, ended_at=timezone.now() - timedelta(days=4000)
    )
    run_retention()
    assert Person.objects.get(pk=gone.pk).status == Person.Status.ANONYMISED
    foreign = make_person(world, unit_slug="valle-psykisk-helse-rus", team=("leder.valle",))
    return {"missing": MISSING_PK, "anonymised": gone.pk, "foreign": foreign.pk}


def _answers(client, cases: dict[str, int], request) -> dict[str, tuple[int, str, bytes]]:  # type: ignore[no-untyped-def]
    answers = {}
    for name, pk in cases.items():
        response = request(client, pk)
        answers[name] = (response.status_code, response["Content-Type"], response.content)
    return answers


REQUESTS = {
    "person detail": lambda c, pk: c.get(reverse("person-detail", kwargs={"pk": pk})),
    "person update": lambda c, pk: c.patch(
        reverse("person-detail", kwargs={"pk": pk}),
        {"phone": "1", "version": 1},
        content_type="application/json",
    ),
    "access log": lambda c, pk: c.get(reverse("person-access-log", kwargs={"pk": pk})),
    "followup goals": lambda c, pk: c.get(reverse("followup-goal-list", kwargs={"person_id": pk})),
}


@pytest.mark.parametrize("route", REQUESTS)
def test_missing_anonymised_and_foreign_person_answer_byte_identical_404(cases, route: str) -> None:  # type: ignore[no-untyped-def]
    logged = AccessLog.objects.count()
    answers = _answers(client_for("koordinator.evje"), cases, REQUESTS[route])
    assert answers["missing"] == answers["anonymised"] == answers["foreign"], answers
    status, content_type, body = answers["missing"]
    assert status == 404 and content_type == "application/json"
    assert body.decode() == '{"detail":"Fant ikke personen."}'
    assert AccessLog.objects.count() == logged  # nothing was read


def test_non_numeric_person_id_answers_the_same(cases) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    foreign = client.get(reverse("person-detail", kwargs={"pk": cases["foreign"]}))
    garbage = client.get(reverse("person-detail", kwargs={"pk": "abc"}))
    assert garbage.status_code == foreign.status_code == 404
    assert garbage.content == foreign.content
