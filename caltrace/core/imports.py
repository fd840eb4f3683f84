"""Bringing lab data in from spreadsheets, and taking it out again (导入导出).

Each app declares an :class:`ImportSpec` per list in its ``imports.py`` and registers it with
:func:`register`. :func:`run_import` reads a CSV or Excel file, parses every cell, then runs the
spec's service for every row inside one transaction, each row in a savepoint, so that every bad
row is reported (row number as the spreadsheet shows it, column, reason). A dry run always rolls
back; a real import rolls back too unless every row was clean: nothing is imported until the
file is clean. :func:`export_rows` writes the same columns, so an export imports again.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import audit


@dataclass(frozen=True)
class Column:
    key: str  # name of the parsed value handed to the service
    header_zh: str
    header_en: str
    parse: Callable[[str], Any] = str  # raises ValueError/ValidationError with a readable reason
    required: bool = True
    export: Callable[[Any], Any] | None = None  # object -> cell value; default getattr(obj, key)
    fields: tuple[str, ...] = ()  # model fields whose validation errors belong to this column

    def headers(self) -> set[str]:
        return {self.key.lower(), self.header_zh.lower(), self.header_en.lower()}


@dataclass(frozen=True)
class ImportSpec:
    name: str
    title_zh: str
    title_en: str
    columns: tuple[Column, ...]
    create: Callable[[dict], Any]  # one clean row -> the saved object (through a service)
    queryset: Callable[[], Any] | None = None  # for export
    roles: tuple[str, ...] = ("lab_manager",)  # who may import (and export) this list in the UI


@dataclass(frozen=True)
class RowError:
    row: int  # as numbered in the spreadsheet (the header is row 1)
    column: str  # the column header, or "" for the whole row
    reason: str

    def __str__(self):
        where = f"{self.row}" + (f", {self.column}" if self.column else "")
        return f"[{where}] {self.reason}"


@dataclass
class ImportReport:
    spec: str
    rows: int = 0
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, encoding, header)."""


_specs: dict[str, ImportSpec] = {}


def register(spec: ImportSpec) -> ImportSpec:
    _specs[spec.name] = spec
    return spec


def specs() -> dict[str, ImportSpec]:
    from django.apps import apps
    from django.utils.module_loading import module_has_submodule

    for cfg in apps.get_app_configs():
        if cfg.name.startswith("caltrace.") and module_has_submodule(cfg.module, "imports"):
            importlib.import_module(f"{cfg.name}.imports")
    return dict(sorted(_specs.items()))


# ---------------------------------------------------------------------------------------------
# Cell parsers shared by the specs


def parse_date(text: str) -> dt.date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValueError(_("日期格式应为 YYYY-MM-DD（收到“%(text)s”）") % {"text": text})


def parse_decimal(text: str) -> Decimal:
    try:
        return Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(_("应为数字（收到“%(text)s”）") % {"text": text}) from None


def parse_bool(text: str) -> bool:
    t = text.strip().lower()
    if t in {"1", "true", "yes", "y", "是", "√", "x"}:
        return True
    if t in {"0", "false", "no", "n", "否", ""}:
        return False
    raise ValueError(_("应为“是”或“否”（收到“%(text)s”）") % {"text": text})


def parse_choice(choices) -> Callable[[str], str]:
    """A parser accepting a choice's code or its label (either language)."""

    def parse(text: str) -> str:
        t = text.strip()
        for value, label in choices.choices:
            if t.lower() in {str(value).lower(), str(label).lower()}:
                return value
        allowed = "、".join(str(label) for _v, label in choices.choices)
        raise ValueError(_("不是有效选项“%(text)s”，可选：%(allowed)s") % {"text": t, "allowed": allowed})

    return parse


def parse_lookup(queryset_fn: Callable[[], Any], field_name: str, label) -> Callable[[str], Any]:
    """A parser that finds an object by a natural key (e.g. an asset number). ``label`` names what
    is looked up, as a lazy translation (``gettext_lazy("设备")``) so that English errors read English."""

    def parse(text: str):
        try:
            return queryset_fn().get(**{field_name: text.strip()})
        except ObjectDoesNotExist:
            raise ValueError(_("找不到%(what)s“%(text)s”") % {"what": label, "text": text.strip()}) from None

    return parse


# ---------------------------------------------------------------------------------------------
# Reading


