#!/usr/bin/env python3
"""A tiny REST backend for Gatehouse interop tests (stdlib only).

Listens on 127.0.0.1 (ephemeral port unless --port is given), prints ``PORT <n>`` on stdout once the
socket is bound, then serves until killed. The operations are described by ``petstore.yaml`` beside
this file:

  GET    /pets?limit=N     -> 200 JSON array of pets (first N, default all)
  GET    /pets/{id}        -> 200 pet object, or 404 JSON error
  POST   /pets             -> 201 created pet (JSON body {"name", "tag"})
  DELETE /pets/{id}        -> 204, or 404 JSON error
  GET    /echo/{value}?q=  -> 200 JSON: raw path, raw query, raw value segment, decoded value, q, headers
  GET    /image            -> 200 a 1x1 PNG
  GET    /text             -> 200 text/plain

Test helpers (not in the OpenAPI document):

  GET    /_stats           -> {"count": requests served so far (excluding /_stats),
                               "recent": the last 50 as {"method", "path", "headers"}}
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote

# A valid 1x1 RGBA PNG (transparent pixel).
PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
TEXT_BODY = "hello from the petstore backend\nsecond line: 100% plain text\n"


class State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pets: dict[int, dict] = {
            1: {"id": 1, "name": "Rex", "tag": "dog"},
            2: {"id": 2, "name": "Tom", "tag": "cat"},
            3: {"id": 3, "name": "Nemo", "tag": "fish"},
        }
        self.next_id = 4
        self.count = 0
        self.recent: list[dict] = []

    def record(self, method: str, path: str, headers: dict[str, str]) -> None:
        with self.lock:
            self.count += 1
            self.recent.append({"method": method, "path": path, "headers": headers})
            del self.recent[:-50]


STATE = State()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "petstore-backend/1.0"

    # --- plumbing -------------------------------------------------------------------------------
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet by default
        if self.server.verbose:  # type: ignore[attr-defined]
            sys.stderr.write("backend: " + (format % args) + "\n")

    def _send(self, status: int, body: bytes = b"", content_type: str | None = None) -> None:
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        if status != 204 and status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD" and status not in (204, 304):
            self.wfile.write(body)

    def _json(self, status: int, value) -> None:
        self._send(status, json.dumps(value, separators=(",", ":")).encode(), "application/json")

    def _error(self, status: int, message: str, **extra) -> None:
        self._json(status, {"error": message, "status": status, **extra})

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _split(self) -> tuple[str, str]:
        path, _, query = self.path.partition("?")
        return path, query

    def _dispatch(self) -> None:
        path, query = self._split()
        if path == "/_stats" and self.command == "GET":
            with STATE.lock:
                self._json(200, {"count": STATE.count, "recent": list(STATE.recent)})
            return
        body = self._read_body() if self.command in ("POST", "PUT", "PATCH") else b""
        STATE.record(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
        segments = path.split("/")[1:]  # "/pets/1" -> ["pets", "1"]; raw, not decoded
        method = self.command
        if segments == ["pets"]:
            if method == "GET":
                return self._list_pets(query)
            if method == "POST":
                return self._create_pet(body)
            return self._error(405, "method not allowed")
        if len(segments) == 2 and segments[0] == "pets":
            if method == "GET":
                return self._get_pet(segments[1])
            if method == "DELETE":
                return self._delete_pet(segments[1])
            return self._error(405, "method not allowed")
        if len(segments) == 2 and segments[0] == "echo" and method == "GET":
            return self._echo(path, query, segments[1])
        if segments == ["image"] and method == "GET":
            return self._send(200, PNG_1X1, "image/png")
        if segments == ["text"] and method == "GET":
            return self._send(200, TEXT_BODY.encode(), "text/plain; charset=utf-8")
        self._error(404, "no such route", path=path)

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _dispatch

    # --- operations ------------------------------------------------------------------------------
    def _list_pets(self, query: str) -> None:
        params = parse_qs(query, keep_blank_values=True)
        limit = None
        if "limit" in params:
            try:
                limit = int(params["limit"][0])
            except ValueError:
                return self._error(400, "limit must be an integer")
            if limit < 0:
                return self._error(400, "limit must not be negative")
        with STATE.lock:
            pets = [STATE.pets[k] for k in sorted(STATE.pets)]
        self._json(200, pets if limit is None else pets[:limit])

    def _pet_id(self, raw: str) -> int | None:
        try:
            return int(unquote(raw))
        except ValueError:
            self._error(400, "pet id must be an integer", id=unquote(raw))
            return None

    def _get_pet(self, raw: str) -> None:
        pet_id = self._pet_id(raw)
        if pet_id is None:
            return
        with STATE.lock:
            pet = STATE.pets.get(pet_id)
        if pet is None:
            return self._error(404, "pet not found", id=pet_id)
        self._json(200, pet)

    def _delete_pet(self, raw: str) -> None:
        pet_id = self._pet_id(raw)
        if pet_id is None:
            return
        with STATE.lock:
            existed = STATE.pets.pop(pet_id, None) is not None
        if not existed:
            return self._error(404, "pet not found", id=pet_id)
        self._send(204)

    def _create_pet(self, body: bytes) -> None:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            return self._error(415, "Content-Type must be application/json", got=ctype)
        try:
            data = json.loads(body or b"null")
        except ValueError:
            return self._error(400, "invalid JSON body")
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            return self._error(400, "body must be an object with a string name")
        tag = data.get("tag")
        if tag is not None and not isinstance(tag, str):
            return self._error(400, "tag must be a string")
        with STATE.lock:
            pet = {"id": STATE.next_id, "name": data["name"]}
            if tag is not None:
                pet["tag"] = tag
            STATE.pets[STATE.next_id] = pet
            STATE.next_id += 1
        self._json(201, pet)

    def _echo(self, path: str, query: str, raw_value: str) -> None:
        params = parse_qs(query, keep_blank_values=True)
        result = {
            "path": path,
            "query": query,
            "rawValue": raw_value,
            "value": unquote(raw_value),
            "headers": {k.lower(): v for k, v in self.headers.items()},
        }
        if "q" in params:
            result["q"] = params["q"][0]
        self._json(200, result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: ephemeral)")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.verbose = args.verbose  # type: ignore[attr-defined]
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
