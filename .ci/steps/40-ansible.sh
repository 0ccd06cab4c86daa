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
cat > "$work/inventory.ini" <<INV
[local]
localhost ansible_connection=local ansible_python_interpreter=$(command -v python)
INV

export ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
timeout 300 ansible-playbook -i "$work/inventory.ini" ansible/site.yml \
  -e dlcheck_home="$work/home" -e dlcheck_results="$work/results" -e dlcheck_build="$work/build" \
  -e dlcheck_env_verify=true

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
timeout 300 ansible-playbook -i "$work/inventory.ini" ansible/site.yml \
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

folder, user = Path(sys.argv[1]), sys.argv[2]
for f in folder.glob("*.json"):
    data = json.loads(f.read_text())
    machine = data.get("facts", data)  # a check report's advice is the profile's text
    hit = len(user) >= 3 and re.search(rf"\b{re.escape(user)}\b", json.dumps(machine))
    assert not hit, f"{f.name} holds the user name {user}"
print("ansible: anonymised results hold no host name, user name or home path")
PY
echo "ansible step passed"
