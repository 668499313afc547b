"""The only place an LLM client is built: any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, llama.cpp).

Tool schemas come from pydantic models; arguments are validated again on our side
even when the server ignores strict mode. Rate limits, timeouts and 5xx are
retried with tenacity.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from tools.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class ToolCall:
    id: str
    name: str
    arguments: str

    def parsed(self) -> dict[str, Any]:
        """Arguments as a dict ({} when the model sent something that is not a JSON object)."""
        try:
            value = json.loads(self.arguments or "{}")
        except json.JSONDecodeError:
            return {"__invalid_json__": self.arguments}
        return value if isinstance(value, dict) else {"__invalid_json__": self.arguments}


@dataclass
class AssistantTurn:
    content: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)

    def message(self) -> dict[str, Any]:
        msg: dict[str, Any] = {"role": "assistant", "content": self.content or None}
        if self.tool_calls:
            msg["tool_calls"] = [{"id": c.id, "type": "function",
                                  "function": {"name": c.name, "arguments": c.arguments}} for c in self.tool_calls]
        return msg


class ChatModel(Protocol):
    name: str

    def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]],
                 tool_choice: str = "auto") -> AssistantTurn: ...


class LLMUnavailable(Exception):
    """The configured LLM endpoint failed (after retries)."""

    exit_code = 3


def _transient(exc: BaseException) -> bool:
    import openai

    if isinstance(exc, (openai.RateLimitError, openai.APIConnectionError, openai.APITimeoutError,
                        openai.InternalServerError)):
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code >= 500


class OpenAIChat:
    """Chat completions with tools through the real ``openai`` client."""

    def __init__(self, base_url: str | None, api_key: str | None, model: str, timeout: float = 120.0,
                 attempts: int = 4) -> None:
        import openai

        self.name = model
        self._client = openai.OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout,
                                     max_retries=0)
        self._retrying = Retrying(retry=retry_if_exception(_transient), stop=stop_after_attempt(attempts),
                                  wait=wait_random_exponential(multiplier=0.5, max=10), reraise=True,
                                  before_sleep=lambda st: log.warning("LLM call failed; retry %d", st.attempt_number))

    def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]],
                 tool_choice: str = "auto") -> AssistantTurn:
        import openai

        kwargs: dict[str, Any] = {"model": self.name, "messages": messages, "temperature": 0}
        if tools:
            kwargs.update(tools=tools, tool_choice=tool_choice, parallel_tool_calls=False)
        try:
            response = self._retrying(self._client.chat.completions.create, **kwargs)
        except openai.APIError as exc:
            raise LLMUnavailable(f"the LLM at {self._client.base_url} failed: {type(exc).__name__}: "
                                 f"{getattr(exc, 'message', exc)}") from None
        choice = response.choices[0].message
        functions = [(c.id, fn) for c in (choice.tool_calls or []) if (fn := getattr(c, "function", None))]
        calls = [ToolCall(id=call_id, name=fn.name, arguments=fn.arguments or "{}") for call_id, fn in functions]
        return AssistantTurn(content=choice.content or "", tool_calls=calls)


def chat_model(settings: Settings) -> ChatModel | None:
    """The configured LLM, or None (the deterministic planner answers)."""
    if not settings.llm_configured:
        return None
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return OpenAIChat(settings.openai_base_url, key, settings.llm_model or "")
