"""Benchmark for surveys (a script, not a test; nothing asserts on time).

1. Load: N anonymous respondents (default 1,000) open the unit survey form and submit an answer over
   loopback to a *running* server (``make demo`` or ``manage.py runserver``) that uses the same database as
   this script. Prints errors and the p50/p95/max submit latency (goal: 0 errors, p95 ≤ 150 ms).
2. Tables: builds every table the analysis page shows (representativeness by the four group sets and
   frequency tables) for a synthetic survey of 430 municipalities × 200 questions, inside a transaction that
   is rolled back, and prints the time.

Bounded: at most 5,000 respondents, at most 32 parallel clients, a wall-clock limit (default 300 s) after
which no new respondent starts; only loopback addresses are accepted as the server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mestring .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mestring .venv/bin/python manage.py load_demo
    DATABASE_URL=... .venv/bin/python bench/survey_load.py                # starts its own pooled server
    DATABASE_URL=... .venv/bin/python bench/survey_load.py --base-url http://127.0.0.1:8000   # or use yours
"""

from __future__ import annotations

import argparse
import http.cookiejar
import ipaddress
import os
import random
import re
import socket
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

MAX_RESPONDENTS = 5000
MAX_CONCURRENCY = 32
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Outcome:
    ok: bool
    submit_ms: float
    error: str = ""


def _is_loopback(base_url: str) -> bool:
    host = urllib.parse.urlsplit(base_url).hostname or ""
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except socket.gaierror:
        return False
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _respondent(base_url: str, code: str, seed: int, timeout: float) -> Outcome:
    rng = random.Random(seed)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    url = f"{base_url}/undersokelser/u/{code}/"
    try:
        with opener.open(url, timeout=timeout) as response:
            page = response.read().decode("utf-8")
        match = CSRF_RE.search(page)
        if not match:
            return Outcome(False, 0.0, "no CSRF token on the form")
        fields = {
            "csrfmiddlewaretoken": match.group(1),
            "q-tilgjengelig": rng.choice(["3", "2", "1", "9"]),
            "q-respekt": rng.choice(["3", "2", "1"]),
            "q-nytte": rng.choice(["3", "2", "1"]),
        }
        request = urllib.request.Request(
            url, data=urllib.parse.urlencode(fields).encode(), headers={"Referer": url}, method="POST"
        )
        started = time.perf_counter()
        try:
            with opener.open(request, timeout=timeout) as response:
                status = response.status
                response.read()
        except urllib.error.HTTPError as exc:
            status = exc.code
        elapsed = (time.perf_counter() - started) * 1000
        # A successful submit answers 302 to the thank-you page (not followed: only the submit is timed).
        if status != 302:
            return Outcome(False, elapsed, f"HTTP {status}")
        return Outcome(True, elapsed)
    except Exception as exc:
        return Outcome(False, 0.0, f"{type(exc).__name__}: {exc}")


def _bench_survey() -> Any:
    """The benchmark's own satisfaction survey: reused from an earlier run, else created on the first unit
    that has no open survey of the default questionnaire (a unit has one survey per questionnaire)."""
    from django.core.exceptions import ValidationError

    from mestring.organisations.models import Organisation
    from mestring.surveys import services
    from mestring.surveys.defaults import ensure_default_questionnaires
    from mestring.surveys.models import SatisfactionSurvey

    title = "Benchmark (slettes)"
    earlier = SatisfactionSurvey.objects.filter(title=title).order_by("-pk").first()
    if earlier is not None:
        return earlier
    satisfaction, _national = ensure_default_questionnaires()
    version = satisfaction.latest_published()
    assert version is not None
    for unit in Organisation.objects.filter(kind=Organisation.Kind.UNIT).order_by("pk"):
        try:
            return services.satisfaction_survey_create(unit=unit, version=version, title=title)
        except ValidationError:
            continue  # this unit already runs the questionnaire
    raise SystemExit("No unit free for a benchmark survey: run `manage.py load_demo` first.")


