"""Room for every actor ("user:" + a 150-character username) and every primary key's text.

On SQLite, altering a column rebuilds the table and drops its triggers with the old one, so the
append-only triggers of 0002 are made again afterwards.

On PostgreSQL, TRUNCATE of an *empty* ledger is let through (nothing is lost), so that a test
database can be flushed once its ledger rows are gone; a ledger with entries still refuses it.
"""

import importlib

from django.db import migrations, models

_append_only = importlib.import_module("caltrace.core.migrations.0002_ledger_append_only")


PG_TRUNCATE_UP = [
    """CREATE OR REPLACE FUNCTION caltrace_ledger_no_truncate() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM core_auditentry) THEN
            RAISE EXCEPTION 'the audit ledger is append-only (% refused)', TG_OP;
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry",
    """CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry
       FOR EACH STATEMENT EXECUTE FUNCTION caltrace_ledger_no_truncate()""",
]
PG_TRUNCATE_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry",
    """CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry
       FOR EACH STATEMENT EXECUTE FUNCTION caltrace_ledger_append_only()""",
    "DROP FUNCTION IF EXISTS caltrace_ledger_no_truncate()",
]


def _run_pg(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql, params=None)

    return run


def _recreate_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in _append_only.SQLITE_DOWN + _append_only.SQLITE_UP:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_ledger_append_only"),
    ]

    operations = [
        # Undoing the alterations rebuilds the table again: make the triggers after that too.
        migrations.RunPython(migrations.RunPython.noop, _recreate_sqlite_triggers),
        migrations.AlterField(
            model_name="auditentry",
            name="actor",
            field=models.CharField(max_length=200, verbose_name="操作者"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="object_pk",
            field=models.CharField(max_length=255, verbose_name="主键"),
        ),
        migrations.RunPython(_recreate_sqlite_triggers, migrations.RunPython.noop),
        migrations.RunPython(_run_pg(PG_TRUNCATE_UP), _run_pg(PG_TRUNCATE_DOWN)),
    ]
