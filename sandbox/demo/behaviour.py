"""How customers pay their invoices and how the company pays its vendors.

Each function turns one installment (due date, amount) into the dates and shares it is paid in,
following the partner's hidden profile. Dates always land on business days.
"""

from __future__ import annotations

import datetime as dt
import random

from sandbox.demo.dates import days, next_business_day, on_or_after_weekday
from sandbox.demo.partners import Customer, Vendor

THURSDAY = 3


def customer_delay(rng: random.Random, cust: Customer, due: dt.date, start: dt.date, as_of: dt.date) -> float:
    """Days between the due date and the payment (negative: early) for one installment."""
    kind = cust.archetype
    if kind == "punctual":
        return max(-2.0, min(2.0, rng.gauss(0, 1.1)))
    if kind == "late":
        return cust.late_k + rng.gauss(0, 3)
    if kind == "erratic":
        delay = rng.lognormvariate(2.4, 0.95) - 9
        if rng.random() < 0.06:
            delay += rng.uniform(45, 110)
        return delay
    if kind == "deteriorating":
        months = (due - start).days / 30.4
        recent = max(0.0, (due - (as_of - days(183))).days / 30.4)
        return 1 + cust.slope * months + 3.2 * recent + rng.gauss(0, 3)
    if kind == "early":
        return -rng.uniform(3, 10)
    if kind == "seasonal":
        extra = rng.uniform(15, 30) if due.month in (12, 1, 8) else 0.0
        return rng.gauss(1, 2.5) + extra
    return rng.gauss(2, 4)


def customer_plan(rng: random.Random, cust: Customer, invoice_date: dt.date, due: dt.date, start: dt.date,
                  as_of: dt.date) -> list[tuple[dt.date, float]]:
    """(payment date, share of the installment) pairs; the last share settles the rest."""
    if cust.archetype == "partial":
        parts = rng.choice((2, 2, 3))
        shares = [rng.uniform(0.25, 0.6) for _ in range(parts - 1)]
        total = sum(shares)
        if total > 0.85:
            shares = [s * 0.85 / total for s in shares]
        shares.append(1.0 - sum(shares))
        when = due + days(round(rng.uniform(-3, 6)))
        plan = []
        for share in shares:
            plan.append((max(next_business_day(when), next_business_day(invoice_date + days(1))), share))
            when += days(rng.randint(9, 24))
        return plan
    delay = customer_delay(rng, cust, due, start, as_of)
    when = due + days(round(delay))
    return [(max(next_business_day(when), next_business_day(invoice_date + days(1))), 1.0)]


def vendor_payment_date(rng: random.Random, vendor: Vendor, bill_date: dt.date, due: dt.date) -> dt.date:
    """When the company pays a vendor bill: weekly Thursday run, early, late, or direct debit."""
    if vendor.habit == "direct":
        return next_business_day(due)
    if vendor.habit == "early":
        target = bill_date + days(rng.randint(4, 9))
    elif vendor.habit == "late":
        target = due + days(rng.randint(8, 35))
    else:
        target = due
    return next_business_day(on_or_after_weekday(max(target, bill_date), THURSDAY))


def bank_delay(rng: random.Random) -> int:
    """Business days between a registered payment and its bank statement line."""
    return rng.choices((0, 1, 2), weights=(50, 35, 15))[0]
