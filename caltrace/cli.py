"""The ``caltrace`` command.

Every command has --help; bad arguments print one line and exit with code 2.
Writes made here are audited with the actor ``system:cli`` (or ``user:NAME`` with --actor).
"""

from __future__ import annotations

import argparse
import json
import os
import sys


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit code 2
        self.exit(2, f"{self.prog}: error: {message}\n")


class UsageError(Exception):
    """Bad input found after parsing: one line, exit code 2."""


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caltrace.settings")
    import django

    django.setup()


def _migrate(verbosity=0):
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


# ---------------------------------------------------------------------------------------------


def cmd_init_demo(args):
    from caltrace.demo import seed

    _migrate()
    accounts = seed()
    _print_accounts(accounts)
    return 0


def _print_accounts(accounts):
    print("演示账号 / Demo accounts:")
    width = max((len(a.username) for a in accounts), default=8)
    for a in accounts:
        print(f"  {a.username:<{width}}  {a.password}  {a.role_zh} / {a.role_en}")


def cmd_serve(args):
    from django.core.management import call_command
    from waitress import serve

    from caltrace.wsgi import application

    _migrate()
    call_command("collectstatic", interactive=False, verbosity=0)
    consumer = None if args.no_worker else _start_embedded_worker()
    print(f"caltrace serving at http://{args.host}:{args.port}/  (Ctrl+C to stop)", flush=True)
    try:
        serve(application, host=args.host, port=args.port, threads=args.threads, _quiet=True)
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)
    return 0


def _start_embedded_worker():
    """One machine, one process: run queued and periodic tasks in threads beside the web server."""
    import signal

    from huey.contrib.djhuey import HUEY

    if HUEY.immediate:
        return None
    consumer = HUEY.create_consumer(workers=1, worker_type="thread", periodic=True)
    consumer.start()
    # The consumer took over SIGINT/SIGTERM; give them back so Ctrl+C stops the server.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    return consumer


def cmd_demo(args):
    cmd_init_demo(args)
    return cmd_serve(args)


def cmd_migrate(args):
    _migrate(verbosity=1)
    return 0


def cmd_audit_verify(args):
    from caltrace.core import ledger

    def progress(stage, n):
        if args.progress:
            print(f"  … {stage}: {n}", file=sys.stderr, flush=True)

    result = ledger.verify(rows=not args.chain_only, progress=progress, stop_at_first=not args.all)
    if result.ok:
        print(f"ledger intact: {result.count} entries, head {result.head_hash} (seq {result.head_seq})")
        return 0
    for p in result.problems:
        where = f"seq {p.seq}" if p.seq is not None else f"table {p.table} pk {p.pk}"
        print(f"LEDGER BROKEN at {where}: {p.message}")
    return 1


def cmd_audit_checkpoint(args):
    from caltrace.core import keys, ledger

    cp = ledger.make_checkpoint()
    out = {"seq": cp.seq, "head_hash": cp.head_hash, "at": cp.at.isoformat(), "signature": cp.signature,
           "key_fingerprint": cp.key_fingerprint, "statement": cp.statement()}
    if args.format == "json":
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(f"checkpoint seq {cp.seq} head {cp.head_hash}")
        print(f"at {out['at']}")
        print(f"signature (ECDSA P-256, SHA-256, base64) {cp.signature}")
        print(f"lab key fingerprint (SHA-256 of certificate) {cp.key_fingerprint}")
    if args.cert:
        from cryptography.hazmat.primitives import serialization

        with open(args.cert, "wb") as fh:
            fh.write(keys.certificate().public_bytes(serialization.Encoding.PEM))
    return 0


def cmd_rules_list(args):
    from caltrace.integrity import registry

    rules = registry.rules()
    if args.format == "json":
        print(json.dumps([r.as_dict() for r in rules], ensure_ascii=False, indent=2))
        return 0
    for r in rules:
        print(f"{r.id:<8} {r.kind:<5} {','.join(r.events)}")
        print(f"         {r.zh}")
        print(f"         {r.en}")
    print(f"{len(rules)} rules")
    return 0


def cmd_token_create(args):
    from django.contrib.auth import get_user_model

    from caltrace.core.services import do_issue_api_token

    user = get_user_model().objects.filter(username=args.username).first()
    if user is None:
        raise UsageError(f"username: no user named {args.username!r}")
    token, key = do_issue_api_token(user, name=args.name)
    print(key)
    return 0


def cmd_worker(args):
    from django.core.management import call_command

    _migrate()
    print("caltrace worker running periodic and queued tasks (Ctrl+C to stop)", flush=True)
    call_command("run_huey", workers=args.workers)
    return 0


def _spec(name):
    from caltrace.core import imports

    specs = imports.specs()
    if name not in specs:
        raise UsageError(f"list: unknown list {name!r} (choose from {', '.join(specs)})")
    return specs[name]


