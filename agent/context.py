"""Per-run context of the graph (not checkpointed): services, the writer's credentials, policies."""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.llm import ChatModel
from agent.services import Services, WriterCredentials


@dataclass
class Context:
    """What nodes need besides the state. Rebuilt by every process; secrets never enter the checkpoint."""

    services: Services
    """Odoo reads, the forecast, the approvals table, writers."""

    model: ChatModel | None = None
    """The LLM; None means the deterministic planner."""

    requester: str = "cli"
    """Who asked (for the approvals table): an Odoo login, a Discuss user, 'cli'."""

    writer: WriterCredentials | None = None
    """Credentials of the approver who just decided (CLI), used by the executor; else the writer account."""

    auto_approve: frozenset[str] = field(default_factory=frozenset)
    """Action types an administrator approved in advance (standing approvals); empty by default."""

    max_tool_calls: int = 8
    """Bound on tool calls per turn; the turn ends with a graceful answer when it is reached."""
