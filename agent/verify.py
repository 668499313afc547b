"""The verifier: every number in an answer must appear in, or be derived from, the tool results."""

from __future__ import annotations

import itertools
import re

DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?\b")
REFERENCE = re.compile(r"\b[A-Za-z][\w.]*(?:/[\w.-]+)+|\b[A-Z]{1,6}\d{3,}\b|#\d+")
NUMBER = re.compile(r"(?<![\w.])(?P<sign>[-−+])?\$?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
                    r"(?P<suffix>\s?%|\s?[kKmM](?![A-Za-z]))?")
SMALL = 10
YEAR = re.compile(r"(19|20)\d\d")


def _clean(text: str) -> str:
    return REFERENCE.sub(" ", DATE.sub(" ", text))


def numbers(text: str) -> list[tuple[str, float, str]]:
    """(as written, value, suffix) of each number in ``text`` (dates and record names excluded)."""
    found = []
    for m in NUMBER.finditer(_clean(text)):
        value = float(m.group("num").replace(",", ""))
        if m.group("sign") in ("-", "−"):
            value = -value
        suffix = (m.group("suffix") or "").strip().lower()
        found.append((m.group(0).strip(), value, suffix))
    return found


def _candidates(sources: list[str]) -> list[float]:
    values = {v for text in sources for _, v, _ in numbers(text)}
    base = sorted({abs(v) for v in values})
    pool = set(base)
    big = [v for v in base if v >= 100][:150]
    for a, b in itertools.combinations(big, 2):
        pool.add(a + b)
        pool.add(abs(a - b))
    return sorted(pool)


def _tolerance(written: str, candidate: float) -> float:
    """How far a number may be from ``candidate`` given the precision it is written with: '235,530.48' within a
    cent, '235,530' within 0.5, '235,500' within 50 (rounded to hundreds) but never more than 1%."""
    digits = re.sub(r"[^\d.]", "", written)
    whole, _, decimals = digits.partition(".")
    if decimals:
        return max(0.5 * 10.0 ** -len(decimals), 0.011)
    zeros = len(whole) - len(whole.rstrip("0"))
    return min(0.5 * 10.0 ** zeros, max(0.5, 0.01 * candidate))


def _matches(written: str, value: float, suffix: str, candidates: list[float]) -> bool:
    v = abs(value)
    if suffix == "%":
        return any(abs(v - c * 100) <= 0.51 or abs(v - c) <= 0.51 for c in candidates)
    if suffix in ("k", "m"):
        scale = 1_000 if suffix == "k" else 1_000_000
        return any(c and abs(v * scale - c) <= 0.05 * c for c in candidates)
    return any(abs(v - c) <= _tolerance(written, c) + 1e-9 for c in candidates)


def unsupported_numbers(answer: str, sources: list[str]) -> list[str]:
    """Numbers of ``answer`` that no tool result (or the question) supports."""
    candidates = _candidates(sources)
    bad = []
    for written, value, suffix in numbers(answer):
        if suffix == "" and value == int(value) and abs(value) < SMALL:
            continue  # small counts ("3 invoices", "2 weeks") are not worth a revision
        if YEAR.fullmatch(written):
            continue  # "in December 2026": a year, not an amount (amounts carry separators)
        if not _matches(written, value, suffix, candidates):
            bad.append(written)
    return bad
