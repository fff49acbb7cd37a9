"""Benchmark: the caseload page and a person's follow-up page, 200 persons × 5 years vs one person.

    .venv/bin/python bench/caseload.py [--persons 200] [--years 5] [--clients 20] [--requests 200]

Needs PostgreSQL (`BENCH_POSTGRES`, default postgres://postgres@127.0.0.1:5432/postgres, used to create
and drop the databases `mestring_bench_1` and `mestring_bench_<persons>`). For each size a child process
migrates a fresh database, builds the demo world and a coordinator's caseload with synthetic history (bulk
inserts, invented people) and runs ANALYZE, counts the queries of one request per page, then serves the
app with gunicorn on a loopback port (DEBUG off, `--workers` processes × `--threads`) and sends the pages
from `--clients` concurrent clients, each sending its next request as soon as the previous one is
answered (closed loop), and then at a steady `--open-rate` (open loop: the same clients together send that
many requests per second; latency counts from when a request was due). It prints the query counts, p50/p95
latency and the ratio large/one, and the same for the logged-in start page (the floor every page pays).
Goal (issue 5): p95 ≤ 100 ms and the query count independent of the number of persons. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")


def recreate_database(name: str) -> str:
    import psycopg

    with psycopg.connect(ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- Child: build one database and measure ---------------------------------------------------------------


def build_history(n_persons: int, years: int) -> tuple[Any, list[int]]:
    """The coordinator koordinator.evje with `n_persons` persons and `years` of history each."""
    from django.utils import timezone

    from mestring.core.world import build_world
    from mestring.followup.instruments import ensure_builtin_instruments
    from mestring.followup.models import (
        CareTeamMember,
        CrisisPlan,
        Episode,
        FeedbackScore,
        Goal,
        IndividualPlan,
        Instrument,
        MappingArea,
        Measure,
        Meeting,
        PersonMapping,
        PhaseChange,
        PlanVersion,
        Referral,
    )
    from mestring.mapping.areas import AREA_CODES, Phase, Rating
    from mestring.people.models import CareTeamMembership, Person, ServiceRelation

    world = build_world()
    ensure_builtin_instruments()
    rng = random.Random(7)
    coordinator = world.user("koordinator.evje")
    unit = world.org("evje-rus-psykisk-helse")
    municipality = unit.parent
    today = timezone.localdate()
    start = today - timedelta(days=365 * years)
    persons = Person.objects.bulk_create(
        Person(
            organisation=municipality,
            first_name=f"Bench{i:04d}",
            last_name="Person",
            birth_year=1960 + i % 40,
        )
        for i in range(n_persons)
    )
    ServiceRelation.objects.bulk_create(
        ServiceRelation(person=p, unit=unit, valid_from=start) for p in persons
    )
    CareTeamMembership.objects.bulk_create(
        CareTeamMembership(person=p, user=coordinator, role_title="Koordinator", valid_from=start)
        for p in persons
    )
    CareTeamMember.objects.bulk_create(
        CareTeamMember(
            person=p, user=coordinator, name="Kari Fjellstad", role_title="Koordinator", valid_from=start
        )
        for p in persons
    )
    phases = list(Phase.values)
    episodes = Episode.objects.bulk_create(
        Episode(
            person=p,
            organisation=municipality,
            phase=rng.choice(phases),
            started_on=start,
            coordinator=coordinator,
            coordinator_since=start,
        )
        for p in persons
    )
    Episode.units.through.objects.bulk_create(
        Episode.units.through(episode_id=e.pk, organisation_id=unit.pk) for e in episodes
    )
    PhaseChange.objects.bulk_create(
        PhaseChange(episode=e, phase=rng.choice(phases), changed_on=start + timedelta(days=180 * k))
        for e in episodes
        for k in range(years * 2)
    )
    Referral.objects.bulk_create(
        Referral(
            episode=e,
            direction="out",
            agency=rng.choice(["tsb", "dps", "nav", "gp"]),
            referred_on=start + timedelta(days=200 * k),
            status="closed",
        )
        for e in episodes
        for k in range(years)
    )
    goals = Goal.objects.bulk_create(
        Goal(person=p, text=f"Mål {k} for {p.first_name}", created_on=start + timedelta(days=90 * k))
        for p in persons
        for k in range(2 * years)
    )
    by_person: dict[int, list[Goal]] = {}
    for goal in goals:
        by_person.setdefault(goal.person_id, []).append(goal)
    Measure.objects.bulk_create(
        Measure(
            person_id=g.person_id,
            goal=g,
            title=f"Tiltak for {g.text}",
            responsible="Koordinator",
            start_on=g.created_on,
            end_on=g.created_on + timedelta(days=rng.choice([60, 120, 400])),
            status=rng.choice(["done", "active", "planned"]),
        )
        for g in goals
        for _k in range(2)
    )
    mappings = PersonMapping.objects.bulk_create(
        PersonMapping(person=p, assessed_on=start + timedelta(days=365 * k), unit=unit)
        for p in persons
        for k in range(years)
    )
    ratings = list(Rating.values)
    MappingArea.objects.bulk_create(
        MappingArea(mapping=m, area=code, rating=rng.choice(ratings)) for m in mappings for code in AREA_CODES
    )
    plans = IndividualPlan.objects.bulk_create(
        IndividualPlan(
            person=p,
            status="active",
            next_review_on=today + timedelta(days=rng.randint(-30, 120)),
            version=2 * years,
        )
        for p in persons
    )
    PlanVersion.objects.bulk_create(
        PlanVersion(
            plan=plan,
            number=k + 1,
            saved_at=timezone.now() - timedelta(days=180 * (2 * years - k)),
            snapshot={
                "status": "active",
                "needs": f"Behov {k}",
                "goals": [],
                "measures": [],
                "care_team": [],
            },
        )
        for plan in plans
        for k in range(2 * years)
    )
    Meeting.objects.bulk_create(
        Meeting(
            person=p,
            starts_at=timezone.now() - timedelta(days=90 * k) + timedelta(days=30),
            status="held" if k else "planned",
            agenda="Status",
            minutes="Referat" if k else "",
        )
        for p in persons
        for k in range(4 * years)
    )
    CrisisPlan.objects.bulk_create(
        CrisisPlan(person=p, warning_signs="Sover dårlig", what_helps="Tur", contacts="Koordinator")
        for p in persons
    )
    instruments = list(Instrument.objects.all())
    FeedbackScore.objects.bulk_create(
        FeedbackScore(
            person=p,
            instrument=instrument,
            answered_on=start + timedelta(days=30 * k),
            score=round(rng.uniform(2, 8) if instrument.purpose == "outcome" else rng.uniform(20, 40), 1),
            off_track=rng.random() < 0.1,
        )
        for p in persons
        for instrument in instruments
        for k in range(12 * years // 2)
    )
    return world, [p.pk for p in persons]


def session_cookie(username: str) -> str:
    from django.test import Client

    from mestring.core.testing.personas import login

    client = Client()
    login(client, username)
    return client.cookies["sessionid"].value


def count_queries(cookie: str, paths: dict[str, str]) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.cookies["sessionid"] = cookie
    counts = {}
    for name, path in paths.items():
        client.get(path)  # warm caches
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[name] = len(ctx.captured_queries)
    return counts


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(workers: int, threads: int) -> tuple[subprocess.Popen[bytes], int]:
    """gunicorn (pinned in requirements.lock) on a loopback port: `workers` processes × `threads` threads,
    DEBUG off, persistent database connections as in production (`CONN_MAX_AGE` from settings)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        f"--worker-class={'gthread' if threads > 1 else 'sync'}",
        "--log-level=warning",
        "--timeout=120",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "DEBUG": "false"})
    deadline = time.monotonic() + 30
    while True:
        try:
            conn = HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            conn.close()
            return process, port
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise SystemExit("gunicorn did not start") from None
            time.sleep(0.2)


