"""Payment-term due dates follow Odoo 17's rules."""

from __future__ import annotations

import datetime as dt

import pytest

from tools.forecast.terms import due_date, split_by_term, term_offsets
from tools.odoo.records import PaymentTerm, PaymentTermLine

D = dt.date


def line(nb_days: int, delay_type: str = "days_after", value: str = "percent", amount: float = 100.0,
         days_next_month: int | None = None) -> PaymentTermLine:
    return PaymentTermLine(value=value, value_amount=amount, nb_days=nb_days, delay_type=delay_type,  # type: ignore[arg-type]
                           days_next_month=days_next_month)


@pytest.mark.parametrize(("term_line", "invoice", "expected"), [
    (line(30), D(2026, 1, 15), D(2026, 2, 14)),
    (line(0), D(2026, 1, 15), D(2026, 1, 15)),
    (line(10, "days_after_end_of_month"), D(2026, 1, 15), D(2026, 2, 10)),
    (line(0, "days_after_end_of_month"), D(2026, 2, 3), D(2026, 2, 28)),
    (line(0, "days_after_end_of_next_month"), D(2026, 1, 31), D(2026, 2, 28)),
    (line(0, "days_after_end_of_next_month"), D(2026, 1, 15), D(2026, 2, 28)),
    (line(5, "days_after_end_of_next_month"), D(2026, 12, 20), D(2027, 2, 5)),
    (line(0, "days_end_of_month_on_the", days_next_month=10), D(2026, 1, 15), D(2026, 2, 10)),
    (line(30, "days_end_of_month_on_the", days_next_month=31), D(2026, 1, 1), D(2026, 2, 28)),
    (line(0, "days_end_of_month_on_the", days_next_month=None), D(2026, 1, 15), D(2026, 1, 31)),
])
def test_due_dates_match_odoo(term_line: PaymentTermLine, invoice: dt.date, expected: dt.date) -> None:
    assert due_date(term_line, invoice) == expected


def test_split_percent_and_balance_lines() -> None:
    term = PaymentTerm(id=1, name="30% now, rest end of following month",
                       lines=[line(0, amount=30.0), line(0, "days_after_end_of_next_month", amount=70.0)])
    parts = split_by_term(term, D(2026, 3, 10), 1000.01)
    assert parts == [(D(2026, 3, 10), 300.0), (D(2026, 4, 30), 700.01)]
    assert sum(a for _, a in parts) == pytest.approx(1000.01)


def test_split_fixed_line_and_negative_amounts() -> None:
    term = PaymentTerm(id=2, name="100 now, balance in 30 days",
                       lines=[line(0, value="fixed", amount=100.0), line(30, value="balance", amount=100.0)])
    assert split_by_term(term, D(2026, 3, 10), -1000.0) == [(D(2026, 3, 10), -100.0), (D(2026, 4, 9), -900.0)]


def test_no_term_means_due_on_invoice_date() -> None:
    assert split_by_term(None, D(2026, 3, 10), 50.0) == [(D(2026, 3, 10), 50.0)]
    assert term_offsets(None, D(2026, 3, 10)) == [(0, 1.0)]
