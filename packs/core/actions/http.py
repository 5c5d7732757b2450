"""core.http: one HTTP request with the standard library only, so the core pack needs no
third-party packages. Reads the Attune input document on stdin, prints a JSON result."""

import os
import sys

# This file is called http.py, and Python puts the script's directory first on sys.path,
# where the standard library's `import http.client` (urllib needs it) would find this file
# instead of the `http` package. Drop that directory before importing anything that needs it.
_here = os.path.dirname(os.path.realpath(__file__))
sys.path[:] = [p for p in sys.path if os.path.realpath(p or os.curdir) != _here]

import json  # noqa: E402
import urllib.error  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402


def headers_of(message) -> dict:
    """Response headers as a dict; a header sent several times (Set-Cookie) keeps every value."""
    if message is None:
        return {}
    return {name: ", ".join(message.get_all(name)) for name in dict.fromkeys(message.keys())}


def main() -> int:
    params = json.load(sys.stdin)["parameters"]
    # urllib also opens file:// and ftp:// URLs: an HTTP action must not read local files.
    scheme = urllib.parse.urlsplit(params["url"]).scheme.lower()
    if scheme not in ("http", "https"):
        print(f"only http and https URLs are supported, not {scheme or 'a URL without scheme'}: {params['url']}", file=sys.stderr)
        return 2
    headers = dict(params.get("headers") or {})
    data = None
    if params.get("json") is not None:
        data = json.dumps(params["json"]).encode()
        headers.setdefault("Content-Type", "application/json")
    elif params.get("body") is not None:
        data = params["body"].encode()

    request = urllib.request.Request(params["url"], data=data, method=params["method"], headers=headers)
    # 0 means no limit of its own (the action's timeout still applies); urllib would take
    # it as "do not wait at all".
    timeout = params["timeout"] or None
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, reply_headers, raw = response.status, headers_of(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, reply_headers, raw = error.code, headers_of(error.headers), error.read()
    except (urllib.error.URLError, OSError) as error:
        print(f"request to {params['url']} failed: {error}", file=sys.stderr)
        return 1

    text = raw.decode("utf-8", errors="replace")
    try:
        body = json.loads(text)
    except ValueError:
        body = text
    print(json.dumps({"status": status, "headers": reply_headers, "body": body}))
    if params["fail_on_status"] and status >= 400:
        print(f"{params['method']} {params['url']} answered {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