def read_table(data: bytes, filename: str) -> list[list[str]]:
    """Rows of cell texts from CSV (UTF-8, with or without BOM, or GB18030) or Excel (.xlsx)."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        import openpyxl

        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:
            raise ImportFileError(_("无法读取 Excel 文件：%(err)s") % {"err": exc}) from None
        ws = wb.worksheets[0]
        rows = [[_cell_text(c) for c in row] for row in ws.iter_rows(values_only=True)]
        wb.close()
        return rows
    if name.endswith(".csv") or name.endswith(".txt"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportFileError(_("CSV 文件编码无法识别（应为 UTF-8 或 GB18030）"))
        return [row for row in csv.reader(io.StringIO(text))]
    raise ImportFileError(_("只支持 .csv 和 .xlsx 文件"))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _map_header(spec: ImportSpec, header: list[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for pos, text in enumerate(header):
        t = (text or "").strip().lower()
        for col in spec.columns:
            if t and t in col.headers():
                index[col.key] = pos
    missing = [c.header_zh for c in spec.columns if c.required and c.key not in index]
    if missing:
        raise ImportFileError(_("缺少必需的列：%(cols)s") % {"cols": "、".join(missing)})
    return index


def run_import(spec: ImportSpec, data: bytes, filename: str, *, dry_run: bool = True,
               progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Check (and, when not a dry run and every row is clean, import) a file. Never half-imports."""
    table = [row for row in read_table(data, filename)]
    if not table:
        raise ImportFileError(_("文件是空的"))
    index = _map_header(spec, table[0])
    report = ImportReport(spec=spec.name, dry_run=dry_run)
    by_field = {f: c for c in spec.columns for f in (c.fields or (c.key,))}

    class _Rollback(Exception):
        pass

    try:
        with transaction.atomic(), audit.audit_context(reason=f"import {spec.name}"):
            body = table[1:]
            for offset, cells in enumerate(body):
                rownum = offset + 2
                if not any((c or "").strip() for c in cells):
                    continue
                report.rows += 1
                values, row_errors = {}, []
                for col in spec.columns:
                    pos = index.get(col.key)
                    text = (cells[pos] if pos is not None and pos < len(cells) else "") or ""
                    text = text.strip()
                    if not text:
                        if col.required:
                            row_errors.append(RowError(rownum, col.header_zh, _("不能为空")))
                        values[col.key] = None
                        continue
                    try:
                        values[col.key] = col.parse(text)
                    except (ValueError, ValidationError) as exc:
                        row_errors.append(RowError(rownum, col.header_zh, _reason(exc)))
                if not row_errors:
                    try:
                        with transaction.atomic():
                            spec.create(values)
                        report.imported += 1
                    except ValidationError as exc:
                        row_errors.extend(_validation_errors(exc, rownum, by_field))
                    except Exception as exc:  # a service refusal (e.g. a RuleViolation) is a row error too
                        row_errors.append(RowError(rownum, "", str(exc)))
                report.errors.extend(row_errors)
                if progress:
                    progress(offset + 1, len(body))
            if dry_run or report.errors:
                raise _Rollback
    except _Rollback:
        if not dry_run:
            report.imported = 0
    if dry_run:
        report.imported = 0
    return report


def _reason(exc) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(str(m) for m in exc.messages)
    return str(exc)


def _validation_errors(exc: ValidationError, rownum: int, by_field: dict[str, Column]) -> list[RowError]:
    if not hasattr(exc, "error_dict"):
        return [RowError(rownum, "", _reason(exc))]
    out = []
    for fname, errs in exc.error_dict.items():
        col = by_field.get(fname)
        header = col.header_zh if col else ("" if fname == "__all__" else fname)
        out.append(RowError(rownum, header, "；".join(m for e in errs for m in e.messages)))
    return out


# ---------------------------------------------------------------------------------------------
# Writing


def export_rows(spec: ImportSpec, *, fmt: str = "csv", queryset=None, language: str = "zh") -> bytes:
    """The spec's list as CSV (UTF-8 with BOM, for Excel) or .xlsx, with the import's headers."""
    qs = queryset if queryset is not None else spec.queryset()
    header = [c.header_en if language.startswith("en") else c.header_zh for c in spec.columns]

    def cell(col, obj):
        value = col.export(obj) if col.export else getattr(obj, col.key, "")
        if value is None:
            return ""
        if isinstance(value, bool):
            return "是" if value else "否"
        return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)

    rows = ([cell(c, obj) for c in spec.columns] for obj in qs.iterator(chunk_size=2000))
    if fmt == "xlsx":
        import openpyxl

        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet(spec.title_zh[:31])
        ws.append(header)
        for row in rows:
            ws.append(row)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    if fmt != "csv":
        raise ValueError(f"unknown export format {fmt!r}")
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")
