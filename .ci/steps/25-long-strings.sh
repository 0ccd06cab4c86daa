#!/usr/bin/env bash
# The view and fleet tests a second time, on recorded machines whose every string is long
# (a 60-character CPU model, 40-character host names, long GPU names: tests/longstrings.py).
# A view that passed only because this machine's names are short fails here.
set -euo pipefail
cd "$(dirname "$0")/../.."
set +e
DLCHECK_LONG_STRINGS=1 python -m pytest -q -p no:cacheprovider \
  tests/test_views.py tests/test_views_readable.py tests/test_fleet_render.py \
  tests/test_fleet_aggregate.py
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "long strings: pytest collected no tests: failing" >&2
  exit 1
fi
exit "$rc"
