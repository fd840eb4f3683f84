"""Audit ledger benchmarks: append throughput, and the time and memory of `verify`.

Not part of the test suite. Run from the repository root:

    .venv/bin/python benchmarks/ledger_bench.py                       # SQLite file in a temp dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/caltrace_bench \\
        .venv/bin/python benchmarks/ledger_bench.py                   # PostgreSQL (database is emptied)

Options: --appends N (single saves per measurement), --verify-entries N (ledger size for verify).
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import tempfile
import time
import tracemalloc


def setup_django():
    os.environ.setdefault("CALTRACE_DATA_DIR", tempfile.mkdtemp(prefix="caltrace-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caltrace.settings")
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import django

    django.setup()


def fresh_database():
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        if not name.startswith("caltrace_bench"):
            sys.exit(f"refusing to empty database {name!r}: use one whose name starts with caltrace_bench")
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE")
            cur.execute("CREATE SCHEMA public")
    call_command("migrate", verbosity=0, interactive=False)


def rate(n, seconds):
    return f"{n / seconds:,.0f}/s"


def bench_appends(n: int) -> dict:
    from caltrace.core import audit
    from caltrace.customers.models import CustomerOrganisation

    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.utils import timezone

    out = {}
    # For scale: the same number of single-row transactions on a table that is not audited.
    t = time.perf_counter()
    for i in range(n):
        with transaction.atomic():
            Session.objects.create(session_key=f"bench{i:08d}", session_data="-", expire_date=timezone.now())
    out["baseline: unaudited create (one transaction each)"] = (n, time.perf_counter() - t)
    with audit.audit_context(actor="system:bench"):
        t = time.perf_counter()
        orgs = [CustomerOrganisation.objects.create(name=f"单位{i}", credit_code=f"A{i:017d}") for i in range(n)]
        out["create (one transaction each)"] = (n, time.perf_counter() - t)

        t = time.perf_counter()
        for i, org in enumerate(orgs):
            org.phone = f"010-{i}"
            org.save()
        out["update via save() (one transaction each)"] = (n, time.perf_counter() - t)

        t = time.perf_counter()
        CustomerOrganisation.objects.filter(credit_code__startswith="A").update(address="北京市")
        out["QuerySet.update (one statement)"] = (n, time.perf_counter() - t)

        t = time.perf_counter()
        CustomerOrganisation.objects.bulk_create(
            [CustomerOrganisation(name=f"批量{i}", credit_code=f"B{i:017d}") for i in range(n * 5)], batch_size=1000)
        out["bulk_create"] = (n * 5, time.perf_counter() - t)
    return out


def build_ledger(entries: int):
    """About ``entries`` ledger entries, half creates and half updates, through the bulk paths."""
    from django.db.models import Max

    from caltrace.core import audit
    from caltrace.core.models import AuditEntry
    from caltrace.customers.models import CustomerOrganisation

    have = AuditEntry.objects.count()
    first = CustomerOrganisation.objects.count()
    last_pk = CustomerOrganisation.objects.aggregate(m=Max("pk"))["m"] or 0
    objects = max(1, (entries - have) // 2)
    batch = 2000
    with audit.audit_context(actor="system:bench"):
        for start in range(first, first + objects, batch):
            CustomerOrganisation.objects.bulk_create(
                [CustomerOrganisation(name=f"v{i}", credit_code=f"V{i:017d}")
                 for i in range(start, min(first + objects, start + batch))])
        CustomerOrganisation.objects.filter(pk__gt=last_pk).update(phone="1")
    return AuditEntry.objects.count(), CustomerOrganisation.objects.count()


def bench_verify() -> dict:
    from caltrace.core import ledger

    gc.collect()
    t = time.perf_counter()
    result = ledger.verify()
    seconds = time.perf_counter() - t
    assert result.ok, result.problems[:3]

    gc.collect()
    tracemalloc.start()
    result = ledger.verify()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    t = time.perf_counter()
    chain = ledger.verify(rows=False)
    chain_seconds = time.perf_counter() - t
    return {"entries": result.count, "seconds": seconds, "chain_seconds": chain_seconds,
            "peak_python_mib": peak / 2**20,
            "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "chain_count": chain.count}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--appends", type=int, default=2000)
    p.add_argument("--verify-entries", type=int, nargs="*", default=[50_000, 200_000])
    args = p.parse_args(argv)
    setup_django()
    from django.db import connection

    fresh_database()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    for what, (n, seconds) in bench_appends(args.appends).items():
        print(f"append  {what:<50} {n:>7} rows {seconds:7.2f} s  {rate(n, seconds)}")
    for size in sorted(args.verify_entries):
        entries, rows = build_ledger(size)
        r = bench_verify()
        print(f"verify  {entries:>9,} entries, {rows:>8,} live rows: {r['seconds']:6.1f} s "
              f"({rate(entries, r['seconds'])}), chain only {r['chain_seconds']:5.1f} s, "
              f"peak Python heap {r['peak_python_mib']:6.1f} MiB, max RSS {r['maxrss_mib']:6.0f} MiB")


if __name__ == "__main__":
    main()
