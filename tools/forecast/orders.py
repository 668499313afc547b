"""Open sale and purchase orders -> expected invoices -> expected cash.

**Order-to-invoice lag**: for every confirmed order known at the as-of date, the lag between its
reference date (commitment / planned date when set, else the order date) and each posted invoice
drawn from it, weighted by the invoiced share of the order (and recency); what is still to invoice
is censored at today. The same shrunk survival model as payment behaviour
(:mod:`tools.forecast.survival`) gives each partner a lag distribution, and the probability that an
order is never (fully) invoiced is what the hazards never reach.

**Open orders**: only the remainder (``amount_to_invoice``) counts. Its invoice date is drawn from
the partner's lag distribution conditional on not being invoiced yet; each possible invoice date is
split into installments by the payment term (order's, else partner's; Odoo 17 rules) and paid
according to the partner's payment behaviour. The expected invoicing per day is returned too, so the
new-business run-rate (:mod:`tools.forecast.pipeline`) does not count these invoices twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from tools.forecast.adjust import Adjustments
from tools.forecast.events import EventBlock, EventMeta
from tools.forecast.installments import new_invoice_pmf
from tools.forecast.payment_behaviour import Behaviour, recency
from tools.forecast.survival import DelayModel, Observations, fit
from tools.forecast.terms import term_offsets
from tools.forecast.timing import to_bank_days
from tools.forecast.types import EventSource
from tools.odoo.records import Order, Snapshot

POINTS = 12
"""Invoice-date distribution is summarised by this many equal-mass points before the term split."""


@dataclass
class OrderLag:
    kind: str
    model: DelayModel
    index: dict[int, int]
    n_orders: int
    invoiced_share: float
    median_lag: float

    def group(self, partner_id: int) -> int:
        return self.index.get(partner_id, self.model.population)


def reference_date(order: Order, adj: Adjustments | None = None) -> dt.date:
    if adj is not None and order.ref.id in adj.order_dates:
        return adj.order_dates[order.ref.id]
    return order.expected_date or order.confirmed_on or order.date_order


def confirmed(order: Order) -> dt.date:
    return order.confirmed_on or order.date_order


def learn_order_lag(snapshot: Snapshot, as_of: dt.date, kind: str) -> OrderLag:
    orders = [o for o in snapshot.orders if o.kind == kind and o.state != "cancel" and confirmed(o) <= as_of
              and abs(o.amount_total) >= 0.01]
    partners = sorted({o.partner_id for o in orders})
    index = {p: i for i, p in enumerate(partners)}
    group, delay, event, weight, when = [], [], [], [], []
    lags, shares = [], []
    for o in orders:
        ref = reference_date(o)
        w0 = recency(confirmed(o), as_of)
        t = (confirmed(o) - as_of).days / 365.25
        used = 0.0
        for inv in sorted(o.invoices, key=lambda i: i.date or as_of):
            if inv.date is None or inv.date > as_of or inv.state != "posted" or inv.amount * o.amount_total <= 0:
                continue
            share = min(abs(inv.amount) / abs(o.amount_total), 1.0 - used)
            if share <= 0:
                continue
            used += share
            group.append(index[o.partner_id])
            delay.append((inv.date - ref).days)
            event.append(True)
            weight.append(share * w0)
            when.append(t)
            lags.append((inv.date - ref).days)
        rest = min(abs(o.amount_to_invoice) / abs(o.amount_total), 1.0 - used)
        if rest > 0.005:
            group.append(index[o.partner_id])
            delay.append((as_of - ref).days)
            event.append(False)
            weight.append(rest * w0)
            when.append(t)
        if (as_of - confirmed(o)).days > 120:
            shares.append(used)
    obs = Observations(np.array(group, dtype=np.int64), np.array(delay, dtype=float), np.array(event, dtype=bool),
                       np.array(weight, dtype=float), np.array(when, dtype=float), len(partners) + 1)
    model = fit(obs, clip=(-60.0, 180.0))
    return OrderLag(kind, model, index, len(orders), float(np.mean(shares)) if shares else 1.0,
                    float(np.median(lags)) if lags else 0.0)


def _points(q: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Compress a pmf over days 1..H into <= n (day, mass) points of about equal mass."""
    total = q.sum()
    if total < 1e-9:
        return np.zeros(0, dtype=int), np.zeros(0)
    cdf = np.cumsum(q) / total
    bins = np.minimum((cdf * n - 1e-9).astype(int), n - 1)
    mass = np.bincount(bins, q, n)
    day = np.bincount(bins, q * np.arange(1, len(q) + 1), n) / np.where(mass > 0, mass, 1.0)
    keep = mass > 0
    return np.rint(day[keep]).astype(int), mass[keep]


def order_events(snapshot: Snapshot, as_of: dt.date, horizon: int, lag: OrderLag, beh: Behaviour,
                 adj: Adjustments) -> tuple[EventBlock, np.ndarray]:
    """Events of the open orders of ``lag.kind`` and their expected invoicing per day (signed, (H,))."""
    kind = lag.kind
    terms = {t.id: t for t in snapshot.payment_terms}
    partners = {p.id: p for p in snapshot.partners}
    orders = [o for o in snapshot.orders if o.kind == kind and o.is_open and confirmed(o) <= as_of]
    invoicing = np.zeros(horizon)
    if not orders:
        return EventBlock.empty(horizon), invoicing
    group = np.array([lag.group(o.partner_id) for o in orders], dtype=np.int64)
    when = np.zeros(len(orders))
    loc = lag.model.location(group, when)
    age = np.array([(as_of - reference_date(o, adj)).days for o in orders], dtype=float)
    q = lag.model.conditional_pmf(group, np.rint(age - loc).astype(np.int64), horizon)
    factor = adj.sales_factor if kind == "sale" else 1.0
    amounts = np.array([o.amount_to_invoice for o in orders]) * factor
    invoicing = amounts @ q
    rows, meta = [], []
    for i, o in enumerate(orders):
        partner = partners.get(o.partner_id)
        term_id = adj.partner_terms.get(o.partner_id) or o.payment_term_id or (
            (partner.customer_term_id if kind == "sale" else partner.vendor_term_id) if partner else None)
        term = terms.get(term_id) if term_id else None
        days, mass = _points(q[i], POINTS)
        offsets, weights, floors = [], [], []
        for d, m in zip(days, mass, strict=True):
            for off, share in term_offsets(term, as_of + dt.timedelta(days=int(d))):
                offsets.append(d + off)
                weights.append(m * share)
                floors.append(d)
        rows.append(new_invoice_pmf(beh, o.partner_id, np.array(offsets, dtype=float), np.array(weights), as_of,
                                    horizon, adj.delay(o.partner_id), np.array(floors, dtype=int)))
        meta.append(EventMeta("sale_order" if kind == "sale" else "purchase_order",
                              EventSource(model=o.ref.model, id=o.ref.id, name=o.ref.name), o.partner_name or None,
                              o.partner_id, None, "order"))
    pmf = to_bank_days(np.array(rows), as_of, beh.timing)
    return EventBlock(meta, amounts, pmf, horizon), invoicing
