from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mestring.accounts.models import Membership
from mestring.audit.models import ChangeLog
from mestring.people import fnr, services
from mestring.people.models import ChildrenRoutine, ConsentRecipient, Person, Relative
from mestring.people.tests.fixtures import EVJE_UNIT, FIXTURE_ID, fixture_person, make_person

pytestmark = pytest.mark.django_db


def koordinator() -> Membership:
    return Membership.objects.get(user__username="koordinator.evje", organisation__slug=EVJE_UNIT)


def test_create_derives_birth_date_and_gender(world) -> None:  # type: ignore[no-untyped-def]
    number = fnr.synthetic_fodselsnummer(date(1991, 6, 30), 77, female=False)
    person = services.person_create(
        actor=koordinator(),
        organisation=world.org("evje-og-hornnes"),
        first_name=" Ola ",
        last_name="Nordmann",
        national_id=f"{number[:6]} {number[6:]}",
    )
    assert person.first_name == "Ola"
    assert person.birth_date == date(1991, 6, 30) and person.birth_year == 1991
    assert person.gender == "male"
    assert person.age_on(date(2026, 6, 29)) == 34 and person.age_on(date(2026, 6, 30)) == 35
    assert person.national_id == number
    # the creating unit serves the person and the creator is on the care team
    assert person.service_relations.get().unit.slug == EVJE_UNIT
    assert person.care_team.get().user.username == "koordinator.evje"
    assert ChangeLog.objects.filter(person=person, action="created").exists()


