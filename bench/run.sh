#!/usr/bin/env bash
# utrace vs bpftrace on the same one-liners against the sample Go counter and the C tracee
# tests/runtime/tracees/calls.c; prints utrace/bpftrace ratios. Run as root:   bench/run.sh
#
# Environment (all optional):
#   BENCH_RUNS=5         start-up runs per tool (median reported)
#   BENCH_COST_SECS=5    how long each tool runs the seed one-liner per cost round
#   BENCH_COST_ROUNDS=3  cost rounds (tools alternate; median of the rounds reported)
#   BENCH_TIMEOUT=30     seconds to wait for a tracer's first output before giving up
#   BENCH_EVENT_CALLS=2000000  calls traced with printf (events delivered / lost)
#   BENCH_MAP_KEYS=100000      keys in the map printed at exit
#   BENCH_EVENT_RUNS=3   runs per tool of each of those two (median reported)
#   BENCH_TRACEE_DELAY_MS=1000 the C tracee waits this long after the tracer's "Attaching" line
#   BENCH_TRACEE_TIMEOUT=300   seconds the C tracee may take for its calls
#   BENCH_WORK=/tmp/ut-bench   scratch dir (counter and calls binaries, tracers' stderr)
#   UTRACE=<path>        utrace binary (default: build/runtime/utrace, built if missing)
#   BPFTRACE=<path>      bpftrace binary (default: bpftrace on PATH; empty = skip it)
#
# Always, also on Ctrl-C / SIGTERM: the tracers and the counter are stopped and
# kernel.bpf_stats_enabled gets its old value back.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
WORK=${BENCH_WORK:-/tmp/ut-bench}
RUNS=${BENCH_RUNS:-5}
COST_SECS=${BENCH_COST_SECS:-5}
COST_ROUNDS=${BENCH_COST_ROUNDS:-3}
TIMEOUT=${BENCH_TIMEOUT:-30}
EVENT_CALLS=${BENCH_EVENT_CALLS:-2000000}
MAP_KEYS=${BENCH_MAP_KEYS:-100000}
EVENT_RUNS=${BENCH_EVENT_RUNS:-3}
WILDCARD_RUNS=${BENCH_WILDCARD_RUNS:-1}
TRACEE_DELAY_MS=${BENCH_TRACEE_DELAY_MS:-1000}
TRACEE_TIMEOUT=${BENCH_TRACEE_TIMEOUT:-300}
UTRACE=${UTRACE:-$ROOT/build/runtime/utrace}
BPFTRACE=${BPFTRACE-$(command -v bpftrace 2>/dev/null || true)}
STATS=/proc/sys/kernel/bpf_stats_enabled

