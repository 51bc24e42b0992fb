#!/usr/bin/env bash
# `make logs`: follow every log of the local stack (Ctrl-C to stop). `make logs SERVICE=gateway` for one.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
shopt -s nullglob
if [[ -n "${SERVICE:-}" ]]; then
  files=("$(log_file "$SERVICE")")
else
  files=("$LOG_DIR"/*.log)
fi
((${#files[@]} > 0)) && [[ -e "${files[0]}" ]] || die "no logs in $LOG_DIR yet: run make up first."
exec tail -n 50 -F "${files[@]}"
