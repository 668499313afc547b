"""A local OpenAI-compatible HTTP server that plays scripted turns, for tests.

The product talks to it through the real ``openai`` client, exactly as to
OpenAI, Ollama or vLLM. No test ever reaches a real model: the suite blocks the
network and sets no API key.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]
"""``{"content": ...}``, ``{"tool_calls": [{"name": ..., "arguments": {...}}]}``, ``{"status": 429}``,
or a function of the request body returning one of these."""


def tool_call(name: str, **arguments: Any) -> dict[str, Any]:
    return {"tool_calls": [{"name": name, "arguments": arguments}]}


def answer(text: str) -> dict[str, Any]:
    return {"content": text}


@dataclass
class ScriptedLLM:
    script: list[Reply]
    requests: list[dict[str, Any]] = field(default_factory=list)
    model: str = "scripted-model"

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._calls = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                status, payload = outer._reply(self.path, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> ScriptedLLM:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def remaining(self) -> int:
        return len(self.script) - self._calls

    def _reply(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if not path.endswith("/chat/completions"):
            return 404, {"error": {"message": f"unknown path {path}"}}
        with self._lock:
            self.requests.append(body)
            if self._calls >= len(self.script):
                return 500, {"error": {"message": "script exhausted: the test did not expect this call",
                                       "type": "server_error"}}
            reply = self.script[self._calls]
            self._calls += 1
        if callable(reply):
            reply = reply(body)
        if "status" in reply:
            return int(reply["status"]), {"error": {"message": reply.get("message", "scripted error"),
                                                    "type": "rate_limit_error" if reply["status"] == 429 else
                                                    "server_error"}}
        message: dict[str, Any] = {"role": "assistant", "content": reply.get("content")}
        finish = "stop"
        if reply.get("tool_calls"):
            message["tool_calls"] = [
                {"id": f"call_{self._calls}_{i}", "type": "function",
                 "function": {"name": c["name"], "arguments": c["arguments"] if isinstance(c["arguments"], str)
                              else json.dumps(c["arguments"])}}
                for i, c in enumerate(reply["tool_calls"])]
            finish = "tool_calls"
        return 200, {"id": f"chatcmpl-{self._calls}", "object": "chat.completion", "created": int(time.time()),
                     "model": body.get("model", self.model),
                     "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                     "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}}
