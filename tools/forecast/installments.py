"""Open items -> dated cash distributions.

* **Open invoices and bills**: the partner's delay model, conditional on what is known today: the
  item is unpaid ``o = as_of - due`` days after its due date, so its residual delay is drawn from the
  partner's hazards from ``o - mu + 1`` on (no mass before tomorrow; whatever the hazards never
  reach within the horizon is the probability of no payment in the horizon). Settlement dates then
  go through weekday habits, the payment->bank lag and business days (:mod:`tools.forecast.timing`).
* **Credit notes**: from history, the share of credit-note amounts refunded in cash versus offset
  against invoices. The cash share is refunded around the usual number of days after the credit
  note; the offset share reduces the partner's next receipts (timed like its open invoices, or like
  a new invoice when it has none).
* **Payments in transit** (posted, not matched with a bank line): arrive after the learned
  payment->bank lag, conditional on not having arrived yet; very old unmatched payments are left out
  and reported.
* An open item whose cash already sits in an *unreconciled* bank line (same partner and amount, or
  its number in the label) is not forecast again.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np

from tools.forecast.adjust import Adjustments
from tools.forecast.events import EventBlock, EventMeta, concat
from tools.forecast.payment_behaviour import DOCUMENT_TYPES, REFUND_TYPES, Behaviour, RefundHabits, reference_due
from tools.forecast.survival import GRID, LO
from tools.forecast.timing import MAX_LAG, business_day_roll, to_bank_days
from tools.forecast.types import EventKind, EventSource
from tools.odoo.records import Installment, Snapshot

_ALNUM = re.compile(r"[^A-Z0-9]")
_DOC_REF = re.compile(r"[A-Z]{2,}[/ -]?\d{4}(?:[/ -]?\d{2})?[/ -]?\d{3,6}")


def _norm(text: str) -> str:
    return _ALNUM.sub("", text.upper())


def already_in_bank(snapshot: Snapshot, as_of: dt.date, items: list[Installment], days: int = 60) -> set[int]:
    """Line ids of open items whose payment is visibly in an unreconciled bank line.

    Same partner and amount, or the document's number in the label with the amount.
    """
    lines = [t for t in snapshot.bank_transactions if t.matched == "unreconciled"
             and as_of - dt.timedelta(days=days) <= t.date <= as_of]
    if not lines:
        return set()
    by_partner: dict[int, list[Installment]] = {}
    by_name: dict[str, list[Installment]] = {}
    for inst in items:
        if inst.partner_id is not None:
            by_partner.setdefault(inst.partner_id, []).append(inst)
        by_name.setdefault(_norm(inst.document.name), []).append(inst)
    found: set[int] = set()
    for t in lines:
        named = [i for ref in _DOC_REF.findall(t.label.upper()) for i in by_name.get(_norm(ref), [])]
        candidates = named + (by_partner.get(t.partner_id, []) if t.partner_id is not None else [])
        for inst in candidates:
            if inst.line_id in found or inst.residual * t.amount <= 0:
                continue
            if abs(abs(t.amount) - abs(inst.residual)) < 0.01:
                found.add(inst.line_id)
                break
    return found


def open_items(snapshot: Snapshot, as_of: dt.date) -> list[Installment]:
    return [i for i in snapshot.installments if i.is_open and (i.invoice_date or i.due_date or as_of) <= as_of
            and i.move_type in DOCUMENT_TYPES + REFUND_TYPES]


def _kind(inst: Installment) -> EventKind:
    return "invoice" if inst.kind == "receivable" else "bill"


def invoice_events(items: list[Installment], as_of: dt.date, horizon: int, beh: Behaviour,
                   adj: Adjustments) -> EventBlock:
    """Open invoices/bills of one kind (``beh.kind``) as conditional bank-date distributions."""
    items = [i for i in items if i.kind == beh.kind and i.move_type in DOCUMENT_TYPES]
    if not items:
        return EventBlock.empty(horizon)
    group = np.array([beh.group(i.partner_id) for i in items], dtype=np.int64)
    when = np.array([((i.invoice_date or as_of) - as_of).days / 365.25 for i in items])
    loc = beh.model.location(group, when)
    overdue = np.array([(as_of - (reference_due(i) or as_of)).days for i in items], dtype=float)
    after = np.rint(overdue - loc).astype(np.int64)
    shifts = np.array([adj.delay(i.partner_id) for i in items], dtype=np.int64)
    extra = int(np.abs(shifts).max())
    settle = shift_days(beh.model.conditional_pmf(group, after, horizon + extra), shifts, horizon)
    pmf = to_bank_days(settle, as_of, beh.timing)
    meta = [EventMeta(_kind(i), EventSource(model=i.document.model, id=i.document.id, name=i.document.name),
                      i.partner_name or None, i.partner_id, i.due_date, "open_item", i.line_id) for i in items]
    return EventBlock(meta, np.array([i.residual for i in items]), pmf, horizon)


def shift_days(pmf: np.ndarray, shifts: np.ndarray, horizon: int) -> np.ndarray:
    """Move each row's payment dates by its shift (a what-if delay): later mass may leave the horizon,
    earlier mass that would fall before tomorrow lands tomorrow (the soonest it can be paid).

    ``pmf`` covers days 1..horizon+max(|shift|) so mass coming from beyond the horizon is kept.
    """
    out = np.zeros((pmf.shape[0], horizon))
    for s in np.unique(shifts):
        rows = shifts == s
        if s >= 0:
            if s < horizon:
                out[rows, s:] = pmf[rows, : horizon - s]
        else:
            m = int(-s)
            out[rows] = pmf[rows, m: m + horizon]
            out[rows, 0] += pmf[rows, :m].sum(axis=1)
    return out


def new_invoice_pmf(beh: Behaviour, partner_id: int | None, due_offsets: np.ndarray, weights: np.ndarray,
                    as_of: dt.date, horizon: int, shift: int = 0, min_days: np.ndarray | None = None) -> np.ndarray:
    """Settlement pmf over days 1..H of invoices due ``due_offsets`` days after as_of (mixture by ``weights``).

    Not conditioned on anything (the invoices do not exist yet); a settlement never comes before
    ``min_days`` (the invoice day) nor before tomorrow. Mass beyond the horizon is dropped.
    """
    g = beh.group(partner_id)
    loc = beh.expected_delay(partner_id) + shift
    resid = beh.model.residual_pmf(g)
    keep = resid > 1e-7
    grid, mass = GRID[keep], resid[keep]
    out = np.zeros(horizon + 1)
    floors = np.ones(len(due_offsets), dtype=int) if min_days is None else np.maximum(min_days, 1)
    for off, w, floor in zip(due_offsets, weights, floors, strict=True):
        if w <= 0:
            continue
        days = np.clip(round(off + loc) + grid, int(floor), horizon + 1)
        np.add.at(out, days - 1, w * mass)
    return out[:horizon]


def credit_note_events(items: list[Installment], as_of: dt.date, horizon: int, beh: Behaviour,
                       habits: RefundHabits, invoice_block: EventBlock, typical_term: int) -> EventBlock:
    """Open credit notes of ``beh.kind``: a cash-refund part and an offset part."""
    notes = [i for i in items if i.kind == beh.kind and i.move_type in REFUND_TYPES]
    if not notes:
        return EventBlock.empty(horizon)
    by_partner: dict[int | None, np.ndarray] = {}
    for m, row in zip(invoice_block.meta, invoice_block.pmf, strict=True):
        by_partner.setdefault(m.partner_id, np.zeros(horizon))
        by_partner[m.partner_id] = by_partner[m.partner_id] + row
    meta, amounts, rows, raw = [], [], [], []
    for inst in notes:
        src = EventSource(model=inst.document.model, id=inst.document.id, name=inst.document.name)
        start = max((inst.invoice_date or as_of) + dt.timedelta(days=round(habits.cash_days_median)),
                    as_of + dt.timedelta(days=1))
        cash_row = _triangle((start - as_of).days, 7, horizon)
        offset_row = by_partner.get(inst.partner_id)
        offset_raw = offset_row is None or offset_row.sum() < 1e-6
        if offset_raw:
            offset_row = new_invoice_pmf(beh, inst.partner_id, np.array([typical_term]), np.array([1.0]), as_of,
                                         horizon)
        else:
            assert offset_row is not None
            offset_row = offset_row / offset_row.sum() * min(offset_row.sum(), 1.0)
        for share, row, label, is_raw in ((habits.cash_share, cash_row, "refund", True),
                                          (1 - habits.cash_share, offset_row, "offset", offset_raw)):
            if share < 0.01:
                continue
            meta.append(EventMeta(_kind(inst), src.model_copy(update={"name": f"{src.name} ({label})"}),
                                  inst.partner_name or None, inst.partner_id, inst.due_date, "credit_note"))
            amounts.append(inst.residual * share)
            rows.append(row)
            raw.append(is_raw)
    pmf = np.array(rows)
    needs = np.array(raw, dtype=bool)
    if needs.any():
        pmf[needs] = to_bank_days(pmf[needs], as_of, beh.timing)
    return EventBlock(meta, np.array(amounts), pmf, horizon)


def _triangle(centre: int, half: int, horizon: int) -> np.ndarray:
    days = np.arange(1, horizon + 1)
    w = np.clip(half + 1 - np.abs(days - centre), 0, None).astype(float)
    total = (half + 1) ** 2
    return w / total


def transit_events(snapshot: Snapshot, as_of: dt.date, horizon: int, behaviours: dict[str, Behaviour]) -> tuple[
        EventBlock, list[str]]:
    """Posted payments not yet seen by the bank, arriving after the usual lag (business days)."""
    meta, amounts, rows = [], [], []
    stale = []
    for p in snapshot.payments:
        if p.is_matched or p.date > as_of:
            continue
        lag = behaviours["receivable" if p.amount > 0 else "payable"].timing.payment_lag
        age = int(np.busday_count(p.date, as_of))
        rest = lag[age + 1:] if age + 1 < len(lag) else np.zeros(0)
        if age > MAX_LAG or (age > 0 and rest.sum() < 1e-6):
            stale.append(p)
            continue
        row = np.zeros(horizon)
        for d in range(age + 1, len(lag)):
            k = (np.busday_offset(p.date, d, roll="forward").astype(dt.date) - as_of).days
            if 1 <= k <= horizon:
                row[k - 1] += lag[d]
        if row.sum() <= 0:
            row[0] = 1.0
        meta.append(EventMeta("invoice" if p.amount > 0 else "bill",
                              EventSource(model=p.ref.model, id=p.ref.id, name=p.ref.name), p.partner_name,
                              p.partner_id, None, "in_transit"))
        amounts.append(p.amount)
        rows.append(row / row.sum())
    warnings = []
    if stale:
        total = sum(p.amount for p in stale)
        warnings.append(f"{len(stale)} posted payments older than the usual payment-to-bank lag are not matched with a "
                        f"bank line (net {total:,.2f}): left out of the forecast; reconcile or cancel them")
    if not rows:
        return EventBlock.empty(horizon), warnings
    pmf = business_day_roll(np.array(rows), as_of)
    return EventBlock(meta, np.array(amounts), pmf, horizon), warnings


def document_events(snapshot: Snapshot, as_of: dt.date, horizon: int, behaviours: dict[str, Behaviour],
                    refunds: dict[str, RefundHabits], typical_terms: dict[str, int],
                    adj: Adjustments) -> tuple[EventBlock, list[str]]:
    """All open-document events (invoices, bills, credit notes, payments in transit) and warnings."""
    items = open_items(snapshot, as_of)
    in_bank = already_in_bank(snapshot, as_of, items)
    warnings = []
    if in_bank:
        warnings.append(f"{len(in_bank)} open items look paid already (an unreconciled bank line has their amount "
                        "or number): not forecast again; reconcile them in Odoo")
    items = [i for i in items if i.line_id not in in_bank]
    blocks = []
    for kind in ("receivable", "payable"):
        inv = invoice_events(items, as_of, horizon, behaviours[kind], adj)
        blocks.append(inv)
        blocks.append(credit_note_events(items, as_of, horizon, behaviours[kind], refunds[kind], inv,
                                         typical_terms[kind]))
    transit, stale = transit_events(snapshot, as_of, horizon, behaviours)
    blocks.append(transit)
    return concat(blocks, horizon), warnings + stale


__all__ = ["LO", "already_in_bank", "document_events", "invoice_events", "new_invoice_pmf", "open_items"]
