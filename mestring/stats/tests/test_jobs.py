"""Background report files: one open job per report and actor; the status reads naturally."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from mestring.accounts.models import Membership
from mestring.core.testing.personas import client_for
from mestring.stats import jobs
from mestring.stats.models import ReportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def builder() -> Any:
    jobs.register_builder("test.file", lambda job, progress: jobs.BuiltFile(b"x", "x.txt", "text/plain"))
    yield
    jobs._BUILDERS.pop("test.file", None)


def _membership(world: Any, username: str = "analytiker.setesdal") -> Membership:
    return Membership.objects.get(user=world.user(username), organisation=world.org("setesdal"))


def test_a_queued_or_running_job_for_the_same_report_is_reused(world, builder) -> None:  # type: ignore[no-untyped-def]
    membership = _membership(world)
    ask: dict[str, Any] = {"membership": membership, "kind": "test.file", "title": "Rapport"}
    first = jobs.job_request(**ask, params={"aar": "2026"})
    again = jobs.job_request(**ask, params={"aar": "2026"})
    assert again.pk == first.pk and ReportJob.objects.count() == 1
    other_year = jobs.job_request(**ask, params={"aar": "2025"})
    assert other_year.pk != first.pk
    ReportJob.objects.filter(pk=first.pk).update(status=ReportJob.Status.RUNNING)
    assert jobs.job_request(**ask, params={"aar": "2026"}).pk == first.pk
    # A finished job is not reused: asking again builds a new file.
    jobs.build_job(first.pk)
    assert jobs.job_request(**ask, params={"aar": "2026"}).pk != first.pk
    # Another user asking for the same report gets their own job.
    admin = Membership.objects.get(user=world.user("admin.evje"), organisation=world.org("setesdal"))
    assert jobs.job_request(**{**ask, "membership": admin}, params={"aar": "2025"}).pk != other_year.pk


def test_identity_lets_a_waiting_job_take_the_new_parameters(world, builder) -> None:  # type: ignore[no-untyped-def]
    membership = _membership(world)
    ask: dict[str, Any] = {"membership": membership, "kind": "test.file", "identity": ["aar"]}
    first = jobs.job_request(**ask, params={"aar": "2026", "key": "old"}, title="Gammel")
    second = jobs.job_request(**ask, params={"aar": "2026", "key": "new"}, title="Ny")
    assert second.pk == first.pk and second.params["key"] == "new" and second.title == "Ny"
    assert ReportJob.objects.count() == 1


def test_status_text_reads_naturally(world, builder) -> None:  # type: ignore[no-untyped-def]
    membership = _membership(world)
    queued = jobs.job_request(membership=membership, kind="test.file", params={"a": 1}, title="Kø-rapport")
    done = jobs.job_request(membership=membership, kind="test.file", params={"a": 2}, title="Ferdig-rapport")
    jobs.build_job(done.pk)
    done.refresh_from_db()
    assert done.status == ReportJob.Status.DONE and done.message == ""
    page = client_for("analytiker.setesdal").get(reverse("stats:index")).content.decode()
    assert "Ferdig: Ferdig" not in page and "Ferdig." not in page
    assert "<strong>Ferdig-rapport</strong> – ferdig " in page
    assert "<strong>Kø-rapport</strong> – venter i kø" in page
    assert page.count("Kø-rapport") == 1 and queued.status == ReportJob.Status.QUEUED
