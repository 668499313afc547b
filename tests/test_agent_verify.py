"""The number verifier: every number of an answer must come from a tool result (rounded, as a percentage, or as the
sum or difference of two of them); dates, record names, years and small counts are not amounts."""

from __future__ import annotations

import json

import pytest

from agent.verify import numbers, unsupported_numbers

TOOL = json.dumps({"bank_balance": 235530.48, "journals": [{"balance": 88199.87}, {"balance": 147330.61}],
                   "max_probability_below_threshold": 0.97, "overdue_days": 45, "lowest": -291065.96,
                   "threshold": 50000.0})


def test_numbers_are_read_with_separators_signs_and_suffixes() -> None:
    assert numbers("Balance 235,530.48 USD, low -291,065.96, risk 97%, about 236k, $1.2m") == [
        ("235,530.48", 235530.48, ""), ("-291,065.96", -291065.96, ""), ("97%", 97.0, "%"), ("236k", 236.0, "k"),
        ("$1.2m", 1.2, "m")]


def test_dates_and_record_names_are_not_numbers() -> None:
    assert numbers("INV/2026/00042 and P00013 (account.move/3832, #42) are due 2026-12-01 12:00") == []


@pytest.mark.parametrize("answer", [
    "The bank holds 235,530.48 USD.",
    "The bank holds about 235,530 USD, roughly 235,500 or 236,000.",  # rounded, precision as written
    "Bank 88,199.87 and savings 147,330.61.",
    "The difference between savings and bank is 59,130.74.",  # |a - b| of two tool numbers
    "Together 235,530.48 (88,199.87 + 147,330.61).",
    "The risk peaks at 97%.",
    "About 236k in the bank, 0.24m in round figures.",
    "The lowest point is -291,065.96, i.e. 291,065.96 below zero.",
    "It is 45 days overdue.",
    "Check it in 2 weeks; 3 invoices are late.",  # small counts
    "By December 2026 the threshold of 50,000.00 is at risk.",  # a year is not an amount
    "Below 75,000? See INV/2026/00042.",  # the question's own number
])
def test_numbers_from_the_tools_or_the_question_are_supported(answer: str) -> None:
    assert unsupported_numbers(answer, ["Will we drop below 75,000?", TOOL]) == []


@pytest.mark.parametrize(("answer", "bad"), [
    ("The bank holds 1,234,567.00 USD.", ["1,234,567.00"]),
    ("The bank holds 235,530.52 USD.", ["235,530.52"]),  # a cent of rounding is fine, not more
    ("The bank holds 235,600.48 USD.", ["235,600.48"]),
    ("The bank holds 200,000 USD.", ["200,000"]),
    ("Risk is 12%.", ["12%"]),
    ("About 500k in the bank.", ["500k"]),
    ("We will receive 12,345 next week and 15 invoices.", ["12,345", "15"]),
])
def test_invented_numbers_are_reported(answer: str, bad: list[str]) -> None:
    assert unsupported_numbers(answer, [TOOL]) == bad
