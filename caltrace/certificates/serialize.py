"""The certificate document as plain JSON (证书内容序列化), to store it as issued.

:func:`to_dict` turns a :class:`~caltrace.certificates.document.CertificateDocument` into JSON-ready
values (Decimals as strings, dates as ISO text, tuples as lists); :func:`from_dict` gives back an
equal document.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from decimal import Decimal

from . import document as d

_NESTED = {
    "laboratory": d.Party, "customer": d.Party, "item": d.ItemDescription, "conformity": d.ConformityStatement,
    "amendment": d.Amendment,
}
_LISTS = {"methods": d.MethodRef, "results": d.ResultRow, "conditions": d.Condition, "equipment": d.EquipmentUsed,
          "remarks": str}


def _plain(value):
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def to_dict(doc: d.CertificateDocument) -> dict:
    return _plain(doc)


def _typed(cls, data: dict):
    hints = typing.get_type_hints(cls, vars(d))
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        value, hint = data[f.name], hints[f.name]
        if value is not None:
            args = set(typing.get_args(hint)) or {hint}
            if Decimal in args:
                value = Decimal(value)
            elif dt.date in args:
                value = dt.date.fromisoformat(value)
        kwargs[f.name] = value
    return cls(**kwargs)


def from_dict(data: dict) -> d.CertificateDocument:
    data = dict(data)
    for name, cls in _NESTED.items():
        if data.get(name) is not None:
            data[name] = _typed(cls, data[name])
    for name, cls in _LISTS.items():
        if name in data:
            data[name] = tuple(v if cls is str else _typed(cls, v) for v in data[name])
    return _typed(d.CertificateDocument, data)
