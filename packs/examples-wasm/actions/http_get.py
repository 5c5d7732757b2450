"""examples-wasm.http_get: an HTTP GET through wasi:http, in Python.

Built into a component of the attune:automation/action world by componentize-py (Attune
does it on first use). The request goes through
the host, which refuses hosts missing from the action's `allowed_hosts`.
"""

import json
from urllib.parse import urlsplit

import wit_world
from componentize_py_types import Err, Ok
from wit_world.imports import log, outgoing_handler, streams
from wit_world.imports import wasi_http_types as http
from wit_world.imports.attune_automation_types import ActionError


class WitWorld(wit_world.WitWorld):
    def run(self, ctx, params: str) -> str:
        url = json.loads(params)["url"]
        log.log(log.Level.INFO, f"GET {url}")
        try:
            status, body = get(url)
        except RequestFailed as failure:
            raise Err(ActionError(message=str(failure)))
        text = body.decode("utf-8", errors="replace")
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = text
        log.log(log.Level.INFO, f"{status} from {url}, {len(body)} bytes")
        return json.dumps({"status": status, "body": parsed})


class RequestFailed(Exception):
    pass


def get(url: str) -> tuple[int, bytes]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise RequestFailed(f"unsupported URL scheme in {url!r}")
    request = http.OutgoingRequest(http.Fields())
    request.set_method(http.Method_Get())
    request.set_scheme(http.Scheme_Https() if parts.scheme == "https" else http.Scheme_Http())
    request.set_authority(parts.netloc)
    request.set_path_with_query((parts.path or "/") + (f"?{parts.query}" if parts.query else ""))

    try:
        future = outgoing_handler.handle(request, None)
    except Err as error:
        raise RequestFailed(f"request to {parts.netloc} failed: {describe(error.value)}")
    with future:
        while (outcome := future.get()) is None:
            with future.subscribe() as ready:
                ready.block()
        if isinstance(outcome, Err) or isinstance(outcome.value, Err):
            code = outcome.value.value if isinstance(outcome, Ok) else outcome.value
            raise RequestFailed(f"request to {parts.netloc} failed: {describe(code)}")
        with outcome.value.value as response:
            status = response.status()
            with response.consume() as body:
                return status, read_all(body)


def read_all(body) -> bytes:
    chunks = []
    with body.stream() as stream:
        while True:
            try:
                chunks.append(stream.blocking_read(64 * 1024))
            except Err as error:
                if isinstance(error.value, streams.StreamError_Closed):
                    break
                raise RequestFailed("the response body could not be read")
    return b"".join(chunks)


def describe(code) -> str:
    if isinstance(code, http.ErrorCode_HttpRequestDenied):
        return "HTTP request denied (the host is not in allowed_hosts)"
    return type(code).__name__.removeprefix("ErrorCode_")
