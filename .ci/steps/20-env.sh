#!/usr/bin/env bash
# envs/ for real, the way learners make it: `dlcheck env create` from the cpu setup's universal
# lock (envs/cpu/pylock.txt) on two Pythons (3.12 and 3.10, from pyenv), each verified (MATCH)
# with its Jupyter kernel registered; `dlcheck check` inside the 3.12 one must find TensorFlow
# working and the environment matching; a re-run is a no-op; then one package is changed and
# verify must fail (exit 1) with a readable list.
# uv installs (`env create --uv`, the same hash checking as pip's): with a warm cache it takes
# seconds where pip took minutes on the 2-core CI machine. Learners get pip unless uv is there.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PIP_DISABLE_PIP_VERSION_CHECK=1
start=$SECONDS
work=$(mktemp -d)
# kernels go to a folder of this run, not to the CI user's Jupyter
export JUPYTER_DATA_DIR="$work/jupyter"

# a Python X.Y from pyenv's versions or PATH; installed with pyenv when missing
find_python() {
  local want=$1 cand
  for cand in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$want".*/bin/python"$want" "python$want"; do
    if "$cand" -c "import sys; assert '%d.%d' % sys.version_info[:2] == '$want'" 2>/dev/null; then
      echo "$cand"; return 0
    fi
  done
  if command -v pyenv > /dev/null; then
    echo "20-env: installing Python $want with pyenv" >&2
    timeout 900 pyenv install -s "$want" >&2 || return 1
    find_python "$want"; return
  fi
  return 1
}

command -v dlcheck > /dev/null || { echo "20-env: dlcheck not on PATH (run from .ci/run)" >&2; exit 1; }
python -m pip install -q uv 2> >(grep -v "is neither a file nor a directory" >&2)

for ver in 3.12 3.10; do
  py=$(find_python "$ver") || { echo "20-env: no Python $ver (pyenv or PATH)" >&2; exit 1; }
  env="$work/env-cpu-$ver"
  kernel="dlcheck-cpu-py${ver/./}"
  echo "-- dlcheck env create --setup cpu --python $py ($ver) --uv"
  t0=$SECONDS
  dlcheck env create --setup cpu --prefix "$env" --python "$py" --kernel "$kernel" --uv
  echo "   created in $((SECONDS - t0)) s ($(du -sm "$env" | cut -f1) MB)"

  echo "-- dlcheck env verify --setup cpu in it (must match)"
  "$env/bin/dlcheck" env verify --setup cpu --json > "$work/verify-$ver.json"
  "$env/bin/python" - "$work/verify-$ver.json" "$ver" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "dlcheck.env-verify" and d["schema_version"] == 1, d
assert d["verdict"] == "MATCH" and d["platform"] == "linux-64", d
assert d["python_version"].startswith(sys.argv[2] + "."), d["python_version"]
assert d["counts"]["checked"] > 100, d["counts"]
print(f"   MATCH on Python {d['python_version']}, {d['counts']['checked']} packages checked")
PYEOF

  echo "-- dlcheck env verify with no option in it: the lock it was made from, said"
  "$env/bin/dlcheck" env verify -q -v > "$work/plain-$ver.txt" 2> "$work/plain-$ver.err"
  grep -q "^MATCH: " "$work/plain-$ver.txt" || { cat "$work/plain-$ver.txt" >&2; exit 1; }
  grep -q "lock chosen: setup cpu, named by .*dlcheck-env.json" "$work/plain-$ver.err" \
    || { cat "$work/plain-$ver.err" >&2; exit 1; }
  echo "   $(cat "$work/plain-$ver.txt")"

  echo "-- jupyter kernelspec list shows $kernel"
  specs=$("$env/bin/jupyter" kernelspec list)
  grep -q -- "$kernel" <<< "$specs" || { echo "$specs" >&2; echo "kernel $kernel missing" >&2; exit 1; }
  echo "   kernel $kernel registered"
done

env312="$work/env-cpu-3.12"
echo "-- a second env create on the finished environment changes nothing"
again=$(dlcheck env create --setup cpu --prefix "$env312" --kernel dlcheck-cpu-py312 --uv)
grep -q "nothing to do" <<< "$again" || { echo "$again" >&2; exit 1; }
echo "   no-op: ${again%%$'\n'*}"

echo "-- dlcheck check in the 3.12 environment (TensorFlow must be found working)"
set +e
"$env312/bin/dlcheck" check --json > "$work/check.json"
rc=$?
set -e
echo "   dlcheck check exit status $rc (1 = NOT READY is allowed: this CI machine may lack a GPU or disk)"
"$env312/bin/python" - "$work/check.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
f = {x["id"]: x for x in d["findings"]}
assert f["tensorflow"]["verdict"] == "PASS", f["tensorflow"]
print(f"   verdict {d['verdict']}; tensorflow requirement: PASS ({f['tensorflow']['observed']})")
env = d["facts"].get("environment")  # facts: what was found, not a verdict
assert env and env.get("setup") == "cpu" and env["counts"]["missing"] == 0, env
assert env["counts"]["different"] == 0, env
lock = f["environment-lock"]  # the judgement: a requirement like every other
assert lock["verdict"] == "PASS", lock
print(f"   check found the environment: setup {env['setup']}, environment-lock PASS")
PYEOF
"$env312/bin/python" -c "import tensorflow as tf; print('   TensorFlow', tf.__version__, 'sums to', int(tf.reduce_sum(tf.ones([3]))))"

echo "-- dlcheck check --python / --kernel from the CI's own install: as dlcheck inside it (issue 29)"
DLCHECK_COMPARE_ENV="$env312" DLCHECK_COMPARE_KERNEL=dlcheck-cpu-py312 \
  python -m pytest -q -p no:cacheprovider tests/test_python_option.py -k inside_that_environment

echo "-- the Slurm job script with DLCHECK_ENV_SETUP=cpu uses env create (a no-op here) and runs inside"
slurm_out=$(DLCHECK_ENV_SETUP=cpu DLCHECK_ENV_PREFIX="$env312" DLCHECK_NO_BENCH=1 \
  DLCHECK_RESULTS="$work/slurm" bash slurm/dlcheck-bench.sbatch)
grep -q "nothing to do" <<< "$slurm_out" || { echo "$slurm_out" >&2; exit 1; }
"$env312/bin/python" - "$work/slurm" <<'PYEOF'
import glob, json, sys
(path,) = glob.glob(sys.argv[1] + "/*.check.json")
doc = json.load(open(path))
env = doc["facts"].get("environment")
lock = {x["id"]: x for x in doc["findings"]}["environment-lock"]
assert env and env.get("setup") == "cpu" and lock["verdict"] == "PASS", (env, lock)
print(f"   sbatch script ran check inside {env.get('setup')}: environment-lock PASS")
PYEOF

echo "-- change one package (six 1.17.0 -> 1.16.0); verify must fail with a readable list"
python -m uv pip install -q --python "$env312/bin/python" --no-deps "six==1.16.0"
set +e
"$env312/bin/dlcheck" env verify --setup cpu > "$work/verify-bad.txt"
rc=$?
set -e
cat "$work/verify-bad.txt"
[ "$rc" -eq 1 ] || { echo "verify should exit 1 after the change, got $rc" >&2; exit 1; }
grep -q "six (pip): lock 1.17.0, installed 1.16.0" "$work/verify-bad.txt"
rm -rf "$work"
echo "-- env step done in $((SECONDS - start)) s"