def fetch(port: int, cookie: str, path: str) -> int:
    conn = HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}", "Connection": "close"})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def load(
    port: int, cookie: str, paths: list[str], clients: int, per_client: int, interval: float = 0.0
) -> list[float]:
    """`clients` threads send `per_client` requests each. With `interval` 0 each sends its next request as
    soon as the previous one is answered (closed loop); otherwise each sends one every `interval` seconds
    (open loop) and the latency counts from when the request was due, so a late start counts as waiting."""
    timings: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        mine = []
        due = time.perf_counter() + rng.uniform(0, interval)
        for _ in range(per_client):
            path = rng.choice(paths)
            if interval:
                time.sleep(max(due - time.perf_counter(), 0))
            began = due if interval else time.perf_counter()
            status = fetch(port, cookie, path)
            mine.append(time.perf_counter() - began)
            due += interval
            if status != 200:
                errors.append(f"{path}: {status}")
        with lock:
            timings.extend(mine)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"non-200 answers: {errors[:5]}")
    return timings


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(round(0.95 * len(ordered)) - 1, 0)]


def child(args: argparse.Namespace) -> None:
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    _world, person_ids = build_history(args.persons, args.years)
    build_seconds = time.perf_counter() - began
    with connections["default"].cursor() as cursor:
        cursor.execute("ANALYZE")  # statistics, as autovacuum keeps them in a live database
    cookie = session_cookie("koordinator.evje")
    caseload = "/oppfolging/"
    person_paths = [f"/oppfolging/person/{pk}/" for pk in person_ids]
    # The start page (logged in: session, user, TOTP device, memberships and the site layout, almost no
    # content) is the floor every page of this stack pays; measured under the same load for reference.
    pages = {"caseload": [caseload], "person": person_paths, "start": ["/"]}
    queries = count_queries(cookie, {name: paths[0] for name, paths in pages.items()})
    connections.close_all()
    server, port = serve(args.workers, args.threads)
    result: dict[str, Any] = {
        "persons": args.persons,
        "build_seconds": round(build_seconds, 1),
        "queries": queries,
    }
    try:
        for name, paths in pages.items():
            load(port, cookie, paths, clients=2, per_client=3)  # warm-up
            serial = load(port, cookie, paths, clients=1, per_client=10)
            began = time.perf_counter()
            timings = load(
                port, cookie, paths, clients=args.clients, per_client=max(args.requests // args.clients, 1)
            )
            elapsed = time.perf_counter() - began
            result[name] = {
                "n": len(timings),
                "serial_ms": round(statistics.median(serial) * 1000, 1),
                "p50_ms": round(statistics.median(timings) * 1000, 1),
                "p95_ms": round(p95(timings) * 1000, 1),
                "per_second": round(len(timings) / elapsed, 1),
            }
            if args.open_rate:
                paced = load(
                    port,
                    cookie,
                    paths,
                    clients=args.clients,
                    per_client=max(args.requests // args.clients, 1),
                    interval=args.clients / args.open_rate,
                )
                result[name]["open_p95_ms"] = round(p95(paced) * 1000, 1)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=200)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200, help="requests per page and size")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="gunicorn worker processes (default: one per core; with PostgreSQL on the same machine more "
        "processes only add contention: 2 workers gave 92 person pages/s on 2 cores, 5 gave 77, 8 gave 73)",
    )
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (>1: gthread)")
    parser.add_argument(
        "--open-rate",
        type=float,
        default=40.0,
        help="also measure an open loop: the clients together send this many requests per second at a steady "
        "pace (0: skip)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    results = {}
    for size in (1, args.persons):
        name = f"mestring_bench_{size}"
        url = recreate_database(name)
        env = {**os.environ, "DATABASE_URL": url}
        command = [
            sys.executable,
            __file__,
            "--child",
            f"--persons={size}",
            f"--years={args.years}",
            f"--clients={args.clients}",
            f"--requests={args.requests}",
            f"--workers={args.workers}",
            f"--threads={args.threads}",
            f"--open-rate={args.open_rate}",
        ]
        print(f"… {size} person(er): bygger database og måler", flush=True)
        try:
            output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
        finally:
            drop_database(name)
        results[size] = json.loads(output.strip().splitlines()[-1])
    one, many = results[1], results[args.persons]
    print()
    print(
        f"Koordinator med {args.persons} personer × {args.years} år mot 1 person; "
        f"{args.clients} samtidige klienter, gunicorn {args.workers} prosesser × {args.threads} tråder"
    )
    print(f"{'side':<10} {'mål':<12} {'1 person':>10} {f'{args.persons} pers.':>12} {'forhold':>9}")
    for page in ("caseload", "person", "start"):
        rows = [
            ("spørringer", one["queries"][page], many["queries"][page]),
            ("1 klient ms", one[page]["serial_ms"], many[page]["serial_ms"]),
            ("p50 ms", one[page]["p50_ms"], many[page]["p50_ms"]),
            ("p95 ms", one[page]["p95_ms"], many[page]["p95_ms"]),
            ("svar/s", one[page]["per_second"], many[page]["per_second"]),
        ]
        if args.open_rate:
            rows.append((f"p95 ms {args.open_rate:g}/s", one[page]["open_p95_ms"], many[page]["open_p95_ms"]))
        for label, small, large in rows:
            ratio = large / small if small else float("nan")
            print(f"{page:<10} {label:<12} {small:>10} {large:>12} {ratio:>9.2f}")
    print()
    same = one["queries"] == many["queries"]
    print(f"Antall spørringer uavhengig av antall personer: {'ja' if same else 'NEI'}")
    worst = max(many["caseload"]["p95_ms"], many["person"]["p95_ms"])
    print(
        f"p95 ≤ 100 ms med {args.persons} personer: {'ja' if worst <= 100 else 'nei'} (verste p95 {worst} ms)"
    )
    floor = many["start"]
    print(
        f"Gulvet: startsiden (innlogget, nesten uten innhold, {many['queries']['start']} spørringer) "
        f"under samme last: {floor['per_second']} svar/s, p95 {floor['p95_ms']} ms."
    )
    print(
        f"(Klientene sender uten pause, så ventetiden under last er om lag {args.clients} / svar per sekund; "
        f"p95 ≤ 100 ms krever ≥ {args.clients * 10} svar/s på {os.cpu_count()} kjerner.)"
    )
    if args.open_rate:
        paced = max(many["caseload"]["open_p95_ms"], many["person"]["open_p95_ms"])
        print(
            f"Åpen last ({args.clients} klienter sender til sammen {args.open_rate:g} forespørsler/s i jevnt "
            f"tempo, ventetid regnet fra når forespørselen skulle gå): verste p95 {paced} ms."
        )


if __name__ == "__main__":
    main()
