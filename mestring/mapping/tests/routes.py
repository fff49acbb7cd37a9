"""The mapping app's rows in the role × URL matrix. Analysts see aggregates, never entries or rounds."""

from mestring.core.testing.matrix import Route, only
from mestring.mapping.tests.fixtures import ensure_entry, ensure_import_job, ensure_round

ROUND_WORKERS = {
    "koordinator.evje": 200,
    "ansatt.bykle": 200,
    "leder.valle": 200,
    "ruskonsulent.setesdal": 200,
    "admin.evje": 200,
    "planlegger.osterdalen": 200,
}
AGGREGATES = {
    "leder.valle": 200,
    "analytiker.setesdal": 200,
    "admin.evje": 200,
    "planlegger.osterdalen": 200,
    "forsker.nasjonal": 200,
}


def evje_round(w):  # type: ignore[no-untyped-def]
    return {"pk": ensure_round("4219", 2026).pk}


def evje_entry(w):  # type: ignore[no-untyped-def]
    return {"pk": ensure_entry("4219", 2026).pk}


# An entry at Evje's unit registered by a colleague: Evje's unit staff (own unit) and Evje's administration
# (manages the round) may correct it; the Setesdal coordinator sees the round but did not register it (404).
EVJE_ENTRY = {
    "koordinator.evje": 200,
    "ansatt.bykle": 404,
    "leder.valle": 404,
    "ruskonsulent.setesdal": 404,
    "admin.evje": 200,
    "planlegger.osterdalen": 404,
}


ROUTES = [
    Route("mapping:index", only(ROUND_WORKERS)),
    Route(
        "mapping:round_create",
        only({"leder.valle": 200, "admin.evje": 200, "planlegger.osterdalen": 200}),
    ),
    # Evje's round: Evje's staff, the Setesdal cooperation's staff and Evje's administration; Bykle, Valle and
    # Østerdalen see nothing (404); analysts never see rounds (403).
    Route(
        "mapping:round_detail",
        only(
            {
                "koordinator.evje": 200,
                "ansatt.bykle": 404,
                "leder.valle": 404,
                "ruskonsulent.setesdal": 200,
                "admin.evje": 200,
                "planlegger.osterdalen": 404,
            }
        ),
        kwargs=evje_round,
    ),
    Route(
        "mapping:round_close",
        only({"admin.evje": 200, "leder.valle": 404, "planlegger.osterdalen": 404}),
        kwargs=evje_round,
    ),
    Route(
        "mapping:entry_create",
        only(
            {"koordinator.evje": 200, "ansatt.bykle": 404, "leder.valle": 404, "ruskonsulent.setesdal": 200}
        ),
        kwargs=evje_round,
    ),
    # The round's entries: whoever sees the round (each sees the entries their rule allows).
    Route(
        "mapping:entry_list",
        only(
            {
                "koordinator.evje": 200,
                "ansatt.bykle": 404,
                "leder.valle": 404,
                "ruskonsulent.setesdal": 200,
                "admin.evje": 200,
                "planlegger.osterdalen": 404,
            }
        ),
        kwargs=evje_round,
    ),
    Route("mapping:entry_edit", only(EVJE_ENTRY), kwargs=evje_entry),
    Route("mapping:entry_delete", only(EVJE_ENTRY), kwargs=evje_entry),
    Route(
        "mapping:import",
        only({"admin.evje": 200, "leder.valle": 404, "planlegger.osterdalen": 404}),
        kwargs=evje_round,
    ),
    Route(
        "mapping:import_status",
        only({"admin.evje": 200, "leder.valle": 404, "planlegger.osterdalen": 404}),
        kwargs=lambda w: {"pk": ensure_import_job("4219", 2026).pk},
    ),
    Route("mapping:report", only(AGGREGATES)),
    # Bykle's figures: the Setesdal analyst (cooperation) and the nation; Valle and Evje get 404.
    Route(
        "mapping:report",
        only(
            {
                "leder.valle": 404,
                "analytiker.setesdal": 200,
                "admin.evje": 404,
                "planlegger.osterdalen": 404,
                "forsker.nasjonal": 200,
            }
        ),
        label="bykle",
        query="?kommune=4222",
    ),
    # The national rollup: national analysts only; others' roles lack the permission (403).
    Route(
        "mapping:report",
        only({"forsker.nasjonal": 200}),
        label="nasjonalt",
        query="?nasjonalt=1",
    ),
    Route("mapping:report_pdf", only(AGGREGATES)),
    Route("mapping:report_export", only(AGGREGATES), kwargs=lambda w: {"fmt": "csv"}, label="csv"),
    Route("mapping:report_export", only(AGGREGATES), kwargs=lambda w: {"fmt": "xlsx"}, label="xlsx"),
    Route(
        "mapping:report_export",
        only(
            {
                "forsker.nasjonal": 200,
                "planlegger.osterdalen": 200,
                "analytiker.setesdal": 404,
                "leder.valle": 404,
                "admin.evje": 404,
            }
        ),
        kwargs=lambda w: {"fmt": "md"},
        label="md-osterdalen",
        query="?samarbeid=osterdalen",
    ),
    Route("mapping-round-list", only(ROUND_WORKERS, anonymous=403)),
    Route(
        "mapping-round-detail",
        only(
            {
                "koordinator.evje": 200,
                "ansatt.bykle": 404,
                "leder.valle": 404,
                "ruskonsulent.setesdal": 200,
                "admin.evje": 200,
                "planlegger.osterdalen": 404,
            },
            anonymous=403,
        ),
        kwargs=evje_round,
    ),
    # GET is not allowed (POST only) for those who may register; everyone else is refused first.
    Route(
        "mapping-entry-create",
        only(
            {"koordinator.evje": 405, "ansatt.bykle": 405, "leder.valle": 405, "ruskonsulent.setesdal": 405},
            anonymous=403,
        ),
        kwargs=evje_round,
    ),
    Route("mapping-entry-detail", only(EVJE_ENTRY, anonymous=403), kwargs=evje_entry),
    Route("mapping-report", only(AGGREGATES, anonymous=403)),
]
