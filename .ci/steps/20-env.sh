#!/usr/bin/env bash
# envs/ for real: a fresh venv from the linux-64 `cpu` pip lock with hash checking;
# `dlcheck env verify` must pass there and `dlcheck check` must find TensorFlow working;
# then one package is changed and verify must fail (exit 1) with a readable list.
# The venv is filled by uv (`uv pip install --require-hashes`, the same hash checking as pip's):
# with a warm cache it takes seconds where pip took 216 s on the 2-core CI machine; uv's cache
# (~/.cache/uv) makes reruns fast. Learners use pip (README); the lock is the same file.
set -euo pipefail
cd "$(dirname "$0")/../.."
LOCK=envs/cpu/linux-64.txt
# The locks are made for Python 3.12 (dlcheck/envs/setups.toml); the CI machine's python3 is
# 3.11, so take a 3.12 from PATH or pyenv's versions.
PY=${DLCHECK_ENV_PYTHON:-}
if [ -z "$PY" ]; then
  # pyenv's shims answer to python3.12 even when it is not selected: try each candidate.
  for cand in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3.12 python3.12; do
    if "$cand" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
      PY=$cand
      break
    fi
  done
fi
if [ -z "$PY" ]; then
  echo "20-env: no Python 3.12 found (PATH or pyenv); the cpu lock is made for 3.12" >&2
  exit 1
fi
VENV=${DLCHECK_ENV_VENV:-$(mktemp -d)/venv-cpu}
export PIP_DISABLE_PIP_VERSION_CHECK=1
start=$SECONDS
# pip: keep its errors, drop the machine's pip.conf noise about absent local index folders.
quiet_pip() { "$@" 2> >(grep -v "is neither a file nor a directory" >&2); }

TOOLS=$(dirname "$VENV")/tools
quiet_pip "$PY" -m venv "$TOOLS"
quiet_pip "$TOOLS/bin/python" -m pip install -q uv
UV="$TOOLS/bin/uv"

echo "-- fresh venv $VENV ($("$PY" --version)) from $LOCK (uv pip install --require-hashes)"
"$PY" -m venv "$VENV"
"$UV" pip install -q --python "$VENV/bin/python" --require-hashes -r "$LOCK"
# dlcheck itself is not on PyPI: from this checkout, without dependencies (all are in the lock).
"$UV" pip install -q --python "$VENV/bin/python" --no-deps -e .
echo "   installed in $((SECONDS - start)) s"

echo "-- dlcheck env verify --setup cpu (must match)"
"$VENV/bin/dlcheck" env verify --setup cpu

echo "-- dlcheck env verify --json: schema and verdict"
"$VENV/bin/dlcheck" env verify --setup cpu --json > "$VENV/verify.json"
"$VENV/bin/python" - "$VENV/verify.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "dlcheck.env-verify" and d["schema_version"] == 1, d
assert d["verdict"] == "MATCH" and d["platform"] == "linux-64", d
assert d["counts"]["checked"] > 100, d["counts"]
print(f"   MATCH, {d['counts']['checked']} packages checked")
PYEOF

echo "-- dlcheck check in that venv (TensorFlow must be found working)"
set +e
"$VENV/bin/dlcheck" check --json > "$VENV/check.json"
rc=$?
set -e
echo "   dlcheck check exit status $rc (1 = NOT READY is allowed: this CI machine may lack a GPU or disk)"
"$VENV/bin/python" - "$VENV/check.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
f = {x["id"]: x for x in d["findings"]}
assert f["tensorflow"]["verdict"] == "PASS", f["tensorflow"]
print(f"   tensorflow requirement: PASS ({f['tensorflow']['observed']})")
env = d["facts"]["extra"].get("environment")
assert env and env.get("setup") == "cpu" and env.get("verdict") == "MATCH", env
print(f"   check found the environment: setup {env['setup']}, {env['verdict']}")
fw = d["facts"]["extra"].get("frameworks")
if fw is not None:
    text = json.dumps(fw)
    assert "tensorflow" in text, "frameworks section does not mention TensorFlow"
    print("   frameworks section present")
PYEOF

echo "-- change one package (six 1.17.0 -> 1.16.0); verify must fail with a readable list"
"$UV" pip install -q --python "$VENV/bin/python" --no-deps "six==1.16.0"
set +e
"$VENV/bin/dlcheck" env verify --setup cpu > "$VENV/verify-bad.txt"
rc=$?
set -e
cat "$VENV/verify-bad.txt"
[ "$rc" -eq 1 ] || { echo "verify should exit 1 after the change, got $rc" >&2; exit 1; }
grep -q "six (pip): lock 1.17.0, installed 1.16.0" "$VENV/verify-bad.txt"
echo "-- env step done in $((SECONDS - start)) s"
