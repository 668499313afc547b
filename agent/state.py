"""The agent's graph state: small and typed — ids, summaries and messages, never DataFrames."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Annotated, Any


def _replace(_old: Any, new: Any) -> Any:
    return new


@dataclass
class InputState:
    """What a caller gives the graph for one turn."""

    question: str = ""
    """The user's question or request, as typed (untrusted text)."""


@dataclass
class State(InputState):
    """Everything the graph carries between nodes and across restarts (checkpointed)."""

    messages: Annotated[list[dict[str, Any]], operator.add] = field(default_factory=list)
    """The conversation in OpenAI chat format; tool results are compact JSON with record references."""

    tool_log: Annotated[list[dict[str, Any]], operator.add] = field(default_factory=list)
    """Every tool call of the thread: name, arguments, one-line summary, turn number."""

    pending: Annotated[list[dict[str, Any]], _replace] = field(default_factory=list)
    """Proposals waiting for a decision, in order: {proposal_id, approval_id, action, args}."""

    outcomes: Annotated[list[dict[str, Any]], operator.add] = field(default_factory=list)
    """Decisions and executions of this thread: {approval_id, action, status, record, note}."""

    turn: int = 0
    """Number of the current user turn (1-based)."""

    turn_start: int = 0
    """Index in ``messages`` of this turn's user message."""

    steps: int = 0
    """Tool calls made in the current turn (bounded by CASHFLOW_MAX_TOOL_CALLS)."""

    draft: str = ""
    """The answer being written (before verification)."""

    revisions: int = 0
    """How many times the verifier sent the draft back this turn."""

    answer: str = ""
    """The final, verified answer of the turn."""

    verified: bool = True
    """False when the answer had to fall back to template narration after a failed revision."""
