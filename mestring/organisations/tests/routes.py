from mestring.core.testing.matrix import Route, expect, only
from mestring.organisations.models import (
    CooperationMember,
    FrameImportJob,
    MunicipalityFrame,
    SteeringGroupMember,
)


def ensure_frame_import_job() -> FrameImportJob:
    job = FrameImportJob.objects.filter(filename="matrise.csv").first()
    if job is None:
        job = FrameImportJob.objects.create(
            year=2026, filename="matrise.csv", status=FrameImportJob.Status.DONE, total_rows=1, unchanged=1
        )
    return job


def valle_in_setesdal() -> CooperationMember:
    return CooperationMember.objects.filter(
        cooperation__slug="setesdal", municipality__slug="valle"
    ).earliest("valid_from")


def osterdalen_seat() -> SteeringGroupMember:
    return SteeringGroupMember.objects.filter(cooperation__slug="osterdalen").earliest("pk")


ROUTES = [
    Route("organisations:overview", expect(200)),
    Route("organisations:frame_list", expect(200)),
    Route(
        "organisations:frame_import",
        only({"forsker.nasjonal": 200, "drift": 200}),
    ),
    # Frame import jobs concern the national frame: both roles that may import see every job.
    Route(
        "organisations:frame_import_job",
        only({"forsker.nasjonal": 200, "drift": 200}),
        kwargs=lambda w: {"pk": ensure_frame_import_job().pk},
    ),
    Route("organisations:group_set_list", expect(200)),
    Route(
        "organisations:group_set_create",
        only({"admin.evje": 200, "planlegger.osterdalen": 200, "forsker.nasjonal": 200, "drift": 200}),
    ),
    Route("organisations:group_set_detail", expect(200), kwargs=lambda w: {"slug": "fylke"}),
    # Own municipality: visible to those working there, the Setesdal cooperation, national roles.
    Route(
        "organisations:detail",
        expect(
            200,
            ansatt_bykle=404,
            leder_valle=404,
            planlegger_osterdalen=404,
        ),
        kwargs=lambda w: {"slug": "evje-og-hornnes"},
        label="evje",
    ),
    # Bykle's unit: Valle sees nothing of Bykle (no agreement), the Setesdal cooperation does.
    Route(
        "organisations:detail",
        expect(
            200,
            koordinator_evje=404,
            leder_valle=404,
            admin_evje=404,
            planlegger_osterdalen=404,
        ),
        kwargs=lambda w: {"slug": "bykle-helse-rus"},
        label="bykle-unit",
    ),
    Route(
        "organisations:unit_create",
        only({"admin.evje": 200, "drift": 200, "planlegger.osterdalen": 404}, otherwise=403),
        kwargs=lambda w: {"slug": "evje-og-hornnes"},
    ),
    Route(
        "organisations:cooperation_member_add",
        # Evje hosts Setesdal, so its administrator manages the cooperation; Østerdalen's planner sees 404.
        only({"admin.evje": 200, "drift": 200, "planlegger.osterdalen": 404}, otherwise=403),
        kwargs=lambda w: {"slug": "setesdal"},
    ),
    Route(
        "organisations:steering_seat_add",
        only({"planlegger.osterdalen": 200, "drift": 200, "admin.evje": 404}, otherwise=403),
        kwargs=lambda w: {"slug": "osterdalen"},
    ),
    # Units are managed by their municipality's administrator; Østerdalen's planner does not see Evje's units.
    Route(
        "organisations:unit_update",
        only({"admin.evje": 200, "drift": 200, "planlegger.osterdalen": 404}, otherwise=403),
        kwargs=lambda w: {"slug": "evje-rus-psykisk-helse"},
    ),
    Route(
        "organisations:unit_close",
        only({"admin.evje": 200, "drift": 200, "planlegger.osterdalen": 404}, otherwise=403),
        kwargs=lambda w: {"slug": "evje-rus-psykisk-helse"},
    ),
    Route(
        "organisations:cooperation_member_end",
        only({"admin.evje": 200, "drift": 200, "planlegger.osterdalen": 404}, otherwise=403),
        kwargs=lambda w: {"slug": "setesdal", "pk": valle_in_setesdal().pk},
    ),
    Route(
        "organisations:steering_seat_remove",
        only({"planlegger.osterdalen": 200, "drift": 200, "admin.evje": 404}, otherwise=403),
        kwargs=lambda w: {"slug": "osterdalen", "pk": osterdalen_seat().pk},
    ),
    Route(
        "organisations:cooperation_agreement_update",
        only({"planlegger.osterdalen": 200, "drift": 200, "admin.evje": 404}, otherwise=403),
        kwargs=lambda w: {"slug": "osterdalen"},
    ),
    Route("organisation-list", expect(200, anonymous=403)),
    Route(
        "organisation-detail",
        expect(
            200,
            anonymous=403,
            koordinator_evje=404,
            leder_valle=404,
            admin_evje=404,
            planlegger_osterdalen=404,
        ),
        kwargs=lambda w: {"slug": "bykle-helse-rus"},
    ),
    Route("municipality-frame-list", expect(200, anonymous=403)),
    Route(
        "municipality-frame-detail",
        expect(200, anonymous=403),
        kwargs=lambda w: {"pk": MunicipalityFrame.objects.get(year=2026, kommunenummer="4222").pk},
    ),
]
