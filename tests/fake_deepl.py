"""A fake DeepL API for tests: the real ``deepl`` client talks to it through ``server_url``.

Its "translation" is deterministic and keeps tags: text outside tags is upper-cased and
prefixed, so a test can tell translated text from source text and check every placeholder.
It records every request, counts characters, and can be told to fail: ``403``, ``429``
(n times), ``503``, a dropped connection, ``456`` once a character budget is used, or a
request that hangs until released.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TAG = re.compile(r"(<[^>]+>|&[#\w]+;)")  # tags and entities stay as they are
KEY = "fake-key-0123456789:fx"


def fake_translate(text: str, word_map: dict[str, str] | None = None) -> str:
    """Upper-case everything outside tags (after applying *word_map* to whole words)."""
    parts = TAG.split(text)
    out = []
    for part in parts:
        if part.startswith(("<", "&")):
            out.append(part)
            continue
        if word_map:
            for src, dst in word_map.items():
                part = re.sub(rf"\b{re.escape(src)}\b", dst, part)
        out.append(part.upper())
    return "".join(out)


@dataclass
class FakeDeepL:
    """State and switches of the fake server (read and set them from tests)."""

    key: str = KEY
    #: faults for the next /v2/translate requests, consumed one per request:
    #: "403", "429", "503", "drop", "hang", "swallow-spaces", "lose-tag"
    faults: list[str] = field(default_factory=list)
    #: a fault applied to every translate request (after ``faults`` is empty)
    always: str | None = None
    quota: int | None = None  # 456 once this many characters would be exceeded
    word_map: dict[str, str] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)  # every request, any path
    translate_requests: int = 0  # requests that reached /v2/translate (retries included)
    characters: int = 0
    glossaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    glossary_creations: int = 0
    release: threading.Event = field(default_factory=threading.Event)
    hanging: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    @property
    def texts(self) -> list[str]:
        """Every text sent for translation."""
        return [t for r in self.requests if r["path"] == "/v2/translate" for t in r["body"]["text"]]


def _handler(state: FakeDeepL) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

        def _send(self, status: int, payload: Any = None) -> None:
            body = json.dumps(payload if payload is not None else {}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                return json.loads(raw) if raw else {}
            except ValueError:
                from urllib.parse import parse_qs

                return {k: v for k, v in parse_qs(raw.decode()).items()}

        def _authorized(self) -> bool:
            return self.headers.get("Authorization") == f"DeepL-Auth-Key {state.key}"

        def do_GET(self) -> None:  # noqa: N802
            state.requests.append({"method": "GET", "path": self.path, "body": {}})
            if not self._authorized():
                return self._send(403, {"message": "Wrong key"})
            if self.path == "/v2/usage":
                limit = state.quota or 10**9
                usage = {"character_count": state.characters, "character_limit": limit}
                return self._send(200, usage)
            match = re.fullmatch(r"/v2/glossaries/([^/]+)", self.path)
            if match:
                info = state.glossaries.get(match.group(1))
                return self._send(200, info["info"]) if info else self._send(404, {"message": "no"})
            if self.path == "/v2/glossaries":
                listed = [g["info"] for g in state.glossaries.values()]
                return self._send(200, {"glossaries": listed})
            self._send(404, {"message": "unknown path"})

        def do_DELETE(self) -> None:  # noqa: N802
            state.requests.append({"method": "DELETE", "path": self.path, "body": {}})
            match = re.fullmatch(r"/v2/glossaries/([^/]+)", self.path)
            if match and state.glossaries.pop(match.group(1), None) is not None:
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self._send(404, {"message": "no such glossary"})

        def do_POST(self) -> None:  # noqa: N802
            body = self._body()
            state.requests.append({"method": "POST", "path": self.path, "body": body})
            if not self._authorized():
                return self._send(403, {"message": "Wrong key"})
            if self.path == "/v2/glossaries":
                state.glossary_creations += 1
                gid = f"glossary-{state.glossary_creations}"
                entries = dict(line.split("\t", 1) for line in body["entries"].splitlines() if line)
                info = {
                    "glossary_id": gid,
                    "name": body["name"],
                    "ready": True,
                    "source_lang": body["source_lang"],
                    "target_lang": body["target_lang"],
                    "creation_time": "2024-01-01T00:00:00.000Z",
                    "entry_count": len(entries),
                }
                state.glossaries[gid] = {"info": info, "entries": entries}
                return self._send(201, info)
            if self.path != "/v2/translate":
                return self._send(404, {"message": "unknown path"})
            state.translate_requests += 1
            fault = state.faults.pop(0) if state.faults else state.always
            if fault == "403":
                return self._send(403, {"message": "Wrong key"})
            if fault == "429":
                return self._send(429, {"message": "slow down"})
            if fault == "503":
                return self._send(503, {"message": "unavailable"})
            if fault == "drop":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if fault == "hang":
                state.hanging.set()
                state.release.wait(60)
            texts = body["text"]
            size = sum(len(t) for t in texts)
            if state.quota is not None and state.characters + size > state.quota:
                return self._send(456, {"message": "Quota exceeded"})
            glossary_id = body.get("glossary_id")
            word_map = dict(state.word_map)
            if glossary_id:
                if glossary_id not in state.glossaries:
                    return self._send(404, {"message": "glossary not found"})
                word_map.update(state.glossaries[glossary_id]["entries"])
            state.characters += size
            out = []
            for text in texts:
                translated = fake_translate(text, word_map)
                if fault == "swallow-spaces":
                    translated = re.sub(r"\s*(<x [^>]*/>)\s*", r"\1", translated)
                if fault == "lose-tag":
                    translated = re.sub(r"<x [^>]*/>", "", translated, count=1)
                out.append(
                    {
                        "detected_source_language": "DE",
                        "text": translated,
                        "billed_characters": len(text),
                    }
                )
            self._send(200, {"translations": out})

    return Handler


@contextmanager
def running(state: FakeDeepL | None = None) -> Iterator[FakeDeepL]:
    """Serve *state* on 127.0.0.1 (a free port) for the duration of the block."""
    state = state or FakeDeepL()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
