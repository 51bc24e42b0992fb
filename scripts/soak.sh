#!/usr/bin/env bash
# `make soak`: the long variants of the fault suite (SOAK=1) — the 10-minute mixed-load soak, Redis stopped for 30 s,
# Postgres down for 20 s, and the other scenarios at their long settings — one file at a time, so the memory figures
# are the stack's own. Needs what make test needs. Prints each scenario's [fault-result] line at the end (the
# figures docs/reliability.md quotes); the full output is in .run/soak.log. About 15 minutes.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
mkdir -p .run
status=0
SOAK=1 scripts/test.sh --maxWorkers=1 --minWorkers=1 test/faults 2>&1 | tee .run/soak.log || status=$?
step "Results (docs/reliability.md)"
grep -o '\[fault-result\].*' .run/soak.log || echo "no [fault-result] line: see .run/soak.log"
exit "$status"
