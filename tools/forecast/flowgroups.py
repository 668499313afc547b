"""Bank flows with no document: which lines, which group, and on which day of the month they land.

**Lines**: statement lines booked to another account (``matched == 'other'``) and unreconciled lines
that do not look like a document's payment (no partner with open or past invoices, no document
number in the label).

**Groups**: one per counterpart account (``620000 Salaries and Wages``, ``630000 Rent``...).
Unreconciled lines join the group whose labels share most words with theirs (Jaccard >= 0.5), else
``Other inflows`` / ``Other outflows``. Accounts seen fewer than ``MIN_LINES`` times also go to
``Other``.

**Calendar profile** (:class:`Profile`): where in the month a group's flows land, learned from its
lines: a line in the last three business days of its month is *end-anchored* (k-th business day
before month end, e.g. payroll on the last business day); otherwise *start-anchored* on a nominal
day of the month (the most common day among the line's weekend-shift candidates: a Monday line may be
nominally on the Saturday/Sunday before, a Friday line on the weekend after) with a roll direction
learned from the lines that were moved (payroll on the 15th paid the Friday before when the 15th is a
Saturday; rent on the 1st paid the Monday after).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np

from tools.forecast.terms import next_business_day, prev_business_day
from tools.odoo.records import BankTransaction, Snapshot

MIN_LINES = 2
OTHER_IN, OTHER_OUT = "Other inflows", "Other outflows"
_WORD = re.compile(r"[a-z]{3,}")


def _words(label: str) -> set[str]:
    return set(_WORD.findall(label.lower()))


def _bdays_after(day: dt.date) -> int:
    """Business days after ``day`` until the end of its month."""
    last = calendar.monthrange(day.year, day.month)[1]
    return sum(1 for d in range(day.day + 1, last + 1) if dt.date(day.year, day.month, d).weekday() < 5)


@dataclass(frozen=True)
class Profile:
    """Weights of calendar slots: ('S', nominal day) or ('E', business days before month end)."""

    slots: tuple[tuple[str, int, float], ...]
    roll_back: bool

    def dates(self, year: int, month: int) -> list[tuple[dt.date, float]]:
        """Business dates of every slot in a month, with their weights (sum 1)."""
        last = calendar.monthrange(year, month)[1]
        out = []
        for anchor, value, weight in self.slots:
            if anchor == "E":
                day = prev_business_day(dt.date(year, month, last))
                for _ in range(value):
                    day = prev_business_day(day - dt.timedelta(days=1))
            else:
                day = dt.date(year, month, min(value, last))
                if day.weekday() >= 5:
                    day = prev_business_day(day) if self.roll_back else next_business_day(day)
            out.append((day, weight))
        return out


def learn_profile(lines: list[BankTransaction], as_of: dt.date) -> Profile:
    if not lines:
        return Profile((("S", 15, 1.0),), False)
    start_lines: list[tuple[dt.date, float]] = []
    end_w: dict[int, float] = defaultdict(float)
    for t in lines:
        w = abs(t.amount) * 0.5 ** ((as_of - t.date).days / 365.0) + 1e-9
        k = _bdays_after(t.date)
        if k <= 2:
            end_w[k] += w
        else:
            start_lines.append((t.date, w))
    votes: dict[int, float] = defaultdict(float)
    for day, w in start_lines:
        for c in _candidates(day):
            votes[c] += w
    slot_w: dict[int, float] = defaultdict(float)
    moved: Counter[str] = Counter()
    for day, w in start_lines:
        nominal = max(_candidates(day), key=lambda c: (votes[c], c == day.day))
        slot_w[nominal] += w
        if nominal != day.day:
            moved["back" if day.day < nominal else "forward"] += 1
    total = sum(slot_w.values()) + sum(end_w.values())
    slots = [("S", d, w / total) for d, w in sorted(slot_w.items())] + [("E", k, w / total)
                                                                      for k, w in sorted(end_w.items())]
    return Profile(tuple(slots), moved["back"] > moved["forward"])


def _candidates(day: dt.date) -> list[int]:
    last = calendar.monthrange(day.year, day.month)[1]
    out = [day.day]
    if day.weekday() == 0:
        out += [d for d in (day.day - 1, day.day - 2) if d >= 1]
    elif day.weekday() == 4:
        out += [d for d in (day.day + 1, day.day + 2) if d <= last]
    return out


def _looks_like_document(t: BankTransaction, doc_partners: set[int], doc_names: set[str]) -> bool:
    if t.partner_id is not None and t.partner_id in doc_partners:
        return True
    label = re.sub(r"[^A-Z0-9]", "", t.label.upper())
    return any(name in label for name in doc_names if len(name) >= 8)


def group_lines(snapshot: Snapshot, as_of: dt.date) -> dict[str, list[BankTransaction]]:
    """No-document bank lines up to ``as_of``, by flow group."""
    other = [t for t in snapshot.bank_transactions if t.matched == "other" and t.date <= as_of]
    counts = Counter(t.counterpart_account or "" for t in other)
    groups: dict[str, list[BankTransaction]] = defaultdict(list)
    for t in other:
        name = t.counterpart_account or ""
        if not name or counts[name] < MIN_LINES:
            name = OTHER_IN if t.amount > 0 else OTHER_OUT
        groups[name].append(t)
    unrec = [t for t in snapshot.bank_transactions if t.matched == "unreconciled" and t.date <= as_of]
    if unrec:
        doc_partners = {i.partner_id for i in snapshot.installments if i.partner_id is not None}
        doc_names = {re.sub(r"[^A-Z0-9]", "", i.document.name.upper()) for i in snapshot.installments}
        vocab = {name: {frozenset(_words(t.label)) for t in lines} for name, lines in groups.items()}
        for t in unrec:
            if _looks_like_document(t, doc_partners, doc_names):
                continue
            words = _words(t.label)
            best, score = "", 0.0
            for name, labels in vocab.items():
                sim = max((len(words & lw) / max(len(words | lw), 1) for lw in labels), default=0.0) if words else 0.0
                if sim > score and np.sign(groups[name][0].amount) == np.sign(t.amount):
                    best, score = name, sim
            groups[best if score >= 0.5 else (OTHER_IN if t.amount > 0 else OTHER_OUT)].append(t)
    return dict(groups)
