"""core.http: one HTTP request with the standard library only, so the core pack needs no
third-party packages. Reads the Attune input document on stdin, prints a JSON result."""

import json
import sys
import urllib.error
import urllib.request


def main() -> int:
    params = json.load(sys.stdin)["parameters"]
    headers = dict(params.get("headers") or {})
    data = None
    if params.get("json") is not None:
        data = json.dumps(params["json"]).encode()
        headers.setdefault("Content-Type", "application/json")
    elif params.get("body") is not None:
        data = params["body"].encode()

    request = urllib.request.Request(params["url"], data=data, method=params["method"], headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=params["timeout"]) as response:
            status, reply_headers, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, reply_headers, raw = error.code, dict(error.headers), error.read()
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
