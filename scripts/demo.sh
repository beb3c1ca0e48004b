#!/usr/bin/env bash
# The utrace demo, for a fresh Debian 12 machine, as root:
#   bash scripts/demo.sh
# Sets the machine up, builds utrace into build/, starts the sample Go program at /tmp/counter
# and traces it for five seconds: one line a second, then the maps when utrace is interrupted.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash scripts/setup.sh

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j2 --target utrace

# `go build` needs a writable cache; without a usable HOME, keep it under /tmp.
if [ -z "${HOME:-}" ] || [ ! -w "${HOME:-/nonexistent}" ]; then
  export GOCACHE=/tmp/utrace-gocache
fi
go build -o /tmp/counter samples/go/counter/main.go

counter_pid=
stop_counter() {
  if [ -n "$counter_pid" ]; then
    kill "$counter_pid" 2>/dev/null || true
    wait "$counter_pid" 2>/dev/null || true
  fi
}
trap stop_counter EXIT

/tmp/counter &
counter_pid=$!
sleep 0.5

# SIGINT, as Ctrl-C would: utrace then prints its maps and exits 0. --preserve-status makes
# timeout(1) return utrace's own status instead of 124; -k kills a utrace that hangs on exit.
status=0
timeout --preserve-status -k 10 -s INT 5 build/runtime/utrace -e 'uprobe:/tmp/counter:"main.doWork" { @ = *uaddr("main.counter"); } interval:s:1 { printf("counter: %d\t %d ops/sec\n", @, @-@prev); @prev = @; }' || status=$?
if [ "$status" -ne 0 ]; then
  echo "demo: utrace exited with status $status" >&2
  exit "$status"
fi
