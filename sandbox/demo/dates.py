"""Date arithmetic of the demo company: business days, month ends, payment-term due dates.

Everything works on :class:`datetime.date`; Odoo's string forms are produced by :func:`iso`
and :func:`stamp`.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt

ONE_DAY = dt.timedelta(days=1)

SEASONALITY = {1: 0.86, 2: 0.9, 3: 1.0, 4: 0.98, 5: 1.0, 6: 0.96, 7: 0.9, 8: 0.72, 9: 1.05, 10: 1.15,
               11: 1.28, 12: 1.22}
"""Monthly demand factor of an office-supply business: Q4 peak, August dip."""


def iso(day: dt.date) -> str:
    """Odoo's date string."""
    return day.isoformat()


def stamp(day: dt.date, minutes: int = 9 * 60) -> str:
    """Odoo's UTC datetime string for ``minutes`` after midnight of ``day``."""
    minutes = max(0, min(minutes, 24 * 60 - 1))
    return f"{day.isoformat()} {minutes // 60:02d}:{minutes % 60:02d}:{(minutes * 7) % 60:02d}"


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5


def next_business_day(day: dt.date) -> dt.date:
    """``day`` itself if it is Monday–Friday, else the following Monday."""
    while day.weekday() >= 5:
        day += ONE_DAY
    return day


def prev_business_day(day: dt.date) -> dt.date:
    """``day`` itself if it is Monday–Friday, else the Friday before."""
    while day.weekday() >= 5:
        day -= ONE_DAY
    return day


def add_business_days(day: dt.date, n: int) -> dt.date:
    """The ``n``-th business day after ``day`` (``n`` >= 0; 0 means the next business day on or after)."""
    day = next_business_day(day)
    for _ in range(n):
        day = next_business_day(day + ONE_DAY)
    return day


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=_cal.monthrange(day.year, day.month)[1])


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, n: int) -> dt.date:
    """The same day ``n`` months later (clipped to the month's length)."""
    index = day.year * 12 + day.month - 1 + n
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


def month_key(day: dt.date) -> int:
    """A sortable month number (year * 12 + month - 1)."""
    return day.year * 12 + day.month - 1


def on_or_after_weekday(day: dt.date, weekday: int) -> dt.date:
    """The first date on or after ``day`` falling on ``weekday`` (Monday = 0)."""
    return day + days((weekday - day.weekday()) % 7)


def due_date(invoice_date: dt.date, nb_days: int, delay_type: str) -> dt.date:
    """Due date of one payment-term line, computed as Odoo 17 does."""
    if delay_type == "days_after_end_of_month":
        return month_end(invoice_date) + days(nb_days)
    if delay_type == "days_after_end_of_next_month":
        return month_end(add_months(month_start(invoice_date), 1)) + days(nb_days)
    return invoice_date + days(nb_days)


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1
