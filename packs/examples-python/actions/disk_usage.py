"""examples-python.disk_usage: file system usage, printed as YAML (output_format: yaml)."""

import csv
import json
import os
import shutil
import sys


def human(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} PiB"


def main() -> int:
    params = json.load(sys.stdin)["parameters"]
    path = params.get("path", "/")
    try:
        usage = shutil.disk_usage(path)
    except OSError as error:
        print(f"cannot read the file system of {path}: {error.strerror}", file=sys.stderr)
        return 2
    used_percent = round(100 * usage.used / usage.total, 1) if usage.total else 0.0
    # Written by hand: the standard library has no YAML emitter, and this shape is simple.
    # Strings go through json.dumps, whose quoted form is also valid YAML.
    print(f"path: {json.dumps(path)}")
    print(f"total_bytes: {usage.total}")
    print(f"used_bytes: {usage.used}")
    print(f"free_bytes: {usage.free}")
    print(f"used_percent: {used_percent}")
    print("human:")
    for key, value in (("total", usage.total), ("used", usage.used), ("free", usage.free)):
        print(f"  {key}: {json.dumps(human(value))}")
    print(f"warning: {'true' if used_percent >= params.get('warn_percent', 90) else 'false'}")
    # The same figures as a table, published as the execution's artifact `disk_usage.csv`.
    artifacts = os.environ.get("ATTUNE_ARTIFACTS_DIR")
    if artifacts:
        with open(os.path.join(artifacts, "disk_usage.csv"), "w", newline="") as table:
            writer = csv.writer(table)
            writer.writerow(["path", "total_bytes", "used_bytes", "free_bytes", "used_percent"])
            writer.writerow([path, usage.total, usage.used, usage.free, used_percent])
    return 0


if __name__ == "__main__":
    sys.exit(main())
