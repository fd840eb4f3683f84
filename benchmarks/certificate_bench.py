"""Certificate pipeline benchmark: from a signed-off record to an issued, signed certificate.

Not part of the test suite. Seeds the demo lab (without its own certificates) into a fresh SQLite
file, then for N new DC voltage records (6 points × 3 readings on the simulated bench) measures
each stage: the automated run, sign-off (gates, results and GTC budgets), the document, the PDF
(WeasyPrint, embedded CJK font), the PAdES signature, the DCC, and the whole issue service.
A national centre issues about 560 certificates a working day: one every 51 s over 8 hours.

    .venv/bin/python benchmarks/certificate_bench.py [--records N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time


def setup_django():
    os.environ.setdefault("CALTRACE_DATA_DIR", tempfile.mkdtemp(prefix="caltrace-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caltrace.settings")
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10)
    args = parser.parse_args()
    setup_django()

    import dataclasses

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from caltrace.calibration import demo as calibration_demo
    from caltrace.calibration import services
    from caltrace.calibration.models import Procedure
    from caltrace.certificates.dcc import build_dcc
    from caltrace.certificates.document import ItemDescription, Party
    from caltrace.certificates.from_record import IssueContext, document_from_record
    from caltrace.certificates.pdf import render_pdf
    from caltrace.certificates.services import do_issue_from_record
    from caltrace.certificates.signing import sign_pdf
    from caltrace.demo.seed import BASE_DEMOS, seed
    from caltrace.org import demo as org_demo
    from caltrace.people.models import Person

    t0 = time.perf_counter()
    seed(apps=BASE_DEMOS)
    print(f"demo lab seeded in {time.perf_counter() - t0:.1f} s")
    spec = calibration_demo.PROCEDURES["ZY-DCV-01"]
    from caltrace.methods.models import MethodVersion

    version = MethodVersion.objects.get(method__code="JJF 1587", edition="2016")
    procedure = Procedure.objects.filter(code="ZY-DCV-01").first() or services.do_create_procedure(
        method_version=version, code="ZY-DCV-01", name_zh=spec["name_zh"], name_en=spec["name_en"], kind=spec["kind"],
        quantity=spec["quantity"], unit=spec["unit"], model_key=spec["model_key"],
        readings_per_point=spec["readings_per_point"],
        points=[{"nominal": n, "setting": s, "unit": u} for n, s, u in spec["points"]], actor="system:bench")
    user = get_user_model().objects.get(username=spec["calibrator"])
    people = {p.staff_no: p for p in Person.objects.filter(staff_no__in=["MH-005", "MH-004"])}
    stages = {k: [] for k in ("record (run + sign-off)", "document", "pdf", "sign", "dcc", "issue service")}
    for n in range(args.records):
        t = time.perf_counter()
        record = calibration_demo._take_record(procedure, spec, user, timezone.localdate(), org_demo)
        stages["record (run + sign-off)"].append(time.perf_counter() - t)
        ctx = IssueContext(number=f"BENCH-{n:05d}", customer=Party("苏州瑞川精密电子有限公司", "江苏省苏州市工业园区瑞川路12号"),
                           item=ItemDescription("数字多用表", f"YP-BENCH-{n}", "Keysight", "34465A", f"MY{n:08d}"),
                           received_on=timezone.localdate(), reviewer="赵敏", signatory="陈志刚")
        t = time.perf_counter()
        doc = document_from_record(record, ctx)
        stages["document"].append(time.perf_counter() - t)
        t = time.perf_counter()
        pdf = render_pdf(dataclasses.replace(doc, verification_url="http://127.0.0.1/verify/x/"))
        stages["pdf"].append(time.perf_counter() - t)
        t = time.perf_counter()
        sign_pdf(pdf, reason="bench", location="bench")
        stages["sign"].append(time.perf_counter() - t)
        t = time.perf_counter()
        build_dcc(doc)
        stages["dcc"].append(time.perf_counter() - t)
        t = time.perf_counter()
        do_issue_from_record(record, ctx, reviewer=people["MH-005"], signatory=people["MH-004"], actor="system:bench")
        stages["issue service"].append(time.perf_counter() - t)
    print(f"{args.records} DC voltage records (6 points, 3 readings each), SQLite:")
    for name, times in stages.items():
        print(f"  {name:26s} median {statistics.median(times) * 1000:8.1f} ms   max {max(times) * 1000:8.1f} ms")
    per_cert = statistics.median(stages["record (run + sign-off)"]) + statistics.median(stages["issue service"])
    print(f"  one certificate end to end: {per_cert:.2f} s → {8 * 3600 / per_cert:,.0f} per 8-hour day on one worker "
          f"(target 560)")
    print(f"  peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