def cmd_import(args):
    from pathlib import Path

    from caltrace.core import imports

    spec = _spec(args.list)
    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"file: no such file {args.file!r}")
    try:
        report = imports.run_import(spec, path.read_bytes(), path.name, dry_run=not args.commit)
    except imports.ImportFileError as exc:
        raise UsageError(f"file: {exc}") from None
    for err in report.errors:
        print(f"row {err.row}" + (f", column {err.column}" if err.column else "") + f": {err.reason}")
    if report.errors:
        print(f"{len(report.errors)} problems in {report.rows} rows; nothing imported")
        return 1
    if args.commit:
        print(f"imported {report.imported} rows into {spec.name}")
    else:
        print(f"dry run: {report.rows} rows are clean; run again with --commit to import them")
    return 0


def cmd_export(args):
    from caltrace.core import imports

    spec = _spec(args.list)
    fmt = args.format or ("xlsx" if args.output.lower().endswith(".xlsx") else "csv")
    data = imports.export_rows(spec, fmt=fmt, language=args.language)
    with open(args.output, "wb") as fh:
        fh.write(data)
    print(f"wrote {args.output}")
    return 0


def cmd_dcc_fetch_schema(args):
    from pathlib import Path

    from django.conf import settings

    from caltrace.certificates import dcc_schema

    dest = Path(args.dest) if args.dest else Path(settings.DATA_DIR) / "schemas" / "dcc"
    try:
        path = dcc_schema.fetch_schema(dest, url=args.url or dcc_schema.DCC_SCHEMA_URL)
    except dcc_schema.SchemaFetchError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"dest: cannot write {dest}: {exc.strerror or exc}") from None
    print(f"DCC schema saved: {path}")
    return 0


def _certificate(number):
    from caltrace.certificates.models import Certificate

    cert = Certificate.objects.filter(number=number).first()
    if cert is None:
        raise UsageError(f"number: no certificate numbered {number!r}")
    return cert


def cmd_certificate_list(args):
    from caltrace.certificates.models import Certificate

    rows = [{"number": c.number, "status": c.effective_status, "item": c.item_text, "issued_on": c.issued_on}
            for c in Certificate.objects.order_by("issued_at", "pk")]
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        print(f"{r['number']:<20} {r['status']:<10} {r['issued_on']:<10} {r['item']}")
    print(f"{len(rows)} certificates")
    return 0


def _copy_out(source, output):
    import shutil

    try:
        shutil.copyfile(source, output)
    except FileNotFoundError:
        raise UsageError(f"the stored file {source} is missing") from None
    except OSError as exc:
        raise UsageError(f"output: cannot write {output}: {exc.strerror or exc}") from None
    print(f"wrote {output}")
    return 0


def cmd_certificate_pdf(args):
    return _copy_out(_certificate(args.number).pdf_path, args.output)


def cmd_certificate_dcc(args):
    return _copy_out(_certificate(args.number).dcc_path, args.output)


def cmd_certificate_verify(args):
    import hashlib
    from pathlib import Path

    from caltrace.certificates.models import Certificate
    from caltrace.certificates.signing import verify_pdf

    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"file: no such file {args.file!r}")
    data = path.read_bytes()
    result = verify_pdf(data)
    cert = Certificate.objects.filter(sha256=hashlib.sha256(data).hexdigest()).first()
    if result.intact and cert is not None:
        print(f"OK {cert.number} {cert.effective_status}: the signature is intact and the file is the one issued")
        return 0
    reasons = list(result.problems)
    if cert is None:
        reasons.append(f"the file's SHA-256 {result.sha256} matches no issued certificate")
    print("NOT VERIFIED: " + "; ".join(reasons))
    return 1


def cmd_manage(args):
    from django.core.management import execute_from_command_line

    execute_from_command_line(["caltrace manage", *args.rest])
    return 0


