"""Business days and payment-term due dates, computed the way Odoo 17 does.

``due_date(line, invoice_date)`` follows ``account.payment.term.line._get_due_date``:

* ``days_after``: invoice date + N days;
* ``days_after_end_of_month``: end of the invoice month + N days;
* ``days_after_end_of_next_month``: end of the following month + N days;
* ``days_end_of_month_on_the``: invoice date + N days, then day ``days_next_month`` of the following
  month (clamped to the month's length; 0/None = end of that month, as Odoo does for an empty value).

``split_by_term(term, invoice_date, amount)`` gives the installments (date, amount): percent lines take
their share (rounded to cents), fixed lines their amount (with the document's sign), a ``balance``
line (Odoo <= 16) the remainder; the last line absorbs rounding differences, like Odoo.
"""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np

from tools.odoo.records import PaymentTerm, PaymentTermLine

ONE_DAY = dt.timedelta(days=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: dt.date, months: int, on_day: int | None = None) -> dt.date:
    """``day`` + ``months`` (relativedelta semantics: clamped to the month's length), optionally on ``on_day``."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(on_day if on_day else day.day, last))


def due_date(line: PaymentTermLine, invoice_date: dt.date) -> dt.date:
    """The due date of one payment-term line for an invoice dated ``invoice_date`` (Odoo 17 rules)."""
    days = dt.timedelta(days=line.nb_days)
    if line.delay_type == "days_after_end_of_month":
        return month_end(invoice_date) + days
    if line.delay_type == "days_after_end_of_next_month":
        return month_end(add_months(invoice_date, 1, on_day=1)) + days
    if line.delay_type == "days_end_of_month_on_the":
        base = invoice_date + days
        if not line.days_next_month:
            return month_end(base)
        return add_months(base, 1, on_day=line.days_next_month)
    return invoice_date + days


def split_by_term(term: PaymentTerm | None, invoice_date: dt.date, amount: float) -> list[tuple[dt.date, float]]:
    """Installments (due date, signed amount) of a document of ``amount`` dated ``invoice_date``."""
    if term is None or not term.lines:
        return [(invoice_date, round(amount, 2))]
    sign = 1.0 if amount >= 0 else -1.0
    result: list[tuple[dt.date, float]] = []
    remaining = round(amount, 2)
    for i, line in enumerate(term.lines):
        last = i == len(term.lines) - 1
        if line.value == "fixed":
            part = round(sign * min(abs(line.value_amount), abs(remaining)), 2)
        elif line.value == "balance" or (last and line.value == "percent" and _percent_total(term) >= 99.99):
            part = remaining
        else:
            part = round(amount * line.value_amount / 100.0, 2)
        remaining = round(remaining - part, 2)
        result.append((due_date(line, invoice_date), part))
    if abs(remaining) >= 0.005:  # terms that do not add up to 100%: the remainder is due with the last line
        day, part = result[-1]
        result[-1] = (day, round(part + remaining, 2))
    return result


def _percent_total(term: PaymentTerm) -> float:
    return sum(line.value_amount for line in term.lines if line.value == "percent")


def term_offsets(term: PaymentTerm | None, invoice_date: dt.date) -> list[tuple[int, float]]:
    """(days from invoice date to due date, share of the amount) per installment; shares sum to 1."""
    parts = split_by_term(term, invoice_date, 10_000.0)
    return [((day - invoice_date).days, part / 10_000.0) for day, part in parts]


# -- business days on day ordinals (vectorised) ---------------------------------------------------

def weekday(ordinals: np.ndarray) -> np.ndarray:
    """Monday=0 .. Sunday=6 of ``date.toordinal()`` values."""
    return (ordinals - 1) % 7


def next_business_day(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += ONE_DAY
    return day


def prev_business_day(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= ONE_DAY
    return day


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Number of Monday–Friday days in (start, end]."""
    return int(np.busday_count(start + ONE_DAY, end + ONE_DAY)) if end > start else 0
