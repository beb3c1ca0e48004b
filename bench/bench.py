#!/usr/bin/env python3
"""Measure utrace and bpftrace side by side against the sample Go counter.

Called by bench/run.sh, which builds and starts the counter, turns on
kernel.bpf_stats_enabled and undoes both at exit. This script only runs the
tracers, always stops them (SIGINT, again SIGINT, then SIGKILL) and prints the
table. Standard library only.

Two measurements per tool:
  start-up   wall time from launch to the first stdout line after the
             "Attaching N probes..." line, with a BEGIN { printf("ready\\n"); }
             variant; BENCH_RUNS runs per tool, interleaved; the median is shown.
  cost       the seed one-liner runs BENCH_COST_SECS seconds; just before it is
             stopped, run_time_ns / run_cnt of its uprobe program (prog_type 2)
             are read from /proc/<pid>/fdinfo/<fd> of the tracer's bpf-prog fds.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import threading
import time

PROG_TYPE_KPROBE = 2  # uprobes are kprobe-type programs
PROG_TYPE_PERF_EVENT = 7  # interval:s:1

SEED = ('uprobe:{bin}:"main.doWork" {{ @ = *uaddr("main.counter"); }} '
        'interval:s:1 {{ printf("counter: %d\\t %d ops/sec\\n", @, @-@prev); @prev = @; }}')
STARTUP = ('BEGIN {{ printf("ready\\n"); }} '
           'uprobe:{bin}:"main.doWork" {{ @ = *uaddr("main.counter"); }}')


class Aborted(Exception):
    pass


def on_term(signum, _frame):
    raise Aborted("signal %d" % signum)


class Tracer:
    """One tracer process: stdout read by a thread into time-stamped lines, stderr to a file."""

    live = []  # every Tracer still running, for the abort path

    def __init__(self, name, exe, program, err_path):
        self.name = name
        self.lines = []  # (monotonic time, text)
        self.cond = threading.Condition()
        self.eof = False
        self.sigints = 0
        self.killed = False
        self.err_path = err_path
        self.err = open(err_path, "wb")
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen([exe, "-e", program], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=self.err)
        Tracer.live.append(self)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        fd = self.proc.stdout.fileno()
        buf = b""
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            now = time.monotonic()
            with self.cond:
                if not chunk:
                    if buf:
                        self.lines.append((now, buf.decode(errors="replace")))
                    self.eof = True
                    self.cond.notify_all()
                    return
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    self.lines.append((now, line.decode(errors="replace")))
                self.cond.notify_all()

    def wait_line(self, pred, timeout):
        """(time, text) of the first line after which pred says yes, or None on timeout/exit."""
        deadline = time.monotonic() + timeout
        i = 0
        with self.cond:
            while True:
                while i < len(self.lines):
                    if pred(self.lines, i):
                        return self.lines[i]
                    i += 1
                if self.eof:
                    return None
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def wait_after_attaching(self, timeout):
        """The first stdout line after the 'Attaching N probes...' line."""
        def pred(lines, i):
            return i > 0 and any(t.startswith("Attaching ") for _, t in lines[:i])
        return self.wait_line(pred, timeout)

    def wait_attaching(self, timeout):
        return self.wait_line(lambda lines, i: lines[i][1].startswith("Attaching "), timeout)

    def stop(self, grace=2.0):
        """SIGINT; if still alive after grace, SIGINT again; then SIGKILL. Always reaps."""
        p = self.proc
        for wait_s in (grace, grace + 1.0):
            if p.poll() is not None:
                break
            try:
                p.send_signal(signal.SIGINT)
                self.sigints += 1
            except ProcessLookupError:
                break
            try:
                p.wait(timeout=wait_s)
            except subprocess.TimeoutExpired:
                pass
        if p.poll() is None:
            p.kill()
            self.killed = True
            p.wait()
        self.thread.join(timeout=2.0)
        self.err.close()
        if self in Tracer.live:
            Tracer.live.remove(self)
        return p.returncode

    def stderr_text(self):
        try:
            with open(self.err_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""


def bpf_progs(pid):
    """[(fd, {prog_type, prog_tag, run_time_ns, run_cnt, prog_id})] for the bpf-prog fds of pid."""
    out = []
    fddir = "/proc/%d/fd" % pid
    try:
        fds = os.listdir(fddir)
    except OSError:
        return out
    for fd in fds:
        try:
            if os.readlink(os.path.join(fddir, fd)) != "anon_inode:bpf-prog":
                continue
            with open("/proc/%d/fdinfo/%s" % (pid, fd)) as f:
                info = {}
                for line in f:
                    k, _, v = line.partition(":")
                    info[k.strip()] = v.strip()
        except OSError:
            continue
        if "prog_type" in info:
            out.append((int(fd), info))
    return sorted(out)


def uprobe_stats(pid):
    """(run_time_ns, run_cnt, number of kprobe-type progs) of the busiest kprobe-type program."""
    progs = [i for _, i in bpf_progs(pid) if int(i.get("prog_type", -1)) == PROG_TYPE_KPROBE]
    if not progs:
        return None
    best = max(progs, key=lambda i: int(i.get("run_cnt", 0)))
    return int(best.get("run_time_ns", 0)), int(best.get("run_cnt", 0)), len(progs)


class Result:
    def __init__(self, name):
        self.name = name
        self.startup_ms = []
        self.compile_ms = []  # parse + check + lower of the big script, one per run
        self.ns_per_call = []  # one per cost round
        self.calls_per_sec = []
        self.notes = []
        self.stderr_lines = {}  # distinct stderr line -> count
        self.prog_summary = None

    def add_stderr(self, text):
        for line in text.splitlines():
            line = line.strip()
            if line:
                self.stderr_lines[line] = self.stderr_lines.get(line, 0) + 1

    def after_stop(self, t, rc, what):
        if t.sigints > 1:
            self.notes.append("%s: needed %d SIGINTs to stop" % (what, t.sigints))
        if t.killed:
            self.notes.append("%s: did not exit on SIGINT, SIGKILLed" % what)
        elif rc not in (0, None) and rc != -signal.SIGINT:
            self.notes.append("%s: exit status %s" % (what, rc))


def run_startup(name, exe, counter, work, i, timeout, res):
    t = Tracer(name, exe, STARTUP.format(bin=counter), os.path.join(work, "%s-startup-%d.err" % (name, i)))
    try:
        line = t.wait_after_attaching(timeout)
        if line is None:
            res.notes.append("start-up run %d: no output after 'Attaching' within %.0f s (or it exited)"
                             % (i, timeout))
        else:
            res.startup_ms.append((line[0] - t.t0) * 1000.0)
            if line[1].strip() != "ready":
                res.notes.append("start-up run %d: first line was %r, not 'ready'" % (i, line[1]))
    finally:
        rc = t.stop()
        res.after_stop(t, rc, "start-up run %d" % i)
        res.add_stderr(t.stderr_text())


def run_cost(name, exe, counter, work, rnd, secs, timeout, res):
    t = Tracer(name, exe, SEED.format(bin=counter), os.path.join(work, "%s-cost-%d.err" % (name, rnd)))
    try:
        if t.wait_attaching(timeout) is None:
            res.notes.append("cost run %d: never printed 'Attaching N probes...' within %.0f s" % (rnd, timeout))
            return
        # Let it settle for a moment, then measure calls/sec over the rest of the window.
        time.sleep(min(1.0, secs / 5.0))
        a = uprobe_stats(t.proc.pid)
        ta = time.monotonic()
        time.sleep(max(0.0, secs - min(1.0, secs / 5.0)))
        if t.proc.poll() is not None:
            res.notes.append("cost run %d: tracer exited early (status %s)" % (rnd, t.proc.returncode))
            return
        b = uprobe_stats(t.proc.pid)  # just before stopping
        tb = time.monotonic()
        progs = bpf_progs(t.proc.pid)
        res.prog_summary = ", ".join("fd %d type %s cnt %s" % (fd, i.get("prog_type"), i.get("run_cnt"))
                                     for fd, i in progs)
        if b is None:
            res.notes.append("cost run %d: no kprobe-type (prog_type 2) bpf-prog fd in /proc/%d/fd "
                             "(progs seen: %s)" % (rnd, t.proc.pid, res.prog_summary or "none"))
            return
        run_ns, cnt, nprogs = b
        if nprogs > 1:
            res.notes.append("cost run %d: %d kprobe-type programs, used the busiest" % (rnd, nprogs))
        if cnt == 0:
            res.notes.append("cost run %d: uprobe program run_cnt is 0 (is the counter running?)" % rnd)
            return
        if run_ns == 0:
            res.notes.append("cost run %d: run_time_ns is 0: kernel.bpf_stats_enabled is not on" % rnd)
        res.ns_per_call.append(run_ns / cnt)
        if a is not None and tb > ta:
            res.calls_per_sec.append((cnt - a[1]) / (tb - ta))
    finally:
        rc = t.stop()
        res.after_stop(t, rc, "cost run %d" % rnd)
        res.add_stderr(t.stderr_text())


def big_script(path, lines=2000):
    """A script of about `lines` lines that both tools accept: probes with maps, variables,
    conditions and printf, the kind of text a long runbook holds."""
    out = ["#!/usr/bin/env utrace"]
    i = 0
    while len(out) < lines:
        out += [
            "interval:ms:%d /@n%d < 1000/ {" % (100 + i, i),
            "  $x = @n%d * 3 + (@m%d - 2) / 7;" % (i, i),
            "  if ($x > 10 && $x % 2 == 0) {",
            "    @n%d = @n%d + 1;" % (i, i),
            "  } else {",
            "    @m%d = @m%d + $x;" % (i, i),
            "  }",
            "  @k%d[pid, cpu] = $x << 2;" % i,
            '  printf("probe %d: %%d %%d %%s\\n", $x, @n%d, comm);' % (i, i),
            "}",
        ]
        i += 1
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return len(out)


def run_compile(exe, args, runs, res):
    """Wall time of `exe args` (parse, analyze, lower; nothing loaded), median over runs."""
    for _ in range(runs):
        t0 = time.monotonic()
        p = subprocess.run([exe] + args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=120)
        ms = (time.monotonic() - t0) * 1000.0
        if p.returncode != 0:
            res.notes.append("compile run failed (rc %d): %s" % (p.returncode, p.stderr.decode()[-200:]))
            return
        res.compile_ms.append(ms)


def fmt(v, digits):
    if v is None:
        return "-"
    return "%.*f" % (digits, v)


def ratio(u, b):
    if u is None or b is None or b == 0:
        return "-"
    return "%.2f" % (u / b)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--utrace", required=True)
    ap.add_argument("--bpftrace", default="")
    ap.add_argument("--counter", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cost-secs", type=float, default=5.0)
    ap.add_argument("--cost-rounds", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=30.0)
    args = ap.parse_args()

    # run.sh starts this in the background, where bash leaves SIGINT ignored; with handlers
    # installed here the tracers (after exec) get the default dispositions back.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)

    tools = [("utrace", args.utrace)]
    have_bpftrace = bool(args.bpftrace) and os.access(args.bpftrace, os.X_OK)
    if have_bpftrace:
        tools.append(("bpftrace", args.bpftrace))
    results = {name: Result(name) for name, _ in tools}

    script = os.path.join(args.work, "big.bt")
    script_lines = big_script(script)
    compile_args = {"utrace": ["--dump=c", script], "bpftrace": ["-d", script]}
    try:
        for name, exe in tools:
            print("  compile %d-line script: %s" % (script_lines, name), file=sys.stderr, flush=True)
            run_compile(exe, compile_args[name], args.runs, results[name])
        for i in range(1, args.runs + 1):  # interleaved, so drift hits both tools alike
            for name, exe in tools:
                print("  start-up run %d/%d: %s" % (i, args.runs, name), file=sys.stderr, flush=True)
                run_startup(name, exe, args.counter, args.work, i, args.timeout, results[name])
        for r in range(1, args.cost_rounds + 1):  # order alternates per round
            for name, exe in (tools if r % 2 else tools[::-1]):
                print("  cost round %d/%d (%g s): %s" % (r, args.cost_rounds, args.cost_secs, name),
                      file=sys.stderr, flush=True)
                run_cost(name, exe, args.counter, args.work, r, args.cost_secs, args.timeout, results[name])
    except (Aborted, KeyboardInterrupt) as e:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # finish the clean-up below undisturbed
        print("bench: aborted (%s), stopping tracers" % (e or "SIGINT"), file=sys.stderr, flush=True)
        for t in list(Tracer.live):
            t.stop(grace=1.0)
        return 130
    finally:
        for t in list(Tracer.live):
            t.stop(grace=1.0)

    u = results["utrace"]
    b = results.get("bpftrace")
    med = lambda xs: statistics.median(xs) if xs else None
    rows = [
        ("parse+check+lower, %d-line script (ms)" % script_lines, med(u.compile_ms),
         med(b.compile_ms) if b else None, 1),
        ("start-up: launch to first output (ms)", med(u.startup_ms), med(b.startup_ms) if b else None, 1),
        ("uprobe program cost (ns/call)", med(u.ns_per_call), med(b.ns_per_call) if b else None, 0),
        ("counter calls/sec while traced", med(u.calls_per_sec), med(b.calls_per_sec) if b else None, 0),
    ]
    head = "utrace bench (%d runs / %d rounds, median)" % (args.runs, args.cost_rounds)
    print()
    print("%-42s %10s %10s %8s" % (head, "utrace", "bpftrace", "ratio"))
    for label, uv, bv, d in rows:
        print("%-42s %10s %10s %8s" % (label, fmt(uv, d), fmt(bv, d) if b else "-", ratio(uv, bv)))
    if not b:
        print("bpftrace: not installed (%s); utrace numbers only"
              % ("%s not found" % args.bpftrace if args.bpftrace else "not on PATH"))
    print("ratio = utrace/bpftrace; < 1 means utrace is faster (calls/sec: ~1 means no slowdown)")

    print()
    for r in [u] + ([b] if b else []):
        print("%-8s start-up runs (ms): %s" % (r.name, " ".join("%.1f" % x for x in r.startup_ms) or "none"))
    for r in [u] + ([b] if b else []):
        print("%-8s ns/call per round:  %s" % (r.name, " ".join("%.0f" % x for x in r.ns_per_call) or "none"))
    for r in [u] + ([b] if b else []):
        if r.prog_summary:
            print("%-8s bpf-prog fds at the end of the last cost run: %s" % (r.name, r.prog_summary))
    for r in [u] + ([b] if b else []):
        for n in r.notes:
            print("note: %s: %s" % (r.name, n))
        for line, count in r.stderr_lines.items():
            print("note: %s stderr (%dx): %s" % (r.name, count, line[:160]))
    ok = u.startup_ms and u.ns_per_call and (not b or (b.startup_ms and b.ns_per_call))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
