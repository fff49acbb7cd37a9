"""The pre-aggregated cube stays in step with the entries; entries prefilled from follow-up."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from mestring.core.testing.personas import login
from mestring.mapping import cube
from mestring.mapping.models import CubeState, MappingCube, MappingEntry
from mestring.mapping.reports import build_report, cached_report, municipality_scope
from mestring.mapping.tests.fixtures import add_entries, ensure_round, municipality
from mestring.stats import jobs
from mestring.stats.models import ReportJob

pytestmark = pytest.mark.django_db


def test_cube_is_rebuilt_when_entries_arrive(world) -> None:  # type: ignore[no-untyped-def]
    # 10 + 5 persons rather than 7 + 5: the area table's rows overlap (every row is all n persons), and a row
    # total below the minimum group size (10) is now hidden whole, so a report of 7 would not show its n.
    mapping_round = ensure_round("1134", 2026)
    add_entries(mapping_round, 10, bolig="rod")
    assert cube.ensure_fresh([2026]) == [2026]
    assert cube.ensure_fresh([2026]) == []  # nothing new: no rebuild
    row = MappingCube.objects.get(year=2026)
    assert row.n == 10 and row.bolig_rod == 10 and row.red_count == 1
    add_entries(mapping_round, 5)
    scope = municipality_scope(municipality("1134"))
    assert cached_report(scope, year=2026).table("omrader").n == 15  # the cache follows the data
    assert sum(MappingCube.objects.filter(year=2026).values_list("n", flat=True)) == 15
    MappingEntry.objects.filter(round=mapping_round, bolig="gronn").delete()
    cube.invalidate([2026])
    assert CubeState.objects.get(year=2026).built_max_id == -1
    assert build_report(scope, year=2026).table("omrader").n == 10


def test_failed_report_job_is_marked_and_says_so(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    def broken(job, progress):  # type: ignore[no-untyped-def]
        progress(10, "starter")
        raise RuntimeError("boom")

    jobs.register_builder("test.broken", broken)
    membership = world.user("forsker.nasjonal").memberships.get()
    job = jobs.job_request(membership=membership, kind="test.broken", params={}, title="Feil")
    assert job.status == ReportJob.Status.FAILED and "kunne ikke lages" in job.message
    with pytest.raises(ValueError):
        jobs.job_request(membership=membership, kind="finnes.ikke", params={}, title="x")


def test_entry_prefilled_from_followup_mapping(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    people_models = pytest.importorskip("mestring.people.models")
    followup_models = pytest.importorskip("mestring.followup.models")
    from mestring.mapping import prefill

    evje = municipality("4219")
    person = people_models.Person.objects.create(
        organisation=evje, first_name="Test", last_name="Person", birth_year=1981, gender="male"
    )
    mapping = followup_models.PersonMapping.objects.create(person=person)
    followup_models.MappingArea.objects.create(mapping=mapping, area="bolig", rating="rod")
    followup_models.MappingArea.objects.create(mapping=mapping, area="okonomi", rating="gul")
    calls = []

    def fake_access(membership, person_id):  # type: ignore[no-untyped-def]
        calls.append(person_id)
        return person

    # Patch the mapping's own seam, never the people app's module: views imported while a patch is active
    # would keep the fake.
    monkeypatch.setattr(prefill, "_access_person", fake_access)
    mapping_round = ensure_round("4219", 2026)
    client = Client()
    login(client, "koordinator.evje")
    url = reverse("mapping:entry_create", args=[mapping_round.pk]) + f"?person={person.pk}"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["fodselsaar"] == 1981 and form.initial["kjonn"] == "m"
    assert form.initial["bolig"] == "rod" and form.initial["okonomi"] == "gul"
    assert "siste kartlegging i oppfølgingen" in page.content.decode()
    assert calls and str(calls[0]) == str(person.pk)
    data = {
        "person": str(person.pk),
        "dato": "2026-04-01",
        "fodselsaar": "1981",
        "kjonn": "m",
        **dict.fromkeys(
            ["meningsfull_aktivitet", "fysisk_helse", "psykisk_helse", "rusmiddelbruk", "sosial_fungering"],
            "gronn",
        ),
        "bolig": "rod",
        "okonomi": "gul",
        "sosialt_nettverk": "gronn",
    }
    response = client.post(reverse("mapping:entry_create", args=[mapping_round.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    entry = MappingEntry.objects.get(round=mapping_round)
    assert entry.person_id == person.pk and entry.source == "followup" and entry.red_count == 1
    audit_models = pytest.importorskip("mestring.audit.models")
    change = audit_models.ChangeLog.objects.get(person=person, object_type="mappingentry")
    assert change.object_id == entry.pk and change.action == "created"
    from mestring.mapping.innsyn import export_person_mappings

    exported = export_person_mappings(person)
    assert exported[0]["bolig"] == "rod" and exported[0]["år"] == 2026


def test_prefill_for_a_person_without_service_need_is_404(world) -> None:  # type: ignore[no-untyped-def]
    people_models = pytest.importorskip("mestring.people.models")
    person = people_models.Person.objects.create(
        organisation=municipality("4222"), first_name="Ingen", last_name="Tilgang", birth_year=1970
    )
    mapping_round = ensure_round("4219", 2026)
    client = Client()
    login(client, "koordinator.evje")
    url = reverse("mapping:entry_create", args=[mapping_round.pk]) + f"?person={person.pk}"
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("mapping:entry_create", args=[mapping_round.pk]) + "?person=abc").status_code
        == 404
    )
