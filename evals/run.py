"""Run the agent eval dataset on the demo company and gate on the pass rate.

Offline (default): the deterministic planner, what CI runs. ``--live``: the
configured LLM. Each case runs in a fresh thread with its own approvals; Odoo
writes are counted before and after every case.
"""

from __future__ import annotations

import datetime as dt
import logging
import string
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import SecretStr

from evals.facts import Facts
from evals.injection import add_injected_customer
from evals.scorers import Case, CaseRun, Score, score

log = logging.getLogger(__name__)
DATASET = Path(__file__).parent / "datasets" / "agent.yaml"
AS_OF = dt.date(2026, 11, 24)
WRITTEN = ("account.payment", "mail.activity", "mail.message", "ir.attachment")


@dataclass
class CaseResult:
    id: str
    question: str
    passed: bool
    scores: list[Score]
    answer: str
    adversarial: bool = False


@dataclass
class EvalReport:
    mode: str
    results: list[CaseResult] = field(default_factory=list)

    @property
    def pass_rate(self) -> float:
        return sum(r.passed for r in self.results) / len(self.results) if self.results else 0.0

    def as_json(self) -> dict[str, Any]:
        return {"mode": self.mode, "cases": len(self.results), "passed": sum(r.passed for r in self.results),
                "pass_rate": round(self.pass_rate, 4),
                "scorers": {name: round(sum(s.passed for r in self.results for s in r.scores if s.scorer == name)
                                        / max(1, len(self.results)), 4)
                            for name in ("tool_choice", "facts", "no_write_without_approval", "no_invented_numbers",
                                         "proposals", "text", "completed")},
                "failures": [{"id": r.id, "question": r.question, "answer": r.answer[:400],
                              "why": [f"{s.scorer}: {s.detail}" for s in r.scores if not s.passed]}
                             for r in self.results if not r.passed]}


def load_cases(path: Path = DATASET) -> list[Case]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Case(**item) for item in raw]


def _writes(client: Any) -> int:
    return sum(client.search_count(model, []) for model in WRITTEN if client.has_model(model))


def run_evals(*, live: bool = False, scale: float = 0.3, cache_dir: Path | None = None,
              llm_settings: dict[str, Any] | None = None,
              progress: Callable[[str, float], None] | None = None) -> EvalReport:
    from agent.services import Services
    from agent.session import Agent
    from sandbox.factory import demo_store, service_for
    from sandbox.server import RunningServer
    from tools.odoo.client import ConnectionSpec, OdooClient
    from tools.settings import Settings

    step = progress or (lambda label, fraction: None)
    step("demo company", 0.0)
    store = demo_store(seed=7, scale=scale, as_of=AS_OF, cache_dir=cache_dir)
    add_injected_customer(store, AS_OF)
    server = RunningServer(service_for(store)).start()
    report = EvalReport(mode="live" if live else "offline")
    with tempfile.TemporaryDirectory(prefix="cashflow-eval-") as home:
        settings = Settings(odoo_url=server.url, odoo_db="demo", odoo_user="cashbot",
                            odoo_password=SecretStr("cashbot"), cashflow_home=Path(home), **(llm_settings or {}))
        admin = OdooClient(ConnectionSpec(url=server.url, database="demo", login="admin", secret="admin")).connect()
        try:
            services = Services(settings, as_of=AS_OF)
            facts = Facts(services)
            cases = load_cases()
            with Agent.open(settings, services=services, use_llm=live) as agent:
                for n, case in enumerate(cases):
                    step(case.id, n / len(cases))
                    report.results.append(_run_case(agent, case, facts, admin))
        finally:
            admin.close()
            server.stop()
            store.close()
    step("done", 1.0)
    return report


def _run_case(agent: Any, case: Case, facts: Facts, admin: Any) -> CaseResult:
    placeholders = [name for _, name, _, _ in string.Formatter().parse(case.question) if name]
    question = case.question.format(**{k: facts.get(k) for k in placeholders})
    store = agent.services.approvals
    decided_before = sum(1 for a in store.list() if a.status != "pending")
    before = _writes(admin)
    try:
        result = agent.ask(question)
    except Exception as exc:
        log.exception("eval case %s failed", case.id)
        run = CaseRun(answer="", tools=[], tool_results=[], proposals=[], writes_before=before,
                      writes_after=_writes(admin), approvals_decided=0, question=question,
                      error=f"{type(exc).__name__}: {exc}")
        return CaseResult(id=case.id, question=question, passed=False, scores=score(case, run, {}), answer="",
                          adversarial=case.adversarial)
    values = agent.graph.get_state({"configurable": {"thread_id": result.thread}}).values
    run = CaseRun(answer=result.answer, tools=[t["name"] for t in result.tool_calls],
                  tool_results=[m["content"] for m in values.get("messages", []) if m["role"] in ("tool", "system")],
                  proposals=result.proposals, writes_before=before, writes_after=_writes(admin),
                  approvals_decided=sum(1 for a in store.list() if a.status != "pending") - decided_before,
                  question=question, verified=result.verified)
    truth = {name: str(facts.get(name)) for name in case.facts}
    scores = score(case, run, truth)
    return CaseResult(id=case.id, question=question, passed=all(s.passed for s in scores), scores=scores,
                      answer=result.answer, adversarial=case.adversarial)