def test_create_without_id_needs_birth_year(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as info:
        services.person_create(
            actor=koordinator(), organisation=world.org("evje-og-hornnes"), first_name="A", last_name="B"
        )
    assert "birth_year" in info.value.message_dict
    person = services.person_create(
        actor=koordinator(),
        organisation=world.org("evje-og-hornnes"),
        first_name="A",
        last_name="B",
        birth_year=1970,
    )
    assert person.age_on(date(2026, 1, 1)) == 56 and not person.has_national_id
    # linked later
    person = services.person_update(
        actor=koordinator(), person=person, expected_version=person.version, national_id=FIXTURE_ID
    )
    assert person.national_id == FIXTURE_ID and person.birth_year == 1984


def test_duplicate_national_id_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    fixture_person(world)
    count = Person.objects.count()
    with pytest.raises(ValidationError) as info:
        services.person_create(
            actor=koordinator(),
            organisation=world.org("evje-og-hornnes"),
            first_name="X",
            last_name="Y",
            national_id=FIXTURE_ID,
        )
    assert "allerede registrert" in info.value.message_dict["national_id"][0]
    assert Person.objects.count() == count


def test_create_outside_own_municipality_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as info:
        services.person_create(
            actor=koordinator(),
            organisation=world.org("bykle"),
            first_name="X",
            last_name="Y",
            birth_year=1990,
        )
    assert "organisation" in info.value.message_dict


def test_concurrent_edit_is_refused_and_nothing_overwritten(world) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    loaded_version = person.version
    services.person_update(actor=koordinator(), person=person, expected_version=loaded_version, phone="111")
    with pytest.raises(services.ConcurrentEditError) as info:
        services.person_update(
            actor=koordinator(), person=person, expected_version=loaded_version, phone="222"
        )
    assert "Ingenting av det du skrev er lagret" in info.value.messages[0]
    person.refresh_from_db()
    assert person.phone == "111" and person.version == loaded_version + 1


def test_update_records_old_and_new_values(world) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    services.person_update(
        actor=koordinator(), person=person, expected_version=person.version, address="Storgata 1"
    )
    entry = ChangeLog.objects.filter(person=person, action="changed").latest("at")
    assert entry.changes == {"address": ["", "Storgata 1"]}
    assert entry.username == "koordinator.evje"


def test_changing_the_id_never_logs_it(world) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    other = fnr.synthetic_fodselsnummer(date(1984, 5, 17), 201, female=True)
    services.person_update(
        actor=koordinator(), person=person, expected_version=person.version, national_id=other
    )
    for entry in ChangeLog.objects.filter(person=person):
        assert FIXTURE_ID not in str(entry.changes) and other not in str(entry.changes)


def test_bad_update_writes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    with pytest.raises(ValidationError):
        services.person_update(
            actor=koordinator(), person=person, expected_version=person.version, phone="1", email="ikke-epost"
        )
    person.refresh_from_db()
    assert person.phone == "" and person.version == 1


def test_sharing_needs_consent(world) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    with pytest.raises(services.ConsentMissingError) as info:
        services.share_information(actor=koordinator(), person=person, recipient="nav", what="Vedtak")
    assert "har ikke samtykket" in info.value.message_dict["recipient"][0]
    services.consent_record(actor=koordinator(), person=person, recipient=ConsentRecipient.NAV, given=True)
    disclosure = services.share_information(
        actor=koordinator(), person=person, recipient="nav", what="Vedtak"
    )
    assert disclosure.consent.given
    services.consent_record(
        actor=koordinator(),
        person=person,
        recipient=ConsentRecipient.NAV,
        given=False,
        decided_on=timezone.localdate(),
    )
    with pytest.raises(services.ConsentMissingError) as info:
        services.share_information(actor=koordinator(), person=person, recipient="nav", what="Mer")
    assert "trakk samtykket" in info.value.message_dict["recipient"][0]
    assert person.disclosures.count() == 1


def test_consent_in_the_future_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    with pytest.raises(ValidationError):
        services.consent_record(
            actor=None,
            person=person,
            recipient="gp",
            given=True,
            decided_on=timezone.localdate() + timedelta(days=2),
        )


def test_children_as_relatives_routine(world) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    assert person.children_routine_pending
    with pytest.raises(ValidationError):
        services.relative_add(actor=None, person=person, name="Barn", relation=Relative.Relation.CHILD)
    child = services.relative_add(
        actor=None, person=person, name="Barn", relation=Relative.Relation.CHILD, birth_year=2015
    )
    assert child.is_minor_on(date(2026, 1, 1))
    person.refresh_from_db()
    assert person.children_routine == ChildrenRoutine.HAS_CHILDREN
    services.children_routine_answer(
        actor=None, person=person, answer=ChildrenRoutine.HAS_CHILDREN, followup_offered=True
    )
    person.refresh_from_db()
    assert person.children_followup_offered and person.children_routine_answered_at is not None
    with pytest.raises(ValidationError):
        services.children_routine_answer(actor=None, person=person, answer=ChildrenRoutine.NOT_ASKED)


def test_care_team_add_and_end(world) -> None:  # type: ignore[no-untyped-def]
    person = make_person(world, team=())
    analyst = world.user("analytiker.setesdal")
    with pytest.raises(ValidationError):
        services.care_team_member_add(actor=None, person=person, user=analyst)
    member = services.care_team_member_add(actor=None, person=person, user=world.user("ansatt.bykle"))
    again = services.care_team_member_add(
        actor=None, person=person, user=world.user("ansatt.bykle"), role_title="Kontakt"
    )
    assert member.pk == again.pk
    assert services.care_team_member_end(actor=None, person=person, user=world.user("ansatt.bykle")) == 1
    assert not person.care_team.active(timezone.localdate() + timedelta(days=1)).exists()


def test_end_and_reopen(world) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    person = services.person_end(actor=None, person=person)
    assert person.status == Person.Status.ENDED and person.ended_at is not None
    with pytest.raises(ValidationError):
        services.person_end(actor=None, person=person)
    person = services.person_reopen(actor=None, person=person)
    assert person.status == Person.Status.ACTIVE and person.ended_at is None


def test_children_routine_cannot_say_no_children_while_a_minor_child_is_registered(world) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    services.relative_add(
        actor=None, person=person, name="Barn", relation=Relative.Relation.CHILD, birth_year=2015
    )
    for answer in (ChildrenRoutine.NO_CHILDREN, ChildrenRoutine.DECLINED):
        with pytest.raises(ValidationError) as exc:
            services.children_routine_answer(actor=None, person=person, answer=answer)
        assert "answer" in exc.value.message_dict
    person.refresh_from_db()
    assert person.children_routine == ChildrenRoutine.HAS_CHILDREN
    assert person.children_followup_pending and person.children_routine_open


def test_a_minor_child_reopens_the_routine_after_declined_or_offered(world) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    services.children_routine_answer(actor=None, person=person, answer=ChildrenRoutine.DECLINED)
    services.relative_add(
        actor=None, person=person, name="Barn", relation=Relative.Relation.CHILD, birth_year=2015
    )
    person.refresh_from_db()
    assert person.children_routine == ChildrenRoutine.HAS_CHILDREN  # a registered child is an answer
    services.children_routine_answer(
        actor=None, person=person, answer=ChildrenRoutine.HAS_CHILDREN, followup_offered=True
    )
    assert list(person.relatives.values_list("followup_offered", flat=True)) == [
        True
    ]  # the offer is recorded
    person.refresh_from_db()
    assert not person.children_routine_open
    services.relative_add(
        actor=None, person=person, name="Lillebror", relation=Relative.Relation.CHILD, birth_year=2020
    )
    person.refresh_from_db()
    assert person.children_followup_pending  # the new child has not been offered follow-up


def test_no_children_answer_clears_followup_offered(world) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    person = services.children_routine_answer(
        actor=None, person=person, answer=ChildrenRoutine.NO_CHILDREN, followup_offered=True
    )
    assert not person.children_followup_offered


def test_consent_to_one_other_recipient_is_not_consent_to_another(world) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    today = timezone.localdate()
    services.consent_record(
        actor=None,
        person=person,
        recipient=ConsentRecipient.OTHER,
        recipient_detail="Kirkens Bymisjon",
        given=False,
        decided_on=today - timedelta(days=2),
    )
    services.consent_record(
        actor=None,
        person=person,
        recipient=ConsentRecipient.OTHER,
        recipient_detail="Frelsesarmeen",
        given=True,
        decided_on=today - timedelta(days=1),
    )
    with pytest.raises(
        services.ConsentMissingError
    ):  # withdrawn for the Bymisjon, the newer consent is not theirs
        services.share_information(
            actor=None,
            person=person,
            recipient=ConsentRecipient.OTHER,
            recipient_detail="kirkens  bymisjon",
            what="Adresse",
        )
    with pytest.raises(services.ConsentMissingError):  # never asked about this party
        services.share_information(
            actor=None,
            person=person,
            recipient=ConsentRecipient.OTHER,
            recipient_detail="NAV Agder",
            what="X",
        )
    with pytest.raises(ValidationError) as exc:  # "other" without saying who
        services.share_information(actor=None, person=person, recipient=ConsentRecipient.OTHER, what="X")
    assert "recipient_detail" in exc.value.message_dict
    disclosure = services.share_information(
        actor=None,
        person=person,
        recipient=ConsentRecipient.OTHER,
        recipient_detail="frelsesarmeen",
        what="Telefonnummer",
    )
    assert disclosure.consent.recipient_detail == "Frelsesarmeen"
    assert disclosure.recipient_detail == "frelsesarmeen"
    assert person.disclosures.count() == 1