def run_load(base_url: str, respondents: int, concurrency: int, time_limit: float, timeout: float) -> None:
    survey = _bench_survey()
    print(
        f"Load: {respondents} respondents, {concurrency} parallel, against {base_url} (survey {survey.code})"
    )
    deadline = time.monotonic() + time_limit
    outcomes: list[Outcome] = []
    skipped = 0
    started = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            futures = []
            for n in range(respondents):
                if time.monotonic() > deadline:
                    skipped = respondents - n
                    break
                futures.append(pool.submit(_respondent, base_url, survey.code, n, timeout))
                if len(futures) >= concurrency * 4:
                    done = futures.pop(0)
                    outcomes.append(done.result())
            for future in as_completed(futures):
                outcomes.append(future.result())
    finally:
        from mestring.surveys.models import SatisfactionAnswer

        stored = SatisfactionAnswer.objects.filter(round__survey=survey).count()
        survey.rounds.all().delete()
        survey.delete()
    wall = time.perf_counter() - started
    errors = [o for o in outcomes if not o.ok]
    latencies = sorted(o.submit_ms for o in outcomes if o.ok)
    print(f"  done: {len(outcomes)} in {wall:.1f} s, skipped by the time limit: {skipped}")
    print(f"  errors: {len(errors)}; answers stored: {stored}")
    for message in sorted({e.error for e in errors})[:10]:
        print(f"    {message}")
    if latencies:
        p95 = latencies[min(len(latencies) - 1, round(0.95 * len(latencies)) - 1)]
        print(
            f"  submit latency: p50 {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms "
            f"(goal ≤ 150 ms: ratio {p95 / 150:.2f}), max {latencies[-1]:.0f} ms"
        )


def serve(port: int, workers: int) -> None:
    """A small WSGI server with a fixed pool of threads (so at most `workers` database connections), on
    loopback only. Used by --serve when no server is running; Django's dev server opens a new database
    connection per request thread, which exhausts PostgreSQL's connection limit under load."""
    from concurrent.futures import ThreadPoolExecutor as Pool
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    class PooledServer(WSGIServer):
        request_queue_size = 128

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.pool = Pool(max_workers=workers)

        def process_request(self, request: Any, client_address: Any) -> None:
            self.pool.submit(self._work, request, client_address)

        def _work(self, request: Any, client_address: Any) -> None:
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

    server = PooledServer(("127.0.0.1", port), QuietHandler)
    server.set_app(get_wsgi_application())
    server.serve_forever()


def _start_server(workers: int) -> tuple[Any, str]:
    import subprocess

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve-only", str(port), "--workers", str(workers)]
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2):
                return process, base_url
        except urllib.error.HTTPError:
            return process, base_url  # it answers (503 only says migrations are pending)
        except Exception:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("The benchmark server did not start.")


class _Rollback(Exception):
    pass


