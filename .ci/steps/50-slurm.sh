#!/usr/bin/env bash
# Slurm, for real: a single-node cluster from Debian's packages (munge, slurmctld, slurmd with
# proctrack/linuxproc and task/none, no cgroup.conf), then slurm/dlcheck-bench.sbatch submitted
# with sbatch, waited for, and its results fed to `dlcheck report` and `dlcheck bench compare`.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

if ! command -v slurmctld > /dev/null || ! command -v munged > /dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q > /dev/null
  apt-get install -y -q --no-install-recommends slurm-wlm munge > /dev/null
fi
dpkg-query -W -f='${Package} ${Version}\n' slurm-wlm munge 2> /dev/null || true

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
  if [ -s /run/munge/dlcheck-ci.pid ]; then
    kill "$(cat /run/munge/dlcheck-ci.pid)" 2> /dev/null || true
    rm -f /run/munge/dlcheck-ci.pid
  fi
  rm -rf "$work"
}
trap cleanup EXIT
show_logs() {
  echo "---- slurmctld.log" >&2; tail -n 30 "$work/slurmctld.log" >&2 || true
  echo "---- slurmd.log" >&2; tail -n 30 "$work/slurmd.log" >&2 || true
}

# munge: a fresh key for this one-node cluster
mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
chmod 0400 /etc/munge/munge.key
chmod 0755 /run/munge
# the pid file lives where the munge user may write it, so that cleanup can stop this munged
runuser -u munge -- /usr/sbin/munged --force --pid-file=/run/munge/dlcheck-ci.pid
for _ in $(seq 50); do munge -n > /dev/null 2>&1 && break; sleep 0.1; done
munge -n | unmunge > /dev/null

# slurm.conf: this machine as the only node, with what slurmd itself detects
node=$(hostname -s)
# (no `| head`: under pipefail a reader that stops early can kill the writer with SIGPIPE)
nodeline=$(slurmd -C)
nodeline=${nodeline%%$'\n'*}
nodeline=${nodeline/NodeName=$node/NodeName=$node NodeAddr=127.0.0.1}
mkdir -p /etc/slurm "$work/ctld" "$work/spool"
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=dlcheck-ci
SlurmctldHost=$node(127.0.0.1)
AuthType=auth/munge
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
StateSaveLocation=$work/ctld
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
SlurmctldTimeout=30
SlurmdTimeout=30
$nodeline State=UNKNOWN
PartitionName=ci Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
rm -f /etc/slurm/cgroup.conf  # proctrack/linuxproc + task/none need none

slurmctld -D -i > "$work/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D > "$work/slurmd.out" 2>&1 &
pids+=($!)
up=0
for _ in $(seq 60); do
  states=$(sinfo -h -o '%T' 2> /dev/null || true)
  if grep -qE '^(idle|mixed)' <<< "$states"; then up=1; break; fi
  sleep 1
done
if [ "$up" != 1 ]; then
  echo "slurm did not come up" >&2; sinfo >&2 || true; show_logs; exit 1
fi
sinfo
srun -N1 -t 1 hostname

# The job, as a user would submit it: GPU flag checked by a dry run (no GPU here).
dry=$(bash slurm/submit.sh --gpu 1 --dry-run)
grep -q -- '--gres=gpu:1' <<< "$dry"
results="$work/results"
cpus=$(nproc)
jobid=$(cd "$work" && DLCHECK_RESULTS="$results" \
  bash "$repo/slurm/submit.sh" --cpus "$cpus" -- --mem=2G --time=10)
echo "submitted job $jobid"
state=""
for _ in $(seq 300); do
  state=$(squeue -h -j "$jobid" -o '%T' 2> /dev/null || true)
  [ -z "$state" ] && break
  sleep 1
done
if [ -n "$state" ]; then
  echo "job $jobid still $state after the wait" >&2; scancel "$jobid" || true; show_logs; exit 1
fi
log="$work/dlcheck-bench-$jobid.out"
cat "$log"
# each file is said once, by dlcheck itself (the script used to repeat it)
grep -q "saved $results/$node.bench.json" "$log" || { show_logs; exit 1; }
[ "$(grep -c "wrote $results/$node.check.json" "$log")" = 1 ] || { show_logs; exit 1; }
test -s "$results/$node.check.json"

# The node's results in the fleet report...
set +e
dlcheck report "$results" --format json -o "$work/fleet.json"
rc=$?
set -e
[ "$rc" -le 1 ] || exit 1
python - "$work/fleet.json" "$node" <<'PY'
import json, sys

fleet = json.load(open(sys.argv[1]))
node = sys.argv[2]
assert fleet["skipped"] == [], fleet["skipped"]
(row,) = fleet["machines"]
assert row["benchmark"] and row["episode4_seconds"] > 0, row
assert len(row["sources"]) == 2, row["sources"]  # check and bench merged into one row
print(f"slurm: {row['machine']}: {row['verdict']}, {row['benchmark']}, "
      f"episode 4 predicted {row['episode4_seconds']:.0f} s")
PY
dlcheck report "$results" || true
# ... and compared with the same benchmark run directly, outside Slurm.
# 0 PASS/WARN, 1 FAIL, 3 BORDERLINE (a busy machine): a result either way; 2 is a fault
set +e
dlcheck bench --quick --save "$work/direct.bench.json" > /dev/null
rc=$?
set -e
{ [ "$rc" -le 3 ] && [ "$rc" -ne 2 ]; } || { echo "dlcheck bench exit $rc" >&2; exit 1; }
dlcheck bench compare "$work/direct.bench.json" "$results/$node.bench.json" \
  dlcheck/bench/references/*.json
echo "slurm step passed"
