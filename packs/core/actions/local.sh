#!/usr/bin/env bash
# core.local: runs PARAM_CMD with /bin/sh and reports its output as JSON.
# The command is written to a private temporary file and run from there, not passed in argv
# (so it never shows in the process table) nor on sh's stdin (where any command reading
# its input would swallow the rest of the script). It reads /dev/null instead.
set -u
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/work"
workdir="${PARAM_CWD:-$scratch/work}"
printf '%s\n' "$PARAM_CMD" >"$scratch/command.sh"
if cd "$workdir" 2>"$scratch/err"; then
  /bin/sh "$scratch/command.sh" </dev/null >"$scratch/out" 2>"$scratch/err"
  code=$?
else
  : >"$scratch/out"
  code=1
fi
# Mirror the command's stderr so it shows in the execution's live output.
cat "$scratch/err" >&2
python3 - "$scratch/out" "$scratch/err" "$code" <<'PY'
import json, sys
out, err, code = sys.argv[1], sys.argv[2], int(sys.argv[3])
read = lambda p: open(p, encoding="utf-8", errors="replace").read()
print(json.dumps({"stdout": read(out), "stderr": read(err), "exit_code": code}))
PY
exit "$code"
