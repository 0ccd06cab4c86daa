#!/usr/bin/env bash
# The core (`dlcheck check`, `--from`, the framework child, `env recommend/verify/create`) on
# the oldest Python it supports, 3.8 from pyenv: a learner whose python3 is Ubuntu 20.04's 3.8
# or macOS's 3.9 gets dlcheck's own diagnosis, not pip's "requires a different Python".
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
py=""
for candidate in "$root"/versions/3.8.*/bin/python3.8; do
  [ -x "$candidate" ] && py=$candidate
done
if [ -z "$py" ]; then
  echo "no Python 3.8 under $root/versions: install it with pyenv (pyenv install 3.8)" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$py" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install -q --upgrade pip
# pip resolves versions of dlcheck's dependencies that still run on 3.8 (click 8.1, rich...).
"$tmp/venv/bin/python" -m pip install -q . pytest pytest-timeout hypothesis
echo "Python: $("$tmp/venv/bin/python" --version)"
set +e
"$tmp/venv/bin/dlcheck" check --no-frameworks --json > "$tmp/report.json"
rc=$?
set -e
# This Python is too old for TensorFlow: NOT READY (exit 1), with the Python step first.
[ "$rc" -eq 1 ] || { echo "dlcheck check on 3.8 exited $rc, expected 1" >&2; exit 1; }
"$tmp/venv/bin/python" - "$tmp/report.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
by_id = {f["id"]: f for f in doc["findings"]}
assert doc["verdict"] == "NOT READY", doc["verdict"]
assert by_id["python-version"]["verdict"] == "FAIL", by_id["python-version"]
advice = by_id["python-version"]["advice"]
assert "3.12" in advice and ("pyenv" in advice or "uv python install" in advice), advice
print("3.8: NOT READY, first step:", advice[:100], "...")
PY
"$tmp/venv/bin/dlcheck" check --from "$tmp/report.json" --no-frameworks > /dev/null || [ $? -eq 1 ]
set +e
err=$("$tmp/venv/bin/dlcheck" bench --quick 2>&1)
rc=$?
set -e
[ "$rc" -eq 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || {
  echo "bench on 3.8 should be one line, exit 2; got $rc: $err" >&2
  exit 1
}
# `dlcheck check --python` (issue 29): this 3.8 judged from the CI's own dlcheck (too old:
# exit 1, its facts its own), and the CI's Python judged from the 3.8 install (the probe and
# the kernels run on 3.8 too).
set +e
dlcheck check --no-frameworks --json --python "$py" > "$tmp/py38.json"
rc=$?
"$tmp/venv/bin/dlcheck" check --no-frameworks --json --python "$(command -v python3)" > "$tmp/from38.json"
rc2=$?
set -e
[ "$rc" -eq 1 ] || { echo "check --python 3.8 exited $rc, expected 1" >&2; exit 1; }
case "$rc2" in 0|1|3) ;; *) echo "check --python from 3.8 exited $rc2" >&2; exit 1 ;; esac
"$tmp/venv/bin/python" - "$tmp/py38.json" "$tmp/from38.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert a["facts"]["python"]["version"].startswith("3.8.") and a["facts"]["python"]["chosen"] == "--python"
assert b["facts"]["python"]["chosen"] == "--python" and not b["facts"]["python"]["version"].startswith("3.8.")
print("check --python:", a["facts"]["python"]["version"], a["verdict"], "/ from 3.8:", b["facts"]["python"]["version"], b["verdict"])
PY
# The core tests (the rest needs 3.10: fleet reports, bench, TensorFlow).
# Here a test that needs TensorFlow skips (DLCHECK_CI would make it fail): there is none for 3.8.
cd "$tmp" && env -u DLCHECK_CI "$tmp/venv/bin/python" -m pytest -q -p no:cacheprovider --rootdir "$OLDPWD" \
  "$OLDPWD"/tests/test_probes.py "$OLDPWD"/tests/test_verdict.py "$OLDPWD"/tests/test_checks_advice.py \
  "$OLDPWD"/tests/test_frameworks_parse.py "$OLDPWD"/tests/test_frameworks_diagnose.py \
  "$OLDPWD"/tests/test_frameworks_probe.py "$OLDPWD"/tests/test_cli_check.py \
  "$OLDPWD"/tests/test_envs_recommend.py "$OLDPWD"/tests/test_envs_verify.py \
  "$OLDPWD"/tests/test_envs_locks.py "$OLDPWD"/tests/test_envs_setups.py \
  "$OLDPWD"/tests/test_envs_create.py
