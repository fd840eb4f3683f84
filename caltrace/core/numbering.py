"""Numbering (编号): order numbers, item identifications, certificate numbers.

Each kind of number counts in its own :class:`~caltrace.core.models.Counter` row, one per key and
year ("order:2026"), incremented under a row lock so that two concurrent requests never get the
same number; a rolled-back transaction gives its number back (no gaps from failures).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Counter

# kind -> format; {year} and {n} are filled in
FORMATS = {
    "order": "WT{year}-{n:06d}",  # 委托单
    "item": "YP{year}-{n:06d}",  # 样品唯一标识
    "quote": "BJ{year}-{n:05d}",  # 报价单
    "certificate": "MH{year}-{field}-{n:05d}",  # 证书编号, per metrology field letter
}
FIELD_LETTERS = {"electrical": "E", "mechanical": "M", "thermal": "T", "length": "L", "chemical": "C",
                 "radio": "R", "optical": "O", "acoustic": "A", "time_frequency": "F", "ionizing": "I"}


def next_value(key: str) -> int:
    """The next integer of ``key`` (1, 2, …), counted under a row lock."""
    with transaction.atomic():
        counter = Counter.objects.select_for_update().filter(key=key).first()
        if counter is None:
            try:
                with transaction.atomic():
                    counter = Counter.objects.create(key=key, last=0)
            except IntegrityError:  # created by a concurrent request meanwhile
                counter = Counter.objects.select_for_update().get(key=key)
            counter = Counter.objects.select_for_update().get(pk=counter.pk)
        counter.last += 1
        counter.save(update_fields=["last", "updated_at"])
        return counter.last


def next_number(kind: str, *, on: dt.date | None = None, field: str = "") -> str:
    """The next number of ``kind`` ("order", "item", "quote", "certificate") in the year of ``on``."""
    year = (on or timezone.localdate()).year
    letter = FIELD_LETTERS.get(field, "X") if kind == "certificate" else ""
    key = f"{kind}:{year}" + (f":{letter}" if letter else "")
    return FORMATS[kind].format(year=year, n=next_value(key), field=letter)
