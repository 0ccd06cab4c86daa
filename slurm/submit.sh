#!/usr/bin/env bash
# Submit slurm/dlcheck-bench.sbatch with the usual choices spelled out.
#
#   slurm/submit.sh [--gpu [TYPE:]N] [--cpus N] [--partition P] [--account A] [--full]
#                   [--dry-run] [-- more sbatch options]
#
# --gpu 1 (or --gpu a100:1) requests GPUs with --gres=gpu:...; --full runs the whole benchmark
# instead of --quick; --dry-run prints the sbatch command without submitting.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
args=()
dry=0
while [ $# -gt 0 ]; do
  case "$1" in
    --gpu) args+=("--gres=gpu:${2:?--gpu needs a count, e.g. 1 or a100:1}"); shift 2 ;;
    --cpus) args+=("--cpus-per-task=${2:?}"); shift 2 ;;
    --partition) args+=("--partition=${2:?}"); shift 2 ;;
    --account) args+=("--account=${2:?}"); shift 2 ;;
    --full) export DLCHECK_BENCH_ARGS=""; shift ;;
    --dry-run) dry=1; shift ;;
    --) shift; args+=("$@"); break ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "submit.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
cmd=(sbatch --parsable "${args[@]}" "$here/dlcheck-bench.sbatch")
if [ "$dry" = 1 ]; then
  printf '%q ' "${cmd[@]}"; echo
  exit 0
fi
"${cmd[@]}"