def run_tables(municipalities: int, questions: int) -> None:
    from mestring.organisations.services import frame_import
    from mestring.surveys import analysis, authoring, engine, services
    from mestring.surveys.authoring import FormSpec, QuestionSpec
    from mestring.surveys.models import Invitation, NationalSurvey, Questionnaire, QuestionType, Response

    print(f"Tables: {municipalities} municipalities × {questions} questions (rolled back afterwards)")
    rng = random.Random(430)
    year = 2190
    try:
        with transaction.atomic():
            regions = ["Sør-Øst", "Vest", "Midt", "Nord"]
            lines = ["kommunenummer,navn,fylke,helseregion,kostragruppe,innbyggere"]
            for n in range(municipalities):
                lines.append(
                    f"{9000 - n:04d},Benchkommune {n},Fylke {n % 11},{regions[n % 4]},KG {n % 16 + 1},"
                    f"{rng.choice([800, 3000, 7000, 15000, 30000, 90000])}"
                )
            frame_import(year=year, text="\n".join(lines) + "\n")
            scale = [("5", "Svært godt"), ("4", "Ganske godt"), ("3", "Verken eller"), ("2", "Ganske dårlig")]
            specs = []
            for i in range(questions):
                if i % 10 == 9:
                    specs.append(
                        QuestionSpec(
                            name=f"v{i}",
                            text=f"Hvilke {i}?",
                            type=QuestionType.MULTIPLE,
                            options=[("a", "A"), ("b", "B"), ("c", "C")],
                        )
                    )
                else:
                    specs.append(
                        QuestionSpec(
                            name=f"q{i}", text=f"Spørsmål {i}", type=QuestionType.SINGLE, options=scale
                        )
                    )
            owner = _national_owner()
            questionnaire = authoring.questionnaire_from_spec(
                spec=FormSpec(title="Benchmark", sections=[("Alt", "", specs)]),
                owner=owner,
                kind=Questionnaire.Kind.NATIONAL,
                slug="bench-tabeller",
            )
            survey = services.national_survey_create(
                owner=owner,
                title="Benchmark",
                version=questionnaire.versions.get(),
                frame_year=year,
                slug="bench-tabeller",
            )
            NationalSurvey.objects.filter(pk=survey.pk).update(status=NationalSurvey.Status.OPEN)
            invitations = list(survey.invitations.all())
            answered = [i for i in invitations if rng.random() < 0.7]
            Response.objects.bulk_create(
                [
                    Response(
                        invitation=invitation,
                        version=survey.version,
                        submitted_at=timezone.now(),
                        data={
                            s.name: [v for v in ("a", "b", "c") if rng.random() < 0.5] or ["a"]
                            if s.type == QuestionType.MULTIPLE
                            else rng.choice(scale)[0]
                            for s in specs
                        },
                    )
                    for invitation in answered
                ]
            )
            Invitation.objects.filter(pk__in=[i.pk for i in answered]).update(completed_at=timezone.now())
            started = time.perf_counter()
            form = engine.load_form(survey.version)
            datas = [d for _k, d in analysis.submitted_data(survey)]
            tables = [analysis.representativeness(survey, s) for s in analysis.REPRESENTATIVENESS_SETS]
            tables += analysis.frequency_tables(form, datas)
            elapsed = time.perf_counter() - started
            per_table = 1000 * elapsed / len(tables)
            print(f"  {len(tables)} tables, {len(datas)} answers: {elapsed:.2f} s ({per_table:.1f} ms/table)")
            raise _Rollback
    except _Rollback:
        pass


def _national_owner() -> Any:
    from mestring.organisations.models import Organisation

    owner = Organisation.objects.filter(kind=Organisation.Kind.NATIONAL).order_by("pk").first()
    if owner is None:
        owner = Organisation.objects.create(
            kind=Organisation.Kind.NATIONAL, name="Benchmark", slug="bench-nasjonal"
        )
    return owner


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", default="", help="a running server on loopback (default: start one)")
    parser.add_argument("--workers", type=int, default=4, help="threads of the server started by the script")
    parser.add_argument("--serve-only", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--respondents", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--time-limit", type=float, default=300.0, help="seconds; no new respondent after this"
    )
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per HTTP request")
    parser.add_argument("--municipalities", type=int, default=430)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-tables", action="store_true")
    parser.add_argument(
        "--allow-sqlite", action="store_true", help="run even when the database is not PostgreSQL"
    )
    args = parser.parse_args()
    if args.serve_only:
        serve(args.serve_only, min(max(args.workers, 1), MAX_CONCURRENCY))
        return
    if connection.vendor != "postgresql" and not args.allow_sqlite:
        raise SystemExit("The benchmark is meant for PostgreSQL: set DATABASE_URL (or pass --allow-sqlite).")
    if not 1 <= args.respondents <= MAX_RESPONDENTS:
        raise SystemExit(f"--respondents must be 1..{MAX_RESPONDENTS}")
    if not 1 <= args.concurrency <= MAX_CONCURRENCY:
        raise SystemExit(f"--concurrency must be 1..{MAX_CONCURRENCY}")
    if not args.skip_load:
        process = None
        base_url = args.base_url.rstrip("/")
        if not base_url:
            process, base_url = _start_server(min(max(args.workers, 1), MAX_CONCURRENCY))
            print(f"Started a pooled WSGI server at {base_url} ({args.workers} threads)")
        try:
            if not _is_loopback(base_url):
                raise SystemExit(
                    "Only a server on a loopback address (127.0.0.1, ::1, localhost) is accepted."
                )
            run_load(base_url, args.respondents, args.concurrency, args.time_limit, args.timeout)
        finally:
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
    if not args.skip_tables:
        run_tables(args.municipalities, args.questions)


if __name__ == "__main__":
    main()