die() { echo "bench: $*" >&2; exit 1; }

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, not '$RUNS'"
[[ $COST_ROUNDS =~ ^[1-9][0-9]*$ ]] || die "BENCH_COST_ROUNDS must be a positive integer, not '$COST_ROUNDS'"
[[ $COST_SECS =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "BENCH_COST_SECS must be a number, not '$COST_SECS'"
[[ $TIMEOUT =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "BENCH_TIMEOUT must be a number, not '$TIMEOUT'"
[[ $EVENT_CALLS =~ ^[1-9][0-9]*$ ]] || die "BENCH_EVENT_CALLS must be a positive integer, not '$EVENT_CALLS'"
[[ $MAP_KEYS =~ ^[1-9][0-9]*$ ]] || die "BENCH_MAP_KEYS must be a positive integer, not '$MAP_KEYS'"
[[ $EVENT_RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_EVENT_RUNS must be a positive integer, not '$EVENT_RUNS'"
[[ $WILDCARD_RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_WILDCARD_RUNS must be a positive integer, not '$WILDCARD_RUNS'"
[[ $TRACEE_DELAY_MS =~ ^[0-9]+$ ]] || die "BENCH_TRACEE_DELAY_MS must be an integer, not '$TRACEE_DELAY_MS'"
[[ $TRACEE_TIMEOUT =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "BENCH_TRACEE_TIMEOUT must be a number, not '$TRACEE_TIMEOUT'"
[[ $(id -u) -eq 0 ]] || die "must run as root (BPF programs, bpf_stats_enabled)"
command -v python3 >/dev/null || die "python3 not found"
command -v go >/dev/null || die "go not found (needed to build the sample counter)"
command -v cc >/dev/null || die "cc not found (needed to build the C tracee calls.c)"
[[ -e $STATS ]] || die "$STATS missing: this kernel has no BPF run-time stats"

PY_PID=""
COUNTER_PID=""
OLD_STATS=""

cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if [[ -n $PY_PID ]] && kill -0 "$PY_PID" 2>/dev/null; then
        # The helper stops its tracers on SIGTERM; give it time, then make sure.
        local kids
        kids=$(pgrep -P "$PY_PID" 2>/dev/null || true)
        kill -TERM "$PY_PID" 2>/dev/null
        for _ in $(seq 100); do kill -0 "$PY_PID" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$PY_PID" 2>/dev/null; then
            kill -KILL "$PY_PID" 2>/dev/null
        fi
        wait "$PY_PID" 2>/dev/null
        for k in $kids; do  # tracers it started, if it could not stop them itself
            kill -0 "$k" 2>/dev/null && kill -INT "$k" 2>/dev/null && sleep 1
            kill -0 "$k" 2>/dev/null && kill -KILL "$k" 2>/dev/null
        done
    fi
    if [[ -n $COUNTER_PID ]]; then
        kill -TERM "$COUNTER_PID" 2>/dev/null
        wait "$COUNTER_PID" 2>/dev/null
    fi
    if [[ -n $OLD_STATS ]]; then
        sysctl -qw kernel.bpf_stats_enabled="$OLD_STATS" 2>/dev/null || echo "$OLD_STATS" >"$STATS" ||
            echo "bench: could not restore kernel.bpf_stats_enabled=$OLD_STATS" >&2
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

mkdir -p "$WORK" || die "cannot create $WORK"

# utrace: build it if missing (never reconfigures the build dir).
if [[ ! -x $UTRACE ]]; then
    [[ -f $ROOT/build/CMakeCache.txt ]] || die "$UTRACE missing and no configured build dir at $ROOT/build"
    echo "bench: building utrace" >&2
    timeout 1800 cmake --build "$ROOT/build" -j2 --target utrace >&2 || die "utrace build failed"
fi
[[ -x $UTRACE ]] || die "$UTRACE not found"

# The traced program.
export GOCACHE=${GOCACHE:-$WORK/gocache}
[[ -n ${HOME:-} ]] || export GOPATH=${GOPATH:-$WORK/gopath}
echo "bench: building the Go counter" >&2
timeout 600 go build -o "$WORK/counter" "$ROOT/samples/go/counter/main.go" >&2 || die "go build of the counter failed"
# -O0 keeps f() a real call per iteration.
timeout 120 cc -O0 -g -o "$WORK/calls" "$ROOT/tests/runtime/tracees/calls.c" >&2 || die "cc of calls.c failed"
"$WORK/counter" </dev/null >/dev/null 2>"$WORK/counter.err" &
COUNTER_PID=$!
sleep 0.3
kill -0 "$COUNTER_PID" 2>/dev/null || die "the counter exited: $(cat "$WORK/counter.err")"

OLD_STATS=$(cat "$STATS")
sysctl -qw kernel.bpf_stats_enabled=1 || die "cannot set kernel.bpf_stats_enabled=1"

echo "utrace:   $UTRACE ($(timeout 10 "$UTRACE" -V 2>&1 </dev/null | head -1))"
# bpftrace is optional: without it the bench measures utrace alone.
if [[ -n $BPFTRACE && -x $BPFTRACE ]]; then
    echo "bpftrace: $BPFTRACE ($(timeout 10 "$BPFTRACE" -V 2>&1 </dev/null | head -1))"
else
    echo "bpftrace: not installed${BPFTRACE:+ ($BPFTRACE not found)}"
fi
echo "kernel $(uname -r), $(nproc) CPUs; counter pid $COUNTER_PID ($WORK/counter)"

python3 "$HERE/bench.py" --utrace "$UTRACE" --bpftrace "$BPFTRACE" --counter "$WORK/counter" \
    --work "$WORK" --runs "$RUNS" --cost-secs "$COST_SECS" --cost-rounds "$COST_ROUNDS" --timeout "$TIMEOUT" \
    --calls "$WORK/calls" --event-calls "$EVENT_CALLS" --map-keys "$MAP_KEYS" --event-runs "$EVENT_RUNS" \
    --wildcard-runs "$WILDCARD_RUNS" --tracee-delay-ms "$TRACEE_DELAY_MS" --tracee-timeout "$TRACEE_TIMEOUT" &
PY_PID=$!
wait "$PY_PID"
rc=$?
PY_PID=""
kill -0 "$COUNTER_PID" 2>/dev/null || echo "bench: warning: the counter died during the run" >&2
exit "$rc"
