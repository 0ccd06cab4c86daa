#!/usr/bin/env bash
# The course's PyTorch flavour end to end (issue 22): `dlcheck env create --setup keras-torch`
# from its universal lock (envs/keras-torch/pylock.txt; on Linux x86-64 PyPI's torch is the CUDA
# build, several GB, which also runs on a CPU) with uv, verified MATCH, its Jupyter kernel
# setting KERAS_BACKEND=torch; inside it `dlcheck check --course torch` is READY (warnings
# allowed: this machine may lack Graphviz, cores or disk), and `dlcheck bench --quick` with no
# --backend measures Keras on torch: the environment's backend, with no keras.json and no
# KERAS_BACKEND (TensorFlow is not installed there). The environment carries KERAS_BACKEND=torch
# itself (issue 29: its startup hook), so `import keras` there runs on torch with no variable
# set and never writes ~/.keras/keras.json; `dlcheck check --python` and `--kernel` from the
# CI's own install judge it as dlcheck inside it does (tests/test_python_option.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PIP_DISABLE_PIP_VERSION_CHECK=1
start=$SECONDS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# kernels and Keras's own config go to folders of this run, not to the CI user's
export JUPYTER_DATA_DIR="$work/jupyter" KERAS_HOME="$work/keras"
unset KERAS_BACKEND

py=""
for cand in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12.*/bin/python3.12 python3.12; do
  if "$cand" -c "import sys; assert sys.version_info[:2] == (3, 12)" 2>/dev/null; then
    py=$cand
    break
  fi
done
[ -n "$py" ] || { echo "22-torch-env: no Python 3.12 (pyenv or PATH)" >&2; exit 1; }
command -v dlcheck > /dev/null || { echo "22-torch-env: dlcheck not on PATH" >&2; exit 1; }
python -m pip install -q uv 2> >(grep -v "is neither a file nor a directory" >&2)

env="$work/env-torch"
kernel="dlcheck-torch-ci"
echo "-- dlcheck env create --setup keras-torch --python $py --uv"
t0=$SECONDS
dlcheck env create --setup keras-torch --prefix "$env" --python "$py" --kernel "$kernel" --uv
echo "   created in $((SECONDS - t0)) s ($(du -sm "$env" | cut -f1) MB)"

echo "-- dlcheck env verify --setup keras-torch in it (must match)"
"$env/bin/dlcheck" env verify --setup keras-torch --json > "$work/verify.json"
"$env/bin/python" - "$work/verify.json" "$JUPYTER_DATA_DIR/kernels/$kernel/kernel.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "dlcheck.env-verify" and d["verdict"] == "MATCH", d
print(f"   MATCH, {d['counts']['checked']} packages checked")
spec = json.load(open(sys.argv[2]))
assert spec.get("env", {}).get("KERAS_BACKEND") == "torch", spec
print(f"   kernel spec {sys.argv[2].split('/')[-2]}: env KERAS_BACKEND=torch")
PYEOF

echo "-- Keras in it with no variable set (issue 29): torch, ~/.keras/keras.json untouched"
before=$(sha256sum "$HOME/.keras/keras.json" 2> /dev/null || echo absent)
got=$(env -u KERAS_HOME -u KERAS_BACKEND "$env/bin/python" -c \
  "import keras; print(keras.backend.backend())" 2> /dev/null | tail -n 1) || got="(failed)"
after=$(sha256sum "$HOME/.keras/keras.json" 2> /dev/null || echo absent)
[ "$got" = torch ] || { echo "keras.backend.backend() in $env: '$got', expected torch" >&2; exit 1; }
[ "$before" = "$after" ] || { echo "~/.keras/keras.json changed: $before -> $after" >&2; exit 1; }
echo "   keras.backend.backend() = torch; ~/.keras/keras.json: ${after%% *} before and after"

echo "-- dlcheck check --course torch in it, no KERAS_BACKEND (READY, warnings allowed)"
set +e
"$env/bin/dlcheck" check --course torch --json > "$work/check.json"
rc=$?
set -e
"$env/bin/python" - "$work/check.json" "$rc" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
f = {x["id"]: x for x in d["findings"]}
bad = {k: (v["verdict"], v["observed"]) for k, v in f.items() if v["verdict"] in ("FAIL",)}
assert d["verdict"] in ("READY", "READY WITH WARNINGS"), (d["verdict"], bad)
assert sys.argv[2] == "0", sys.argv[2]
assert d["profile"]["course"] == "torch", d["profile"]
for rid in ("torch", "torch-works", "keras-works", "keras-backend", "environment-lock"):
    assert f[rid]["verdict"] == "PASS", f[rid]
assert "tensorflow" not in f, "the torch course does not require TensorFlow"
print(f"   {d['verdict']} (exit {sys.argv[2]}); torch-works: {f['torch-works']['observed']}")
print(f"   keras-backend: {f['keras-backend']['observed']}")
PYEOF

echo "-- dlcheck check --python / --kernel from the CI's own install: as dlcheck inside it"
DLCHECK_COMPARE_ENV="$env" DLCHECK_COMPARE_KERNEL="$kernel" DLCHECK_COMPARE_ARGS="--course torch" \
  python -m pytest -q -p no:cacheprovider tests/test_python_option.py -k inside_that_environment

echo "-- dlcheck bench --quick in it, no --backend and no KERAS_BACKEND: measures torch"
set +e
"$env/bin/dlcheck" bench --quick --json > "$work/bench.json"
rc=$?
set -e
[ "$rc" -ne 2 ] || { echo "bench failed (exit 2)" >&2; exit 1; }
"$env/bin/python" - "$work/bench.json" "$rc" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["context"]
assert c["backend"] == "torch", c["backend"]
print(f"   measured Keras {c['keras_version']} on {c['backend']} {c['backend_version']} (exit {sys.argv[2]})")
PYEOF
echo "-- torch env step done in $((SECONDS - start)) s"
