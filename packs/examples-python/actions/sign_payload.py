"""examples-python.sign_payload: HMAC signature of a JSON payload with a granted secret."""

import hashlib
import hmac
import json
import sys


def main() -> int:
    document = json.load(sys.stdin)
    params, secrets = document["parameters"], document["secrets"]
    key = secrets.get("webhook_signing_key")
    if not key:
        print("the webhook_signing_key secret is not set or not granted to this action", file=sys.stderr)
        return 2
    algorithm = params.get("algorithm", "sha256")
    body = json.dumps(params["payload"], separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    digest = hmac.new(key.encode(), body.encode(), getattr(hashlib, algorithm)).hexdigest()
    print(json.dumps({"body": body, "signature": f"{algorithm}={digest}"}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
