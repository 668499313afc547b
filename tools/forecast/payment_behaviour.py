"""Payment behaviour per partner, learned from Odoo's reconciliations.

For each kind (``receivable``: how customers pay us; ``payable``: how *we* pay each vendor) every
invoice/bill installment with a due date gives observations of *days late* (settlement date - due
date): one event per cash settlement (via payment or bank) weighted by its share of the installment,
censored observations for what is still open at the as-of date and for what was settled without
cash (credit notes, write-offs). Observations are weighted toward recent invoices (half-life
``HALF_LIFE_DAYS`` on the invoice date). :func:`tools.forecast.survival.fit` turns them into
partner locations (shrunk, with a shrunk trend) and hazards (shrunk).

:class:`Behaviour` also keeps per-partner evidence (median days late of the last invoices) for the
explanations, and the kind's :class:`~tools.forecast.timing.BankTiming`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from tools.forecast.survival import DelayModel, Observations, fit, timing_correlation
from tools.forecast.timing import BankTiming, learn_timing
from tools.odoo.records import Installment, Snapshot

HALF_LIFE_DAYS = 270.0
DOCUMENT_TYPES = ("out_invoice", "in_invoice", "out_receipt", "in_receipt")
REFUND_TYPES = ("out_refund", "in_refund")


def recency(invoice_date: dt.date | None, as_of: dt.date) -> float:
    if invoice_date is None:
        return 0.5
    return float(0.5 ** (max((as_of - invoice_date).days, 0) / HALF_LIFE_DAYS))


def reference_due(inst: Installment) -> dt.date | None:
    return inst.due_date or inst.invoice_date


@dataclass(frozen=True)
class PartnerEvidence:
    """What we saw of one partner: paid installments and the recent median delay."""

    name: str
    paid: int
    recent: int
    recent_median_late: float
    open_count: int


@dataclass
class Behaviour:
    """Payment behaviour of one kind: the delay model, partner index, timing and evidence."""

    kind: str
    model: DelayModel
    index: dict[int, int]
    timing: BankTiming
    evidence: dict[int, PartnerEvidence] = field(default_factory=dict)
    n_paid: int = 0
    rho: float = 0.0
    """Intra-month correlation of payment timing (learned), used by the simulation's copula."""

    def group(self, partner_id: int | None) -> int:
        return self.index.get(partner_id, self.model.population) if partner_id is not None \
            else self.model.population

    def expected_delay(self, partner_id: int | None, when: float = 0.0) -> float:
        g = np.array([self.group(partner_id)])
        return float(self.model.location(g, np.array([when]))[0])


def _observations(items: list[Installment], as_of: dt.date, index: dict[int, int]) -> Observations:
    group, delay, event, weight, when, period = [], [], [], [], [], []
    pop = len(index)
    for inst in items:
        ref = reference_due(inst)
        if ref is None or abs(inst.amount) < 0.01:
            continue
        g = index.get(inst.partner_id, pop) if inst.partner_id is not None else pop
        w0 = recency(inst.invoice_date, as_of)
        t = ((inst.invoice_date or ref) - as_of).days / 365.25
        total = abs(inst.amount)
        used = 0.0
        for s in inst.settlements:
            if s.date > as_of:
                continue
            share = min(abs(s.amount) / total, 1.0 - used)
            if share <= 0:
                continue
            used += share
            group.append(g)
            delay.append((s.date - ref).days)
            event.append(s.is_cash)
            weight.append(share * w0)
            when.append(t)
            period.append(ref.year * 12 + ref.month)
        rest = 1.0 - used
        if rest > 0.005:
            group.append(g)
            delay.append((as_of - ref).days)
            event.append(False)
            weight.append(rest * w0)
            when.append(t)
            period.append(ref.year * 12 + ref.month)
    return Observations(np.array(group, dtype=np.int64), np.array(delay, dtype=float), np.array(event, dtype=bool),
                        np.array(weight, dtype=float), np.array(when, dtype=float), pop + 1,
                        np.array(period, dtype=np.int64))


def _evidence(items: list[Installment], as_of: dt.date, last: int = 6) -> dict[int, PartnerEvidence]:
    per: dict[int, list[tuple[dt.date, float]]] = {}
    names: dict[int, str] = {}
    open_count: dict[int, int] = {}
    for inst in items:
        if inst.partner_id is None:
            continue
        names[inst.partner_id] = inst.partner_name
        if inst.is_open:
            open_count[inst.partner_id] = open_count.get(inst.partner_id, 0) + 1
        ref = reference_due(inst)
        cash = [s for s in inst.settlements if s.is_cash and s.date <= as_of]
        if ref is None or not cash or abs(inst.residual) >= 0.005:
            continue
        paid_on = max(cash, key=lambda s: abs(s.amount)).date
        per.setdefault(inst.partner_id, []).append((inst.invoice_date or ref, float((paid_on - ref).days)))
    result = {}
    for pid, name in names.items():
        rows = sorted(per.get(pid, []))
        recent = [d for _, d in rows[-last:]]
        result[pid] = PartnerEvidence(name, len(rows), len(recent), float(np.median(recent)) if recent else 0.0,
                                      open_count.get(pid, 0))
    return result


def learn_behaviour(snapshot: Snapshot, as_of: dt.date, kind: str, *,
                    installments: list[Installment] | None = None) -> Behaviour:
    """Fit the payment behaviour of ``kind`` from every invoice/bill installment known at ``as_of``."""
    pool = installments if installments is not None else snapshot.installments
    items = [i for i in pool if i.kind == kind and i.move_type in DOCUMENT_TYPES
             and (i.invoice_date or i.due_date or as_of) <= as_of]
    partners = sorted({i.partner_id for i in items if i.partner_id is not None})
    index = {pid: k for k, pid in enumerate(partners)}
    obs = _observations(items, as_of, index)
    model = fit(obs)
    timing = learn_timing(snapshot, items, as_of, kind)
    evidence = _evidence(items, as_of)
    n_paid = sum(e.paid for e in evidence.values())
    return Behaviour(kind, model, index, timing, evidence, n_paid, timing_correlation(model, obs))


@dataclass(frozen=True)
class RefundHabits:
    """How credit notes of one kind got settled: share refunded in cash, and how fast."""

    cash_share: float
    cash_days_median: float
    n: int


def learn_refunds(installments: list[Installment], as_of: dt.date, kind: str) -> RefundHabits:
    cash = offset = 0.0
    days: list[float] = []
    n = 0
    for inst in installments:
        if inst.kind != kind or inst.move_type not in REFUND_TYPES or inst.invoice_date is None:
            continue
        settled = [s for s in inst.settlements if s.date <= as_of]
        if not settled:
            continue
        n += 1
        w = recency(inst.invoice_date, as_of)
        for s in settled:
            if s.is_cash:
                cash += abs(s.amount) * w
                days.append(float((s.date - inst.invoice_date).days))
            else:
                offset += abs(s.amount) * w
    share = cash / (cash + offset) if cash + offset > 0 else 0.5
    return RefundHabits(share, float(np.median(days)) if days else 14.0, n)
