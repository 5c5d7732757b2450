"""examples-python.parse_time: one date and time from free text, normalised.

Reads the Attune input document on stdin and prints a JSON result on stdout. A text with
no recognisable date fails with exit code 2 and the reason on stderr."""

import json
import sys

from dateutil import parser, tz


def main() -> int:
    document = json.load(sys.stdin)
    params, config = document["parameters"], document.get("config") or {}
    zone_name = params.get("timezone") or config.get("default_timezone") or "UTC"
    zone = tz.gettz(zone_name)
    if zone is None:
        print(f"unknown time zone: {zone_name}", file=sys.stderr)
        return 2
    try:
        moment = parser.parse(params["text"], fuzzy=True, dayfirst=params.get("dayfirst", False))
    except (ValueError, OverflowError) as error:
        print(f"no date and time found in {params['text']!r}: {error}", file=sys.stderr)
        return 2
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    moment = moment.astimezone(zone)
    print(json.dumps({
        "iso": moment.isoformat(),
        "epoch": moment.timestamp(),
        "timezone": zone_name,
        "weekday": moment.strftime("%A"),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
