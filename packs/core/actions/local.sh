#!/usr/bin/env bash
# core.local: runs PARAM_CMD with /bin/sh and reports its output as JSON.
# The command text is handed to sh on its standard input, not its argv, so that it never
# shows in the process table.
set -u
workdir="${PARAM_CWD:-}"
if [ -z "$workdir" ]; then
  workdir=$(mktemp -d)
  trap 'rm -rf "$workdir"' EXIT
fi
out=$(mktemp); err=$(mktemp)
(cd "$workdir" && printf '%s\n' "$PARAM_CMD" | /bin/sh >"$out" 2>"$err")
code=$?
# Mirror the command's streams so they show in the execution's live output.
cat "$err" >&2
python3 - "$out" "$err" "$code" <<'PY'
import json, sys
out, err, code = sys.argv[1], sys.argv[2], int(sys.argv[3])
read = lambda p: open(p, encoding="utf-8", errors="replace").read()
print(json.dumps({"stdout": read(out), "stderr": read(err), "exit_code": code}))
PY
rm -f "$out" "$err"
exit "$code"
