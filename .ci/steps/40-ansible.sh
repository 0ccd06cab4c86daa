#!/usr/bin/env bash
# Ansible, for real: run ansible/site.yml against localhost (ansible_connection=local): it
# installs dlcheck into its own venv, runs `dlcheck check --json`, fetches the result and
# builds the fleet report. Then check that report against the host's own result.
set -euo pipefail
cd "$(dirname "$0")/../.."
python -m pip install -q ansible-core
# the first line only, without `| head -1`: under pipefail head's early exit can kill
# ansible-playbook with SIGPIPE and fail the step at random
version=$(ansible-playbook --version)
echo "${version%%$'\n'*}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
host=$(python -c 'import socket; print(socket.gethostname())')
# The README's example inventory as written (its [local] group), on a controller whose
# python3.X is a pyenv shim: pyenv's own shims when pyenv is here, else shims that fail as
# pyenv's do for a version that is not selected ("pyenv: python3.13: command not found", 127).
shims=""
if command -v pyenv >/dev/null 2>&1 && [ -d "$(pyenv root)/shims" ]; then
  shims="$(pyenv root)/shims"
elif [ -d "$HOME/.pyenv/shims" ]; then
  shims="$HOME/.pyenv/shims"
else
  shims="$work/shims"
  mkdir -p "$shims"
  for v in 3.14 3.13 3.12 3.11 3.10 3.9 3.8; do
    printf '#!/usr/bin/env bash\necho "pyenv: python%s: command not found" >&2\nexit 127\n' \
      "$v" > "$shims/python$v"
    chmod +x "$shims/python$v"
  done
fi
echo "controller PATH starts with pyenv shims: $shims"

export ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
PATH="$shims:$PATH" timeout 300 ansible-playbook -i ansible/inventory.example.ini --limit local \
  ansible/site.yml \
  -e dlcheck_home="$work/home" -e dlcheck_results="$work/results" -e dlcheck_build="$work/build" \
  -e dlcheck_env_verify=true | tee "$work/play.log"
# the summary is plain text: no Markdown escapes, plural forms right
grep -q 'of 1 machine ready' "$work/play.log" || { echo "no plain-text summary" >&2; exit 1; }
if grep -qE '\\\[|\\\]|1 files read|1 machines' "$work/play.log"; then
  echo "summary shows Markdown escapes or a wrong plural" >&2
  exit 1
fi

res="$work/results"
test -s "$res/hosts/localhost.check.json"
test -s "$res/hosts/localhost.env.json"
test -x "$work/home/venv/bin/dlcheck"
for f in fleet.html fleet.md fleet.csv fleet.json; do test -s "$res/$f"; done
python - "$res" "$host" <<'PY'
import json, sys
from pathlib import Path

res, host = Path(sys.argv[1]), sys.argv[2]
check = json.loads((res / "hosts/localhost.check.json").read_text())
fleet = json.loads((res / "fleet.json").read_text())
assert check["schema"] == "dlcheck.report", check.get("schema")
assert check["facts"]["platform"]["hostname"] == host, check["facts"]["platform"]["hostname"]
assert fleet["schema"] == "dlcheck.fleet" and fleet["summary"]["machines"] == 1, fleet["summary"]
(row,) = fleet["machines"]
assert row["machine"] == host, row
assert row["check_verdict"] == check["verdict"], (row, check["verdict"])
env = json.loads((res / "hosts/localhost.env.json").read_text())
assert env["schema"] == "dlcheck.env-verify" and env["hostname"] == host, env.get("hostname")
# dlcheck's own venv is not the course environment: the lock cannot match, and the row says so
assert row["environment"].startswith(env["verdict"]), (row["environment"], env["verdict"])
assert len(row["sources"]) == 2 and row["verdict"] == "NOT READY", row
assert fleet["skipped"] == [], fleet["skipped"]
html = (res / "fleet.html").read_text()
assert "<table id='machines'>" in html and host in html and "id='summary'" in html
md = (res / "fleet.md").read_text()
assert f"| {host} |" in md.replace("\\", "") or host in md
print(f"ansible: report of {host}: {row['verdict']} ({len(row['failing'])} failing)")
PY
# the exit status of dlcheck report says whether the machine is ready
set +e
dlcheck report "$res/hosts" --format csv >/dev/null
rc=$?
set -e
[ "$rc" = 1 ] || { echo "dlcheck report exit $rc, expected 1 (not ready)" >&2; exit 1; }

# dlcheck_anonymize: no host name, user name or home path in any output (issue 19): every
# result the hosts write, the fetched file names and the four fleet reports
anon="$work/anon-results"
PATH="$shims:$PATH" timeout 300 ansible-playbook -i ansible/inventory.example.ini --limit local \
  ansible/site.yml \
  -e dlcheck_home="$work/home" -e dlcheck_results="$anon" -e dlcheck_build="$work/build" \
  -e dlcheck_env_verify=true -e dlcheck_anonymize=true
user=$(python -c 'import getpass; print(getpass.getuser())')
ls "$anon/hosts" | grep -q '^anon-.*\.check\.json$'
! ls "$anon/hosts" | grep -F -- "localhost"
if grep -rlwF -- "$host" "$anon"; then echo "anonymised output holds $host" >&2; exit 1; fi
if grep -rlF -- "$HOME/" "$anon"; then echo "anonymised output holds $HOME" >&2; exit 1; fi
python - "$anon/hosts" "$user" <<'PY'
import json, re, sys
from pathlib import Path

def values(x):  # the values only: a key such as "root" (platform.root) names a fact
    if isinstance(x, dict):
        for v in x.values():
            yield from values(v)
    elif isinstance(x, list):
        for v in x:
            yield from values(v)
    elif isinstance(x, str):
        yield x


folder, user = Path(sys.argv[1]), sys.argv[2]
for f in folder.glob("*.json"):
    data = json.loads(f.read_text())
    machine = data.get("facts", data)  # a check report's advice is the profile's text
    text = "\n".join(values(machine))
    hit = len(user) >= 3 and re.search(rf"\b{re.escape(user)}\b", text)
    assert not hit, f"{f.name} holds the user name {user}: " + repr(
        [v for v in values(machine) if re.search(rf"\b{re.escape(user)}\b", v)][:3])
print("ansible: anonymised results hold no host name, user name or home path")
PY
echo "ansible step passed"