# ---------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="caltrace", description="caltrace: calibration laboratory management (计量校准机构管理系统)")
    p.add_argument("--actor", help="user name to record as the actor of writes (default: system:cli)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    def serve_args(sp):
        sp.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        sp.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        sp.add_argument("--threads", type=int, default=8, help="web server threads (default 8)")
        sp.add_argument("--no-worker", action="store_true",
                        help="don't run background tasks in this process (run 'caltrace worker' instead)")

    sp = sub.add_parser("init-demo", help="seed the demo lab into the configured database (idempotent)")
    sp.set_defaults(func=cmd_init_demo)
    sp = sub.add_parser("serve", help="serve the web UI and API")
    serve_args(sp)
    sp.set_defaults(func=cmd_serve)
    sp = sub.add_parser("demo", help="seed the demo lab, then serve it")
    serve_args(sp)
    sp.set_defaults(func=cmd_demo)
    sp = sub.add_parser("migrate", help="create or update the database tables")
    sp.set_defaults(func=cmd_migrate)

    audit = sub.add_parser("audit", help="the audit ledger").add_subparsers(dest="audit_cmd", metavar="ACTION",
                                                                          parser_class=_Parser)
    audit.required = True
    sp = audit.add_parser("verify", help="recompute the hash chain and compare every live row with the ledger")
    sp.add_argument("--chain-only", action="store_true", help="check the hash chain only, not the live rows")
    sp.add_argument("--all", action="store_true", help="list every problem, not just the first")
    sp.add_argument("--progress", action="store_true", help="print progress to stderr")
    sp.set_defaults(func=cmd_audit_verify)
    sp = audit.add_parser("checkpoint", help="sign and store the ledger head with the lab key")
    sp.add_argument("--format", choices=["text", "json"], default="text")
    sp.add_argument("--cert", metavar="FILE", help="also write the lab certificate (PEM) to FILE")
    sp.set_defaults(func=cmd_audit_checkpoint)

    rules = sub.add_parser("rules", help="the rule registry").add_subparsers(dest="rules_cmd", metavar="ACTION",
                                                                           parser_class=_Parser)
    rules.required = True
    sp = rules.add_parser("list", help="list every registered rule")
    sp.add_argument("--format", choices=["text", "json"], default="text")
    sp.set_defaults(func=cmd_rules_list)

    token = sub.add_parser("token", help="API tokens for machines").add_subparsers(
        dest="token_cmd", metavar="ACTION", parser_class=_Parser)
    token.required = True
    sp = token.add_parser("create", help="make a token for USERNAME and print it once")
    sp.add_argument("username")
    sp.add_argument("--name", default="cli", help="what the token is for")
    sp.set_defaults(func=cmd_token_create)

    sp = sub.add_parser("import", help="check a CSV or Excel file against a list, and import it with --commit")
    sp.add_argument("list", help="which list (e.g. equipment, customers)")
    sp.add_argument("file", help="a .csv or .xlsx file")
    sp.add_argument("--commit", action="store_true", help="import when every row is clean (default: dry run)")
    sp.set_defaults(func=cmd_import)
    sp = sub.add_parser("export", help="write a list as CSV or Excel, in the import's columns")
    sp.add_argument("list", help="which list (e.g. equipment, customers)")
    sp.add_argument("-o", "--output", required=True, help="file to write (.csv or .xlsx)")
    sp.add_argument("--format", choices=["csv", "xlsx"], help="default: from the file name")
    sp.add_argument("--language", choices=["zh", "en"], default="zh", help="column headers' language")
    sp.set_defaults(func=cmd_export)

    dcc = sub.add_parser("dcc", help="Digital Calibration Certificates (DCC, PTB schema)").add_subparsers(
        dest="dcc_cmd", metavar="ACTION", parser_class=_Parser)
    dcc.required = True
    sp = dcc.add_parser("fetch-schema", help="download PTB's DCC 3.3.0 schema and its imports, for validation")
    sp.add_argument("--dest", metavar="DIR", help="where to save it (default: the data dir's schemas/dcc/)")
    sp.add_argument("--url", help=argparse.SUPPRESS)  # tests point it at loopback
    sp.set_defaults(func=cmd_dcc_fetch_schema)

    cert = sub.add_parser("certificate", help="issued calibration certificates").add_subparsers(
        dest="certificate_cmd", metavar="ACTION", parser_class=_Parser)
    cert.required = True
    sp = cert.add_parser("list", help="list issued certificates (number, status, item, issue date)")
    sp.add_argument("--format", choices=["text", "json"], default="text")
    sp.set_defaults(func=cmd_certificate_list)
    sp = cert.add_parser("pdf", help="write the signed PDF of certificate NUMBER")
    sp.add_argument("number", metavar="NUMBER")
    sp.add_argument("-o", "--output", metavar="FILE", required=True)
    sp.set_defaults(func=cmd_certificate_pdf)
    sp = cert.add_parser("dcc", help="write the DCC (XML) of certificate NUMBER")
    sp.add_argument("number", metavar="NUMBER")
    sp.add_argument("-o", "--output", metavar="FILE", required=True)
    sp.set_defaults(func=cmd_certificate_dcc)
    sp = cert.add_parser("verify", help="check that FILE is an issued certificate, signed and unchanged")
    sp.add_argument("file", metavar="FILE")
    sp.set_defaults(func=cmd_certificate_verify)

    sp = sub.add_parser("worker", help="run background and periodic tasks (reminders, checkpoints)")
    sp.add_argument("--workers", type=int, default=2, help="worker threads (default 2)")
    sp.set_defaults(func=cmd_worker)

    sp = sub.add_parser("manage", help="run a Django management command", add_help=False)
    sp.add_argument("rest", nargs=argparse.REMAINDER)
    sp.set_defaults(func=cmd_manage)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup()
    from caltrace.core import audit

    actor = f"user:{args.actor}" if args.actor else "system:cli"
    try:
        with audit.audit_context(actor=actor):
            return args.func(args) or 0
    except UsageError as exc:
        print(f"caltrace: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
