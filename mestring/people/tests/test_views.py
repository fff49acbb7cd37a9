from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from mestring.audit.models import AccessLog
from mestring.core.testing.personas import client_for, login
from mestring.people import services
from mestring.people.models import BreakGlassGrant, Person
from mestring.people.tests.fixtures import FIXTURE_ID, fixture_person, make_person

pytestmark = pytest.mark.django_db

READ_PATHS = [
    ("people:detail", {}),
    ("people:edit", {}),
    ("people:national_id", {"HTTP_HX_REQUEST": "true"}),
    ("people:consents", {}),
    ("people:share", {}),
    ("people:relatives", {}),
    ("people:children_routine", {"HTTP_HX_REQUEST": "true"}),
    ("people:care_team", {}),
    ("people:history", {}),
    ("people:end", {}),
    ("audit:innsyn", {}),
    ("audit:innsyn_json", {}),
    ("audit:innsyn_pdf", {}),
    ("person-detail", {}),
    ("person-access-log", {}),
]


@pytest.fixture
def coordinator(client: Client) -> Client:
    login(client, "koordinator.evje")
    return client


@pytest.mark.parametrize(("name", "headers"), READ_PATHS, ids=[n for n, _ in READ_PATHS])
def test_each_read_path_writes_exactly_one_log_row(world, coordinator, name, headers) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    before = AccessLog.objects.filter(person_id=person.pk).count()
    response = coordinator.get(reverse(name, kwargs={"pk": person.pk}), **headers)
    assert response.status_code == 200
    rows = AccessLog.objects.filter(person_id=person.pk)
    assert rows.count() == before + 1
    row = rows.latest("at")
    assert row.username == "koordinator.evje" and row.organisation_name and row.what and not row.break_glass


@pytest.mark.parametrize(("name", "headers"), READ_PATHS, ids=[n for n, _ in READ_PATHS])
@pytest.mark.parametrize("username", ["ansatt.bykle", "leder.valle", "leder.suldal"])
def test_other_municipalities_get_404_and_no_log(world, client, name, headers, username) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    login(client, username)
    response = client.get(reverse(name, kwargs={"pk": person.pk}), **headers)
    assert response.status_code == 404
    assert FIXTURE_ID not in response.content.decode()
    assert not AccessLog.objects.filter(person_id=person.pk).exists()


def test_list_logs_each_person_shown_and_hides_others(world, coordinator) -> None:  # type: ignore[no-untyped-def]
    mine = fixture_person(world)
    other = make_person(world, unit_slug="bykle-helse-rus", team=("ansatt.bykle",), first_name="Skjult")
    response = coordinator.get(reverse("people:list"))
    assert response.status_code == 200
    assert "Matrise" in response.content.decode() and "Skjult" not in response.content.decode()
    assert AccessLog.objects.filter(person_id=mine.pk).count() == 1
    assert not AccessLog.objects.filter(person_id=other.pk).exists()
    # search by exact national id (through the HMAC), as an htmx fragment
    response = coordinator.post(reverse("people:list"), {"q": FIXTURE_ID}, HTTP_HX_REQUEST="true")
    assert "Matrise" in response.content.decode() and "<html" not in response.content.decode()


def test_staff_without_service_need_in_same_municipality_get_404(world, client) -> None:  # type: ignore[no-untyped-def]
    # a person served by Bykle, but registered in Evje: Evje staff without care-team place see nothing
    person = make_person(world, unit_slug="bykle-helse-rus", team=())
    Person.objects.filter(pk=person.pk).update(organisation=world.org("evje-og-hornnes"))
    login(client, "ansatt.evje")
    assert client.get(reverse("people:detail", kwargs={"pk": person.pk})).status_code == 404
    assert client.get(reverse("person-detail", kwargs={"pk": person.pk})).status_code == 404


def test_create_person_with_bad_id_shows_norwegian_error(world, coordinator) -> None:  # type: ignore[no-untyped-def]
    count = Person.objects.count()
    response = coordinator.post(
        reverse("people:create"),
        {
            "first_name": "Kari",
            "last_name": "Test",
            "national_id": FIXTURE_ID[:-1] + str((int(FIXTURE_ID[-1]) + 1) % 10),
            "organisation": world.org("evje-og-hornnes").pk,
        },
    )
    assert response.status_code == 200
    assert "Kontrollsifrene stemmer ikke" in response.content.decode()
    assert Person.objects.count() == count


