"""The snapshot as Odoo knew it at an earlier date (for backtests and forecasts 'as of' the past).

``rewind(snapshot, origin)``:

* installments of documents dated <= origin, with only the settlements dated <= origin and their
  residual at origin (payment state recomputed);
* orders confirmed by origin, with only the invoices dated <= origin counted (what remained to
  invoice then = what remains now + what was invoiced after origin); orders cancelled since are left
  out (Odoo does not say when they were cancelled);
* bank lines and payments dated <= origin; a payment matched now counts as in transit at origin when
  the bank line with its partner and amount came after origin;
* bank balances at origin = balance now - bank lines after origin, per journal.

Data-quality findings describe today and are dropped; warnings are kept.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from tools.forecast.matching import payment_bank_dates
from tools.odoo.records import BankJournal, Installment, Order, Payment, Snapshot


def _installment(inst: Installment, origin: dt.date) -> Installment | None:
    day = inst.invoice_date or inst.due_date
    if day is None or day > origin:
        return None
    if all(s.date <= origin for s in inst.settlements):
        return inst
    kept = [s for s in inst.settlements if s.date <= origin]
    residual = round(inst.amount - sum(s.amount for s in kept), 2)
    ratio = inst.residual_currency / inst.residual if abs(inst.residual) >= 0.005 else 1.0
    state = "paid" if abs(residual) < 0.005 else ("partial" if kept else "not_paid")
    return inst.model_copy(update={"settlements": kept, "residual": residual,
                                   "residual_currency": round(residual * ratio, 2), "payment_state": state})


def _order(order: Order, origin: dt.date) -> Order | None:
    if order.state == "cancel" or (order.confirmed_on or order.date_order) > origin:
        return None
    if all(i.date is not None and i.date <= origin for i in order.invoices):
        return order
    kept = [i for i in order.invoices if i.date is not None and i.date <= origin]
    later = sum(i.amount for i in order.invoices if i.state == "posted" and (i.date is None or i.date > origin))
    to_invoice = round(order.amount_to_invoice + later, 2)
    invoiced = round(sum(i.amount for i in kept if i.state == "posted"), 2)
    status = "invoiced" if abs(to_invoice) < 0.005 else ("to invoice" if kept else "no")
    return order.model_copy(update={"invoices": kept, "amount_invoiced": invoiced, "amount_to_invoice": to_invoice,
                                    "invoice_status": status})


def _payments(snapshot: Snapshot, origin: dt.date) -> list[Payment]:
    matched = payment_bank_dates(snapshot)
    out = []
    for p in snapshot.payments:
        if p.date > origin:
            continue
        if p.is_matched and p.ref.id in matched and matched[p.ref.id] > origin:
            p = p.model_copy(update={"is_matched": False})
        out.append(p)
    return out


def rewind(snapshot: Snapshot, origin: dt.date) -> Snapshot:
    """What Odoo knew at ``origin`` (see module docstring)."""
    if origin >= snapshot.as_of:
        return snapshot
    later: dict[int, float] = defaultdict(float)
    last: dict[int, dt.date] = {}
    for t in snapshot.bank_transactions:
        if t.date > origin:
            later[t.journal_id] += t.amount
        elif t.journal_id not in last or t.date > last[t.journal_id]:
            last[t.journal_id] = t.date
    journals = [BankJournal(**{**j.model_dump(), "balance": round(j.balance - later.get(j.id, 0.0), 2),
                               "last_statement_date": last.get(j.id)}) for j in snapshot.context.bank_journals]
    context = snapshot.context.model_copy(update={"bank_journals": journals})
    installments = [i for i in (_installment(x, origin) for x in snapshot.installments) if i is not None]
    orders = [o for o in (_order(x, origin) for x in snapshot.orders) if o is not None]
    return snapshot.model_copy(update={
        "as_of": origin, "context": context, "installments": installments, "orders": orders,
        "bank_transactions": [t for t in snapshot.bank_transactions if t.date <= origin],
        "payments": _payments(snapshot, origin), "quality": []})


def actual_daily(snapshot: Snapshot, origin: dt.date, horizon: int) -> tuple[list[float], list[float]]:
    """What really happened after ``origin``: daily inflows and outflows (signed) from bank lines."""
    inflow, outflow = [0.0] * horizon, [0.0] * horizon
    for t in snapshot.bank_transactions:
        k = (t.date - origin).days
        if 1 <= k <= horizon:
            if t.amount >= 0:
                inflow[k - 1] += t.amount
            else:
                outflow[k - 1] += t.amount
    return inflow, outflow
