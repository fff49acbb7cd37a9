"""A closed unit (organisations.unit_close) takes no new persons, episodes, board entries or surveys, and
is no longer offered in the pickers of the other apps."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from mestring.accounts.models import Membership
from mestring.core.world import World
from mestring.followup import services as followup
from mestring.followup.forms import serving_units
from mestring.followup.models import Phase
from mestring.followup.selectors import board_units
from mestring.organisations import services as organisations
from mestring.organisations.models import Organisation
from mestring.people import services as people
from mestring.people.tests.fixtures import EVJE_UNIT, make_person
from mestring.surveys import services as surveys
from mestring.surveys.defaults import ensure_default_questionnaires

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_unit(world: World) -> Organisation:
    unit = organisations.unit_create(
        actor=None, municipality=world.org("evje-og-hornnes"), name="Nedlagt tiltak"
    )
    organisations.unit_close(actor=None, unit=unit)
    unit.refresh_from_db()
    assert not unit.is_active
    return unit


def _coordinator(world: World) -> Membership:
    return Membership.objects.get(user=world.user("koordinator.evje"))


def test_services_refuse_a_closed_unit(world: World, closed_unit: Organisation) -> None:
    person = make_person(world)
    actor = _coordinator(world)
    with pytest.raises(ValidationError, match="lagt ned"):
        people.service_relation_add(actor=actor, person=person, unit=closed_unit)
    with pytest.raises(ValidationError, match="lagt ned"):
        followup.episode_start(actor=actor, person=person, phase=Phase.values[0], units=[closed_unit])
    with pytest.raises(ValidationError, match="lagt ned"):
        followup.board_add(actor=actor, unit=closed_unit, person=person, reason="Trenger tett oppfølging")
    satisfaction, _national = ensure_default_questionnaires()
    version = satisfaction.latest_published()
    assert version is not None
    with pytest.raises(ValidationError, match="lagt ned"):
        surveys.satisfaction_survey_create(unit=closed_unit, version=version)


def test_pickers_leave_out_a_closed_unit(world: World, closed_unit: Organisation) -> None:
    actor = _coordinator(world)
    person = make_person(world)
    open_unit = world.org(EVJE_UNIT)
    assert open_unit in serving_units(person, actor)
    assert closed_unit not in serving_units(person, actor)
    assert closed_unit not in board_units(actor)


def test_mapping_entries_take_no_closed_unit_but_keep_their_own(world: World) -> None:
    from mestring.mapping import services as mapping
    from mestring.mapping.tests.fixtures import ensure_round
    from mestring.mapping.tests.test_corrections import RAW_A, RAW_B

    unit = organisations.unit_create(
        actor=None, municipality=world.org("evje-og-hornnes"), name="Nedlagt tiltak"
    )
    mapping_round = ensure_round("4219", 2026)
    actor = world.user("koordinator.evje")
    entry = mapping.entry_create(actor=actor, mapping_round=mapping_round, raw=RAW_A, unit=unit)
    organisations.unit_close(actor=None, unit=unit)
    unit.refresh_from_db()
    with pytest.raises(ValidationError, match="lagt ned"):
        mapping.entry_create(actor=actor, mapping_round=mapping_round, raw=RAW_A, unit=unit)
    # Correcting an entry made before the unit closed keeps its unit.
    corrected = mapping.entry_update(actor=actor, entry=entry, raw=RAW_B, unit=unit, expected_version=1)
    assert corrected.unit_id == unit.pk
