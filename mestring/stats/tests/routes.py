"""The stats app's rows in the role × URL matrix: a report job belongs to the user who asked for it."""

from mestring.core.testing.matrix import Route, only
from mestring.mapping.tests.fixtures import ensure_report_job

AGGREGATES = {
    "leder.valle": 200,
    "analytiker.setesdal": 200,
    "admin.evje": 200,
    "planlegger.osterdalen": 200,
    "forsker.nasjonal": 200,
}
OTHERS_404 = {"leder.valle": 404, "analytiker.setesdal": 404, "admin.evje": 404, "planlegger.osterdalen": 404}

ROUTES = [
    Route("stats:index", only(AGGREGATES)),
    Route(
        "stats:job_status",
        only({"forsker.nasjonal": 200, **OTHERS_404}),
        kwargs=lambda w: {"pk": ensure_report_job().pk},
    ),
    Route(
        "stats:job_download",
        only({"forsker.nasjonal": 200, **OTHERS_404}),
        kwargs=lambda w: {"pk": ensure_report_job().pk},
    ),
    Route(
        "stats-job-detail",
        only({"forsker.nasjonal": 200, **OTHERS_404}, anonymous=403),
        kwargs=lambda w: {"pk": ensure_report_job().pk},
    ),
]