def test_create_person_and_see_it(world, coordinator) -> None:  # type: ignore[no-untyped-def]
    response = coordinator.post(
        reverse("people:create"),
        {
            "first_name": "Kari",
            "last_name": "Test",
            "birth_year": "1977",
            "organisation": world.org("evje-og-hornnes").pk,
            "unit": world.org("evje-rus-psykisk-helse").pk,
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(first_name="Kari", last_name="Test")
    assert response["Location"] == reverse("people:detail", kwargs={"pk": person.pk})
    assert coordinator.get(response["Location"]).status_code == 200


def test_concurrent_edit_in_the_browser(world, coordinator) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    url = reverse("people:edit", kwargs={"pk": person.pk})
    form = coordinator.get(url).context["form"]
    loaded_version = form.initial["version"]
    services.person_update(actor=None, person=person, expected_version=person.version, phone="99 99 99 99")
    response = coordinator.post(
        url,
        {
            "first_name": "Matrise",
            "last_name": "Testperson",
            "phone": "11 11 11 11",
            "version": loaded_version,
        },
    )
    assert response.status_code == 200
    assert "Noen andre har lagret endringer" in response.content.decode()
    person.refresh_from_db()
    assert person.phone == "99 99 99 99"


def test_share_without_consent_gives_clear_message(world, coordinator) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    response = coordinator.post(
        reverse("people:share", kwargs={"pk": person.pk}), {"s-recipient": "nav", "s-what": "Vedtak"}
    )
    assert response.status_code == 200
    assert "har ikke samtykket" in response.content.decode()
    assert not person.disclosures.exists()


def test_children_routine_fragment_saves(world, coordinator) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    response = coordinator.post(
        reverse("people:children_routine", kwargs={"pk": person.pk}),
        {"answer": "no_children"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "Svaret er lagret" in response.content.decode()
    person.refresh_from_db()
    assert person.children_routine == "no_children"


def test_children_routine_contradiction_is_a_form_error_and_followup_reminder_shows(
    world, coordinator
) -> None:  # type: ignore[no-untyped-def]
    from mestring.people.models import Relative

    person = fixture_person(world)
    services.relative_add(
        actor=None, person=person, name="Barn", relation=Relative.Relation.CHILD, birth_year=2015
    )
    response = coordinator.post(
        reverse("people:children_routine", kwargs={"pk": person.pk}), {"answer": "no_children"}
    )
    assert response.status_code == 200
    assert "Det er registrert barn under 18 år som pårørende" in response.content.decode()
    person.refresh_from_db()
    assert person.children_routine == "has_children"
    detail = coordinator.get(reverse("people:detail", kwargs={"pk": person.pk})).content.decode()
    assert "er ikke tilbudt samtale eller oppfølging ennå" in detail
    relatives = coordinator.get(reverse("people:relatives", kwargs={"pk": person.pk})).content.decode()
    assert '<option value="has_children" selected>' in relatives  # the routine form starts from the answer
    coordinator.post(
        reverse("people:children_routine", kwargs={"pk": person.pk}),
        {"answer": "has_children", "followup_offered": "on"},
    )
    detail = coordinator.get(reverse("people:detail", kwargs={"pk": person.pk})).content.decode()
    assert "er ikke tilbudt samtale eller oppfølging ennå" not in detail
    relatives = coordinator.get(reverse("people:relatives", kwargs={"pk": person.pk})).content.decode()
    assert "Oppfølging ikke tilbudt ennå" not in relatives


def test_break_the_glass(world, client) -> None:  # type: ignore[no-untyped-def]
    # served by another Evje unit's municipality scope: ansatt.evje is in Evje but not on this person's team
    person = make_person(world, unit_slug="bykle-helse-rus", team=())
    Person.objects.filter(pk=person.pk).update(organisation=world.org("evje-og-hornnes"))
    login(client, "ansatt.evje")
    url = reverse("people:break_glass", kwargs={"pk": person.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "kort"})
    assert response.status_code == 200 and "minst 20 tegn" in response.content.decode()
    assert not BreakGlassGrant.objects.exists()
    response = client.post(url, {"reason": "Personen er på legevakten og trenger kriseplanen nå."})
    assert response.status_code == 302
    detail = client.get(reverse("people:detail", kwargs={"pk": person.pk}))
    assert detail.status_code == 200 and "Du har brutt glasset" in detail.content.decode()
    row = AccessLog.objects.filter(person_id=person.pk).latest("at")
    assert row.break_glass and "legevakten" in row.purpose
    # Bykle staff in another municipality cannot break the glass for Evje persons
    other = fixture_person(world)
    login(client, "ansatt.bykle")
    assert client.get(reverse("people:break_glass", kwargs={"pk": other.pk})).status_code == 404


def test_break_glass_review_list(world, client) -> None:  # type: ignore[no-untyped-def]
    person = make_person(world, unit_slug="valle-psykisk-helse-rus", team=())
    from mestring.accounts.models import Membership

    grant = BreakGlassGrant.objects.create(
        person=person,
        user=world.user("ansatt.bykle"),
        organisation=world.org("valle-psykisk-helse-rus"),
        reason="Test av gjennomgangslisten for enhetsleder",
        expires_at=person.created_at,
    )
    login(client, "leder.valle")
    assert "venter på gjennomgang" in client.get(reverse("people:list")).content.decode()
    url = reverse("people:break_glass_review")
    response = client.get(url)
    assert response.status_code == 200 and "Test av gjennomgangslisten" in response.content.decode()
    client.post(url, {"grant": grant.pk, "note": "OK"})
    grant.refresh_from_db()
    assert grant.reviewed_at is not None and grant.reviewed_by == world.user("leder.valle")
    assert Membership.objects.filter(user__username="leder.valle").exists()


def test_a_leader_cannot_review_their_own_break_glass_grant(world, client) -> None:  # type: ignore[no-untyped-def]
    person = make_person(world, unit_slug="valle-psykisk-helse-rus", team=())
    own = BreakGlassGrant.objects.create(
        person=person,
        user=world.user("leder.valle"),
        organisation=world.org("valle-psykisk-helse-rus"),
        reason="Lederen brøt glasset selv i en akutt situasjon",
        expires_at=person.created_at,
    )
    login(client, "leder.valle")
    url = reverse("people:break_glass_review")
    page = client.get(url).content.decode()
    assert "Din egen tilgang" in page and f'name="grant" value="{own.pk}"' not in page
    response = client.post(url, {"grant": own.pk, "note": "OK"}, follow=True)
    assert "Du kan ikke gjennomgå din egen" in response.content.decode()
    own.refresh_from_db()
    assert own.reviewed_at is None


def test_break_glass_review_with_a_too_long_note_says_so(world, client) -> None:  # type: ignore[no-untyped-def]
    person = make_person(world, unit_slug="valle-psykisk-helse-rus", team=())
    grant = BreakGlassGrant.objects.create(
        person=person,
        user=world.user("ansatt.bykle"),
        organisation=world.org("valle-psykisk-helse-rus"),
        reason="Akutt henvendelse fra legevakten om personen",
        expires_at=person.created_at,
    )
    login(client, "leder.valle")
    url = reverse("people:break_glass_review")
    response = client.post(url, {"grant": grant.pk, "note": "x" * 501}, follow=True)
    assert "Tilgangen er ikke merket" in response.content.decode()
    grant.refresh_from_db()
    assert grant.reviewed_at is None
    assert client.post(url, {"grant": "abc"}).status_code == 404


def test_exact_id_search_offers_break_the_glass_only_in_own_municipality(world, client) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)  # Evje
    login(client, "ansatt.bykle")
    response = client.post(reverse("people:list"), {"q": FIXTURE_ID})
    assert "Bryt glasset" not in response.content.decode()
    # an Evje person served only by Bykle: Evje staff find it and may break the glass
    other = make_person(world, unit_slug="bykle-helse-rus", team=(), national_id="", first_name="Annen")
    Person.objects.filter(pk=other.pk).update(organisation=world.org("evje-og-hornnes"))
    login(client, "ansatt.evje")
    assert "Bryt glasset" not in client.get(reverse("people:list"), {"q": "Annen"}).content.decode()
    services.person_update(actor=None, person=other, expected_version=1, national_id=_other_id())
    response = client.post(reverse("people:list"), {"q": _other_id()})
    assert reverse("people:break_glass", kwargs={"pk": other.pk}) in response.content.decode()
    assert not AccessLog.objects.filter(person_id__in=[person.pk, other.pk]).exists()


def _other_id() -> str:
    from datetime import date

    from mestring.people.fnr import synthetic_fodselsnummer

    return synthetic_fodselsnummer(date(1970, 3, 3), 42, female=False)


@pytest.mark.parametrize("pk", ["99999999999999999999", "0"])
def test_absurd_ids_are_404(world, coordinator, pk) -> None:  # type: ignore[no-untyped-def]
    assert coordinator.get(f"/personer/{pk}/").status_code == 404
    assert coordinator.get(f"/personer/{pk}/bryt-glasset/").status_code == 404
    assert coordinator.get(f"/api/v1/persons/{pk}/").status_code == 404


def test_history_shows_old_and_new_in_norwegian(world, coordinator) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    services.person_update(actor=None, person=person, expected_version=1, phone="12 34 56 78")
    html = coordinator.get(reverse("people:history", kwargs={"pk": person.pk})).content.decode()
    assert "Personopplysninger (endret)" in html and "Telefon: – → 12 34 56 78" in html
    assert FIXTURE_ID not in html


def test_team_and_services_page(world, coordinator) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    url = reverse("people:care_team", kwargs={"pk": person.pk})
    ansatt = world.user("ansatt.evje")
    response = coordinator.post(url, {"form": "team", "user": ansatt.pk, "role_title": "Miljøterapeut"})
    assert response.status_code == 302
    assert person.care_team.active().filter(user=ansatt).exists()
    response = coordinator.post(url, {"form": "team", "user": world.user("analytiker.setesdal").pk})
    assert response.status_code == 200  # not a choice: form error, nothing written
    assert not person.care_team.filter(user__username="analytiker.setesdal").exists()
    relation = person.service_relations.get()
    response = coordinator.post(url, {"end_service": relation.pk})
    assert response.status_code == 302
    relation.refresh_from_db()
    assert relation.valid_to is not None
    response = coordinator.post(
        url, {"form": "service", "t-unit": world.org("bykle-helse-rus").pk, "t-valid_from": "2026-01-01"}
    )
    assert response.status_code == 200  # Bykle's unit is not in Evje's scope
    assert "gyldig valg" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("people:care_team", {"end_user": "x"}),
        ("people:care_team", {"end_service": "-1"}),
    ],
)
def test_garbage_row_ids_are_404_not_500(world, coordinator, name, data) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    assert coordinator.post(reverse(name, kwargs={"pk": person.pk}), data).status_code == 404


def test_removing_a_relative_asks_for_confirmation_first(world, coordinator) -> None:  # type: ignore[no-untyped-def]
    from mestring.audit.models import ChangeLog
    from mestring.people.models import Relative

    person = fixture_person(world)
    relative = services.relative_add(
        actor=None, person=person, name="Mor Testesen", relation=Relative.Relation.PARENT
    )
    url = reverse("people:relative_remove", kwargs={"pk": person.pk, "relative_pk": relative.pk})
    page = coordinator.get(reverse("people:relatives", kwargs={"pk": person.pk})).content.decode()
    assert url in page
    # the old one-click POST on the list no longer removes anything
    coordinator.post(reverse("people:relatives", kwargs={"pk": person.pk}), {"remove": relative.pk})
    assert Relative.objects.filter(pk=relative.pk).exists()
    confirm = coordinator.get(url)
    assert (
        confirm.status_code == 200 and "Mor Testesen fjernes fra pårørendelisten" in confirm.content.decode()
    )
    assert Relative.objects.filter(pk=relative.pk).exists()
    response = coordinator.post(url)
    assert response.status_code == 302 and response["Location"].endswith(f"/personer/{person.pk}/parorende/")
    assert not Relative.objects.filter(pk=relative.pk).exists()
    assert ChangeLog.objects.filter(person=person, object_type="relative", action="removed").exists()


@pytest.mark.parametrize("relative_pk", [99999999999999999999999, 999999])
def test_removing_an_unknown_relative_is_404(world, coordinator, relative_pk) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    url = reverse("people:relative_remove", kwargs={"pk": person.pk, "relative_pk": relative_pk})
    assert coordinator.get(url).status_code == 404 and coordinator.post(url).status_code == 404


def test_relative_of_another_person_cannot_be_removed_through_this_person(world, coordinator) -> None:  # type: ignore[no-untyped-def]
    from mestring.people.models import Relative

    person = fixture_person(world)
    other = make_person(world, first_name="Annen")
    relative = services.relative_add(actor=None, person=other, name="Far", relation=Relative.Relation.PARENT)
    url = reverse("people:relative_remove", kwargs={"pk": person.pk, "relative_pk": relative.pk})
    assert coordinator.post(url).status_code == 404
    assert Relative.objects.filter(pk=relative.pk).exists()


def test_search_form_posts_so_the_national_id_stays_out_of_urls(world) -> None:  # type: ignore[no-untyped-def]
    page = client_for("koordinator.evje").get(reverse("people:list")).content.decode()
    assert 'role="search"' in page
    start = page.index('role="search"')
    form_tag = page[page.rindex("<form", 0, start) : page.index(">", start)]
    assert 'method="post"' in form_tag and "hx-post" in form_tag


def test_consent_table_shows_each_other_recipient_separately(world, coordinator) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    url = reverse("people:consents", kwargs={"pk": person.pk})
    for who, given in (("Kirkens Bymisjon", "0"), ("Frelsesarmeen", "1")):
        response = coordinator.post(
            url,
            {
                "form": "consent",
                "c-recipient": "other",
                "c-recipient_detail": who,
                "c-given": given,
                "c-decided_on": "2026-01-05",
            },
        )
        assert response.status_code == 302
    page = coordinator.get(url).content.decode()
    assert "Andre: Kirkens Bymisjon" in page and "Andre: Frelsesarmeen" in page
    response = coordinator.post(
        reverse("people:share", kwargs={"pk": person.pk}),
        {"s-recipient": "other", "s-recipient_detail": "Kirkens Bymisjon", "s-what": "Adresse"},
    )
    assert response.status_code == 200 and "trakk samtykket" in response.content.decode()
    assert not person.disclosures.exists()
