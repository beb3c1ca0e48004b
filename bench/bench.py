#!/usr/bin/env python3
"""Measure utrace and bpftrace side by side against the sample Go counter.

Called by bench/run.sh, which builds and starts the counter, turns on
kernel.bpf_stats_enabled and undoes both at exit. This script only runs the
tracers, always stops them (SIGINT, again SIGINT, then SIGKILL) and prints the
table. Standard library only.

utrace keeps compiled BPF objects in a cache directory. The bench gives it a private
one (WORK/utrace-cache, emptied at the start) and warms it with one untimed run of
each script, so every utrace run uses the cache except the "first run" start-ups,
which get a fresh, empty cache directory each. utrace runs with -v, and a run whose
BPF object did not come from where it should (cache or compiler) is noted.

Measurements per tool:
  start-up   wall time from launch to the first stdout line after the
             "Attaching N probes..." line, with a BEGIN { printf("ready\\n"); }
             variant, and the VmHWM just before it is stopped; BENCH_RUNS runs per
             tool (utrace: that many first runs and that many cached runs),
             interleaved; the median is shown.
  cost       the seed one-liner runs BENCH_COST_SECS seconds; just before it is
             stopped, run_time_ns / run_cnt of its uprobe program (prog_type 2)
             are read from /proc/<pid>/fdinfo/<fd> of the tracer's bpf-prog fds,
             and the tracer's VmHWM from /proc/<pid>/status.
  events     uprobe:CALLS:f { printf("%d\\n", arg0); } while the C tracee `calls`
             calls f() BENCH_EVENT_CALLS times as fast as it can: printf lines
             counted on stdout (never stored), lost events from the tools' "Lost"
             lines, rate = delivered / the tracee's calling time.
  map        uprobe:CALLS:f { @m[arg0] = arg0; } over BENCH_MAP_KEYS calls; after
             the tracee exits, the time from SIGINT to the tracer's exit (it prints
             the map) and the tracer's VmHWM before and during that.
  count      uprobe:CALLS:f { @[tid] = count(); } over BENCH_EVENT_CALLS calls as
             fast as the tracee makes them: run_time_ns / run_cnt of the program
             (kernel BPF stats) once the tracee has exited.
  latency    a histogram of f()'s call time over BENCH_EVENT_CALLS calls: utrace's
             `duration` against bpftrace's @start[tid] = nsecs script; the entry and
             return programs' run time per call, and the tracee's time per call.
  wildcard   BEGIN { printf("ready\n"); } uprobe:MANY:fn_* { ... } on a binary of
             1,000 functions: launch to "ready" (both tools run BEGIN once every
             probe is attached), then SIGINT to exit (detaching 1,000 uprobes).
"""

import argparse
import os
import re
import shutil
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
EVENTS = 'uprobe:{bin}:f {{ printf("%d\\n", arg0); }}'
MAP = 'uprobe:{bin}:f {{ @m[arg0] = arg0; }}'
COUNT = 'uprobe:{bin}:f {{ @[tid] = count(); }}'
# A call-latency histogram: utrace's duration against what a bpftrace script writes for it.
LATENCY = {
    "utrace": 'uretprobe:{bin}:f {{ @ns = hist(duration); }}',
    "bpftrace": ('uprobe:{bin}:f {{ @start[tid] = nsecs; }} '
                 'uretprobe:{bin}:f /@start[tid]/ {{ @ns = hist(nsecs - @start[tid]); '
                 'delete(@start[tid]); }}'),
}
WILDCARD = ('BEGIN {{ printf("ready\\n"); }} '
            'uprobe:{bin}:fn_* {{ @[probe] = count(); }}')
WILDCARD_FUNCTIONS = 1000
WILDCARD_ENV = {"BPFTRACE_MAX_BPF_PROGS": "4096", "BPFTRACE_MAX_PROBES": "4096"}  # 0.17: 512 each

PRINTF_LINE = re.compile(rb"-?[0-9]+\Z")  # what EVENTS prints
# A block of stdout in which this finds nothing holds printf lines only (fast path).
PRINTF_BLOCK_OTHER = re.compile(rb"[^0-9\n-]|\n\n|\A\n")
MAP_LINE = re.compile(rb"@m\[")  # what MAP prints at exit, one line per key
LOST_LINE = re.compile(r"Lost (\d+) events")  # utrace: stderr; bpftrace 0.17: inline on stdout
LOST_TOTAL = re.compile(r"WARNING: (\d+) events were lost in all")  # utrace, at exit
OTHER_LINES_KEPT = 10000  # in counting mode, stdout lines that are not counted, kept up to this
# utrace -v: where the BPF object came from, and how long finding or compiling it took.
COMPILER_RSS = re.compile(r"compiler process peak RSS ([0-9.]+) MB")  # utrace -v, on a compile
OBJECT_SOURCE = re.compile(r"utrace: (compiled with BCC|BPF object from the cache)\b.*\(([0-9.]+) ms\)$",
                           re.M)


class Aborted(Exception):
    pass


def on_term(signum, _frame):
    raise Aborted("signal %d" % signum)


class Tracer:
    """One tracer process: stdout read by a thread into time-stamped lines, stderr to a file.

    With count= (a compiled bytes regex), the stdout lines it matches (at their start) are
    only counted, not kept: self.counted, the time of the first and last, and the text of
    the first and last. Other lines are kept in self.lines (up to OTHER_LINES_KEPT), and
    "Lost N events" among them are summed into self.lost_inline. fast= (a bytes regex) says
    which blocks of output may hold other lines; a block where it finds nothing is counted
    whole without splitting it."""

    live = []  # every Tracer still running, for the abort path

    def __init__(self, name, exe, program, err_path, env=None, count=None, fast=None, args=()):
        self.name = name
        self.lines = []  # (monotonic time, text)
        self.cond = threading.Condition()
        self.eof = False
        self.sigints = 0
        self.killed = False
        self.err_path = err_path
        self.err = open(err_path, "wb")
        self.count_re = count
        self.fast_re = fast
        self.counted = 0
        self.first_t = self.last_t = None  # times of the first and last counted line
        self.first_text = self.last_text = None
        self.other_dropped = 0
        self.lost_inline = 0
        self.last_read_t = None  # when stdout last had data
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen([exe] + list(args) + ["-e", program], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=self.err, env=env)
        Tracer.live.append(self)
        self.thread = threading.Thread(target=self._read if count is None else self._read_counting,
                                       daemon=True)
        self.thread.start()

    def _read_counting(self):
        fd = self.proc.stdout.fileno()
        buf = b""
        while True:
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                chunk = b""
            now = time.monotonic()
            with self.cond:
                if not chunk:
                    if buf:
                        self._count_block(buf + b"\n", now)
                    self.eof = True
                    self.cond.notify_all()
                    return
                self.last_read_t = now
                data = buf + chunk
                cut = data.rfind(b"\n")
                if cut < 0:
                    buf = data
                    continue
                block, buf = data[:cut + 1], data[cut + 1:]
                self._count_block(block, now)
                self.cond.notify_all()

    def _count_block(self, block, now):
        """Counts the lines of block (ends with a newline). Called with self.cond held."""
        if self.fast_re is not None and self.fast_re.search(block) is None:
            n = block.count(b"\n")
            if n:
                if self.first_t is None:
                    self.first_t = now
                    self.first_text = block[:block.find(b"\n")].decode(errors="replace")
                self.last_t = now
                self.last_text = block[block.rfind(b"\n", 0, len(block) - 1) + 1:-1].decode(errors="replace")
                self.counted += n
            return
        for line in block.split(b"\n")[:-1]:
            if self.count_re.match(line):
                if self.first_t is None:
                    self.first_t = now
                    self.first_text = line.decode(errors="replace")
                self.last_t = now
                self.last_text = line
                self.counted += 1
                continue
            text = line.decode(errors="replace")
            m = LOST_LINE.match(text)
            if m:
                self.lost_inline += int(m.group(1))
            if len(self.lines) < OTHER_LINES_KEPT:
                self.lines.append((now, text))
            else:
                self.other_dropped += 1
        if isinstance(self.last_text, bytes):
            self.last_text = self.last_text.decode(errors="replace")

    def wait_quiet(self, quiet, timeout):
        """Waits until stdout has had no data for `quiet` seconds (or EOF); False on timeout."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while not self.eof:
                now = time.monotonic()
                idle = now - (self.last_read_t if self.last_read_t is not None else self.t0)
                if idle >= quiet:
                    return True
                if now >= deadline:
                    return False
                self.cond.wait(min(quiet - idle, deadline - now))
        return True

    def sigint_timed(self, timeout, poll_every=0.01):
        """SIGINT, then waits up to timeout for the tracer to exit. Returns (seconds from the
        SIGINT to its exit or None on timeout, highest VmHWM kB seen while waiting)."""
        done = threading.Event()
        box = {}

        def waiter():
            self.proc.wait()
            box["t"] = time.monotonic()
            done.set()

        threading.Thread(target=waiter, daemon=True).start()
        hwm = vm_hwm_kb(self.proc.pid) or 0
        t_sig = time.monotonic()
        try:
            self.proc.send_signal(signal.SIGINT)
            self.sigints += 1
        except ProcessLookupError:
            pass
        deadline = t_sig + timeout
        while not done.wait(poll_every):
            h = vm_hwm_kb(self.proc.pid)  # gone once it has exited (its memory is freed first)
            if h:
                hwm = max(hwm, h)
            if time.monotonic() >= deadline:
                return None, hwm
        return box["t"] - t_sig, hwm

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


def vm_hwm_kb(pid):
    """Peak resident set size (VmHWM, kB) of pid so far, or None."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


class Tracee:
    """The C program `calls N DELAY_MS`; a thread records when it exits."""

    live = []

    def __init__(self, exe, n, delay_ms, err_path):
        self.err = open(err_path, "wb")
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen([exe, str(n), str(delay_ms)], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=self.err)
        self.t_exit = None
        self.done = threading.Event()
        Tracee.live.append(self)
        threading.Thread(target=self._wait, daemon=True).start()

    def _wait(self):
        self.proc.wait()
        self.t_exit = time.monotonic()
        self.done.set()

    def wait(self, timeout):
        return self.done.wait(timeout)

    def stop(self):
        if not self.done.is_set():
            try:
                self.proc.send_signal(signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.done.wait(5.0)
        self.err.close()
        if self in Tracee.live:
            Tracee.live.remove(self)


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


class Tool:
    """How one tracer is launched. utrace runs with -v in its own cache directory, and
    `expect` says where its BPF object must come from: "compiled" (fresh=True: the cache
    directory is emptied before each run) or "cached". bpftrace runs as it is (expect=None)."""

    def __init__(self, name, exe, kind, args=(), env=None, expect=None, fresh=False):
        self.name = name
        self.exe = exe
        self.kind = kind  # which start-up row: "first", "cached", or "" (bpftrace: both)
        self.args = list(args)
        self.env_extra = dict(env or {})
        self.expect = expect
        self.fresh = fresh

    def env(self, extra=None):
        """The environment of a run: None (inherit) unless the tool or the run sets something."""
        if not self.env_extra and not extra:
            return None
        env = dict(os.environ)
        env.update(self.env_extra)
        env.update(extra or {})
        return env

    def prepare(self):
        if self.fresh:
            shutil.rmtree(self.env_extra["UTRACE_CACHE_DIR"], ignore_errors=True)


def object_source(stderr_text):
    """("compiled" or "cached", ms) from utrace -v's line on stderr, or None."""
    m = OBJECT_SOURCE.search(stderr_text)
    if m is None:
        return None
    return ("compiled" if m.group(1).startswith("compiled") else "cached"), float(m.group(2))


def stop_run(t, tracee, tool, res, what):
    """Stops the tracee (if any) and the tracer, records how the tracer ended and what it wrote
    on stderr, and returns that stderr."""
    if tracee is not None:
        tracee.stop()
    rc = t.stop()
    res.after_stop(t, rc, what)
    err = t.stderr_text()
    res.add_stderr(err)
    check_source(tool, err, res, what)
    return err


def check_source(tool, err, res, what):
    """The -v line of a utrace run (None for bpftrace); a note when the object did not come
    from where tool.expect says. Returns (matched, ms)."""
    if tool.expect is None:
        return True, None
    src = object_source(err)
    if src is None:
        res.notes.append("%s: no 'utrace: ... (N ms)' line from -v on stderr" % what)
        return False, None
    if src[0] != tool.expect:
        res.notes.append("%s: BPF object %s, expected %s" % (
            what, "compiled" if src[0] == "compiled" else "from the cache",
            "a compile" if tool.expect == "compiled" else "the cache"))
        return False, src[1]
    return True, src[1]


class Result:
    def __init__(self, name):
        self.name = name
        self.startup_ms = {}  # Tool.kind -> launch to first output, per run
        self.startup_rss_mb = {}  # Tool.kind -> VmHWM just before stopping, per run
        self.object_ms = {}  # Tool.kind -> utrace -v's time to compile or find the object
        self.compiler_rss_mb = []  # utrace -v: peak RSS of the compiler process, per first run
        self.compile_ms = []  # parse + check + lower of the big script, one per run
        self.ns_per_call = []  # one per cost round
        self.calls_per_sec = []
        self.seed_rss_mb = []  # VmHWM at the end of each cost round
        self.events_per_sec = []  # printf lines delivered / the tracee's calling time, per run
        self.lost_pct = []
        self.events_detail = []  # one text per run
        self.map_print_ms = []  # SIGINT to exit, per run
        self.map_rss_mb = []  # VmHWM just before the SIGINT
        self.map_rss_print_mb = []  # highest VmHWM seen until it exited
        self.count_ns_per_call = []  # @[tid] = count(): kernel run time per call, per run
        self.latency_bpf_ns = []  # LATENCY: both programs' kernel run time per call, per run
        self.latency_call_ns = []  # LATENCY: the tracee's calling time per call, per run
        self.wildcard_ms = []  # launch to "ready" with 1,000 uprobes attached, per run
        self.wildcard_exit_ms = []  # SIGINT to exit (detaching them), per run
        self.notes = []
        self.stderr_lines = {}  # distinct stderr line -> count
        self.prog_summary = None

    def add_stderr(self, text):
        for line in text.splitlines():
            line = line.strip()
            if OBJECT_SOURCE.match(line):
                continue  # utrace -v, asked for by the bench; checked by check_source
            if LOST_LINE.match(line) or LOST_TOTAL.match(line):
                line = re.sub(r"\d+", "N", line, count=1)  # one note for all of them
            if line:
                self.stderr_lines[line] = self.stderr_lines.get(line, 0) + 1

    def after_stop(self, t, rc, what):
        if t.sigints > 1:
            self.notes.append("%s: needed %d SIGINTs to stop" % (what, t.sigints))
        if t.killed:
            self.notes.append("%s: did not exit on SIGINT, SIGKILLed" % what)
        elif rc not in (0, None) and rc != -signal.SIGINT:
            self.notes.append("%s: exit status %s" % (what, rc))


def run_startup(tool, counter, work, i, timeout, res):
    """Launch to the first line after 'Attaching', and the VmHWM then. A utrace run whose
    object did not come from where tool.expect says is noted and not counted."""
    what = "start-up run %d%s" % (i, " (%s)" % tool.kind if tool.kind else "")
    tool.prepare()
    t = Tracer(tool.name, tool.exe, STARTUP.format(bin=counter),
               os.path.join(work, "%s-startup%s-%d.err" % (tool.name, "-" + tool.kind if tool.kind else "", i)),
               env=tool.env(), args=tool.args)
    ms = hwm = None
    try:
        line = t.wait_after_attaching(timeout)
        if line is None:
            res.notes.append("%s: no output after 'Attaching' within %.0f s (or it exited)" % (what, timeout))
        else:
            ms = (line[0] - t.t0) * 1000.0
            hwm = vm_hwm_kb(t.proc.pid)
            if line[1].strip() != "ready":
                res.notes.append("%s: first line was %r, not 'ready'" % (what, line[1]))
    finally:
        rc = t.stop()
        res.after_stop(t, rc, what)
        err = t.stderr_text()
        res.add_stderr(err)
    matched, object_ms = check_source(tool, err, res, what)
    if ms is None or not matched:
        return
    res.startup_ms.setdefault(tool.kind, []).append(ms)
    if object_ms is not None:
        res.object_ms.setdefault(tool.kind, []).append(object_ms)
    compiler = COMPILER_RSS.search(err)
    if compiler:
        res.compiler_rss_mb.append(float(compiler.group(1)))
    if hwm:
        res.startup_rss_mb.setdefault(tool.kind, []).append(hwm / 1024.0)
    else:
        res.notes.append("%s: no VmHWM in /proc/%d/status" % (what, t.proc.pid))


def warm_cache(tool, program, work, tag, timeout, res, env=None):
    """One untimed utrace run of `program`, up to its 'Attaching' line, so that the measured
    runs find its BPF object in the cache."""
    what = "cache warm-up (%s)" % tag
    t = Tracer(tool.name, tool.exe, program, os.path.join(work, "%s-warm-%s.err" % (tool.name, tag)),
               env=tool.env(env), args=tool.args)
    try:
        if t.wait_attaching(timeout) is None:
            res.notes.append("%s: never printed 'Attaching N probes...' within %.0f s" % (what, timeout))
    finally:
        rc = t.stop()
        res.after_stop(t, rc, what)
        err = t.stderr_text()
        res.add_stderr(err)
    src = object_source(err)
    if src is None:
        res.notes.append("%s: no 'utrace: ... (N ms)' line from -v on stderr" % what)


def run_cost(tool, counter, work, rnd, secs, timeout, res):
    t = Tracer(tool.name, tool.exe, SEED.format(bin=counter),
               os.path.join(work, "%s-cost-%d.err" % (tool.name, rnd)), env=tool.env(), args=tool.args)
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
        hwm = vm_hwm_kb(t.proc.pid)
        if hwm:
            res.seed_rss_mb.append(hwm / 1024.0)
        else:
            res.notes.append("cost run %d: no VmHWM in /proc/%d/status" % (rnd, t.proc.pid))
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
        err = t.stderr_text()
        res.add_stderr(err)
        check_source(tool, err, res, "cost run %d" % rnd)


def start_tracee(t, calls, n, delay_ms, work, tag, timeout, res, what):
    """Waits for the tracer's 'Attaching' line, then starts `calls n delay_ms`. None on failure."""
    if t.wait_attaching(timeout) is None:
        res.notes.append("%s: never printed 'Attaching N probes...' within %.0f s (or it exited)"
                         % (what, timeout))
        return None
    return Tracee(calls, n, delay_ms, os.path.join(work, "calls-%s.err" % tag))


def tracee_finished(tracee, n, delay_ms, tracee_timeout, res, what):
    """Waits for the tracee to make its n calls and exit; False (with a note) if it did not."""
    if not tracee.wait(delay_ms / 1000.0 + tracee_timeout):
        res.notes.append("%s: the tracee did not finish %d calls within %.0f s; killed it"
                         % (what, n, tracee_timeout))
        return False
    if tracee.proc.returncode != 0:
        res.notes.append("%s: the tracee exited with status %s" % (what, tracee.proc.returncode))
        return False
    return True


def run_events(tool, calls, n, delay_ms, work, i, timeout, tracee_timeout, res):
    """printf lines delivered per second of the tracee's calling, and the events lost."""
    what = "events run %d" % i
    t = Tracer(tool.name, tool.exe, EVENTS.format(bin=calls),
               os.path.join(work, "%s-events-%d.err" % (tool.name, i)), env=tool.env(), args=tool.args,
               count=PRINTF_LINE, fast=PRINTF_BLOCK_OTHER)
    tracee = None
    try:
        tracee = start_tracee(t, calls, n, delay_ms, work, "%s-events-%d" % (tool.name, i), timeout, res,
                              what)
        if tracee is None:
            return
        if not tracee_finished(tracee, n, delay_ms, tracee_timeout, res, what):
            return
        window = tracee.t_exit - (tracee.t0 + delay_ms / 1000.0)  # first call to exit
        # Whatever is still buffered comes out now; then stop it.
        if not t.wait_quiet(1.0, max(timeout, 30.0)):
            res.notes.append("%s: stdout still busy %.0f s after the tracee exited"
                             % (what, max(timeout, 30.0)))
    finally:
        err = stop_run(t, tracee, tool, res, what)
    if t.thread.is_alive():
        res.notes.append("%s: stdout not read to the end; counts may be short" % what)
    # utrace: "Lost N events" on stderr as it goes, and the total once at exit.
    # bpftrace 0.17: "Lost N events" inline on stdout (counted by the reader, not delivered).
    total = LOST_TOTAL.search(err)
    lost = int(total.group(1)) if total else sum(int(x) for x in LOST_LINE.findall(err))
    lost += t.lost_inline
    delivered = t.counted
    if window <= 0:
        res.notes.append("%s: the tracee's calling time was %.3f s" % (what, window))
        return
    res.events_per_sec.append(delivered / window)
    res.lost_pct.append(100.0 * lost / n)
    span = (t.last_t - t.first_t) if t.first_t is not None else 0.0
    res.events_detail.append("%d delivered + %d lost in %.2f s of calls (%.0f calls/s); "
                             "first to last line %.2f s" % (delivered, lost, window, n / window, span))
    if delivered + lost != n:
        res.notes.append("%s: delivered %d + lost %d = %d, not %d" % (what, delivered, lost, delivered + lost, n))
    if delivered and t.first_text != "0":
        res.notes.append("%s: first line was %r, not '0': attached late or lost the first events"
                         % (what, t.first_text))
    others = [x for _, x in t.lines if x and not x.startswith("Attaching ") and not LOST_LINE.match(x)]
    if others or t.other_dropped:
        res.notes.append("%s: %d other stdout lines, e.g. %r" % (what, len(others) + t.other_dropped,
                                                                  others[:1]))


def map_env(n):
    """The environment of the map runs: room for twice n keys."""
    return {"UTRACE_MAP_KEYS_MAX": str(2 * n), "BPFTRACE_MAP_KEYS_MAX": str(2 * n)}


def run_map(tool, calls, n, delay_ms, work, i, timeout, tracee_timeout, res):
    """Time from SIGINT to exit while the tracer prints a map of n keys; its VmHWM."""
    what = "map run %d" % i
    t = Tracer(tool.name, tool.exe, MAP.format(bin=calls), os.path.join(work, "%s-map-%d.err" % (tool.name, i)),
               env=tool.env(map_env(n)), args=tool.args, count=MAP_LINE)
    tracee = None
    try:
        tracee = start_tracee(t, calls, n, delay_ms, work, "%s-map-%d" % (tool.name, i), timeout, res, what)
        if tracee is None:
            return
        if not tracee_finished(tracee, n, delay_ms, tracee_timeout, res, what):
            return
        time.sleep(0.5)  # nothing is pending (map updates happen in the probe); just settle
        if t.proc.poll() is not None:
            res.notes.append("%s: tracer exited early (status %s)" % (what, t.proc.returncode))
            return
        hwm_before = vm_hwm_kb(t.proc.pid)
        secs, hwm_print = t.sigint_timed(max(timeout, 60.0))
        if secs is None:
            res.notes.append("%s: still printing %.0f s after SIGINT" % (what, max(timeout, 60.0)))
            return
        res.map_print_ms.append(secs * 1000.0)
        if hwm_before:
            res.map_rss_mb.append(hwm_before / 1024.0)
            res.map_rss_print_mb.append(max(hwm_before, hwm_print) / 1024.0)
        else:
            res.notes.append("%s: no VmHWM in /proc/%d/status" % (what, t.proc.pid))
    finally:
        err = stop_run(t, tracee, tool, res, what)
    if t.thread.is_alive():
        res.notes.append("%s: stdout not read to the end" % what)
    if t.counted != n:
        res.notes.append("%s: printed %d '@m[' lines, not %d" % (what, t.counted, n))


def after_calls(tool, program, tag, calls, n, delay_ms, work, i, timeout, tracee_timeout, res, measure):
    """Runs `program` while the tracee makes n calls in a row; once it has exited, and before the
    tracer stops, measure(tracer, tracee, what)."""
    what = "%s run %d" % (tag, i)
    t = Tracer(tool.name, tool.exe, program,
               os.path.join(work, "%s-%s-%d.err" % (tool.name, tag, i)), env=tool.env(), args=tool.args)
    tracee = None
    try:
        tracee = start_tracee(t, calls, n, delay_ms, work, "%s-%s-%d" % (tool.name, tag, i), timeout, res,
                              what)
        if tracee is None or not tracee_finished(tracee, n, delay_ms, tracee_timeout, res, what):
            return
        measure(t, tracee, what)
    finally:
        stop_run(t, tracee, tool, res, what)


def run_count(tool, calls, n, delay_ms, work, i, timeout, tracee_timeout, res):
    """The kernel's run time per call of @[tid] = count() on a uprobe hit n times in a row."""
    def measure(t, tracee, what):
        stats = uprobe_stats(t.proc.pid)
        if stats is None or stats[1] == 0:
            res.notes.append("%s: no kprobe-type program with runs in /proc/%d/fd" % (what, t.proc.pid))
            return
        run_ns, cnt, _ = stats
        if cnt < n:
            res.notes.append("%s: the program ran %d times for %d calls" % (what, cnt, n))
        res.count_ns_per_call.append(run_ns / cnt)
    after_calls(tool, COUNT.format(bin=calls), "count", calls, n, delay_ms, work, i, timeout,
                tracee_timeout, res, measure)


def run_latency(tool, calls, n, delay_ms, work, i, timeout, tracee_timeout, res):
    """LATENCY over n calls in a row: the run time per call of its entry and return programs
    together (kernel BPF stats), and the tracee's time per call with them attached."""
    def measure(t, tracee, what):
        progs = [p for _, p in bpf_progs(t.proc.pid) if int(p.get("prog_type", -1)) == PROG_TYPE_KPROBE]
        run_ns = sum(int(p.get("run_time_ns", 0)) for p in progs)
        runs = sorted(int(p.get("run_cnt", 0)) for p in progs)
        if runs != [n, n]:
            res.notes.append("%s: its programs ran %s times for %d calls" % (what, runs, n))
            return
        res.latency_bpf_ns.append(run_ns / n)
        res.latency_call_ns.append((tracee.t_exit - tracee.t0 - delay_ms / 1000.0) * 1e9 / n)
    after_calls(tool, LATENCY[tool.name].format(bin=calls), "latency", calls, n, delay_ms, work, i,
                timeout, tracee_timeout, res, measure)


def many_functions(work, n=WILDCARD_FUNCTIONS):
    """A C program of n small functions fn_0000.. (never called), built; its path, or None."""
    src = os.path.join(work, "many.c")
    exe = os.path.join(work, "many")
    with open(src, "w") as f:
        f.write("volatile long sink;\n")
        for k in range(n):
            f.write("__attribute__((noinline)) void fn_%04d(long x) { sink += x + %d; }\n" % (k, k))
        f.write("int main(void) { return 0; }\n")
    r = subprocess.run(["cc", "-O1", "-o", exe, src], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode != 0:
        print("bench: cc of many.c failed: %s" % r.stderr.decode(errors="replace"), file=sys.stderr)
        return None
    return exe


def run_wildcard(tool, many, work, i, timeout, res):
    """Launch to the "ready" BEGIN prints once 1,000 uprobes are attached, then SIGINT to exit."""
    what = "wildcard run %d" % i
    t = Tracer(tool.name, tool.exe, WILDCARD.format(bin=many),
               os.path.join(work, "%s-wildcard-%d.err" % (tool.name, i)), env=tool.env(WILDCARD_ENV),
               args=tool.args)
    try:
        line = t.wait_after_attaching(max(timeout, 120.0))
        if line is None:
            res.notes.append("%s: no output after 'Attaching' (or it exited)" % what)
            return
        if line[1].strip() != "ready":
            res.notes.append("%s: first line was %r, not 'ready'" % (what, line[1]))
            return
        attaching = [x for _, x in t.lines if x.startswith("Attaching ")]
        if attaching and attaching[0] != "Attaching %d probes..." % (WILDCARD_FUNCTIONS + 1):
            res.notes.append("%s: %r" % (what, attaching[0]))
        res.wildcard_ms.append((line[0] - t.t0) * 1000.0)
        secs, _ = t.sigint_timed(max(timeout, 120.0))
        if secs is None:
            res.notes.append("%s: still running long after SIGINT" % what)
        else:
            res.wildcard_exit_ms.append(secs * 1000.0)
    finally:
        rc = t.stop()
        res.after_stop(t, rc, what)
        err = t.stderr_text()
        res.add_stderr(err)
        check_source(tool, err, res, what)


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


def short_count(n):
    """2000000 -> '2M', 100000 -> '100k'."""
    for div, unit in ((1000000, "M"), (1000, "k")):
        if n >= div and n % div == 0:
            return "%d%s" % (n // div, unit)
    return str(n)


def interleaved(tools, runs, label, run_one):
    """run_one(tool, i) for runs 1..runs of every tool, the tools' order reversed every run, so
    that drift hits both alike."""
    for i in range(1, runs + 1):
        for tool in (tools if i % 2 else tools[::-1]):
            print("  %s %d/%d: %s" % (label, i, runs, tool.name), file=sys.stderr, flush=True)
            run_one(tool, i)


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
    ap.add_argument("--calls", required=True, help="the C tracee tests/runtime/tracees/calls.c, built")
    ap.add_argument("--event-calls", type=int, default=2000000)
    ap.add_argument("--map-keys", type=int, default=100000)
    ap.add_argument("--event-runs", type=int, default=3)
    ap.add_argument("--wildcard-runs", type=int, default=1, help="bpftrace 0.17 takes minutes per run")
    ap.add_argument("--tracee-delay-ms", type=int, default=1000)
    ap.add_argument("--tracee-timeout", type=float, default=300.0)
    args = ap.parse_args()

    # run.sh starts this in the background, where bash leaves SIGINT ignored; with handlers
    # installed here the tracers (after exec) get the default dispositions back.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)

    # utrace's own cache directory, so that the user's cache is neither used nor changed and
    # every run but the first-run start-ups finds its object there.
    cache = os.path.join(args.work, "utrace-cache")
    shutil.rmtree(cache, ignore_errors=True)
    utrace = Tool("utrace", args.utrace, "cached", ["-v"], {"UTRACE_CACHE_DIR": cache}, expect="cached")
    utrace_first = Tool("utrace", args.utrace, "first", ["-v"],
                        {"UTRACE_CACHE_DIR": os.path.join(args.work, "utrace-cache-first")},
                        expect="compiled", fresh=True)
    tools = [utrace]
    have_bpftrace = bool(args.bpftrace) and os.access(args.bpftrace, os.X_OK)
    if have_bpftrace:
        tools.append(Tool("bpftrace", args.bpftrace, ""))
    startup_tools = [utrace_first] + tools  # bpftrace's start-up runs serve both start-up rows
    results = {t.name: Result(t.name) for t in tools}

    many = many_functions(args.work)
    script = os.path.join(args.work, "big.bt")
    script_lines = big_script(script)
    compile_args = {"utrace": ["--dump=c", script], "bpftrace": ["-d", script]}
    try:
        for tool in tools:
            print("  compile %d-line script: %s" % (script_lines, tool.name), file=sys.stderr, flush=True)
            run_compile(tool.exe, compile_args[tool.name], args.runs, results[tool.name])
        print("  utrace: warming its cache (one untimed run of each script)", file=sys.stderr, flush=True)
        for tag, program, env in (("startup", STARTUP.format(bin=args.counter), None),
                                  ("seed", SEED.format(bin=args.counter), None),
                                  ("events", EVENTS.format(bin=args.calls), None),
                                  ("map", MAP.format(bin=args.calls), map_env(args.map_keys)),
                                  ("count", COUNT.format(bin=args.calls), None),
                                  ("latency", LATENCY["utrace"].format(bin=args.calls), None)) + (
                                      (("wildcard", WILDCARD.format(bin=many), WILDCARD_ENV),) if many else ()):
            warm_cache(utrace, program, args.work, tag, args.timeout, results["utrace"], env)
        for i in range(1, args.runs + 1):  # interleaved, so drift hits both tools alike
            for tool in (startup_tools if i % 2 else startup_tools[::-1]):
                print("  start-up run %d/%d: %s%s" % (i, args.runs, tool.name,
                                                      {"first": " (first run)", "cached": " (cached)"}.get(
                                                          tool.kind, "")), file=sys.stderr, flush=True)
                run_startup(tool, args.counter, args.work, i, args.timeout, results[tool.name])
        interleaved(tools, args.cost_rounds, "cost round (%g s)" % args.cost_secs,
                    lambda tool, r: run_cost(tool, args.counter, args.work, r, args.cost_secs,
                                             args.timeout, results[tool.name]))
        interleaved(tools, args.event_runs, "printf events run (%d calls)" % args.event_calls,
                    lambda tool, i: run_events(tool, args.calls, args.event_calls, args.tracee_delay_ms,
                                               args.work, i, args.timeout, args.tracee_timeout,
                                               results[tool.name]))
        interleaved(tools, args.event_runs, "map print run (%d keys)" % args.map_keys,
                    lambda tool, i: run_map(tool, args.calls, args.map_keys, args.tracee_delay_ms,
                                            args.work, i, args.timeout, args.tracee_timeout,
                                            results[tool.name]))
        interleaved(tools, args.event_runs, "count cost run (%d calls)" % args.event_calls,
                    lambda tool, i: run_count(tool, args.calls, args.event_calls, args.tracee_delay_ms,
                                              args.work, i, args.timeout, args.tracee_timeout,
                                              results[tool.name]))
        interleaved(tools, args.event_runs, "latency run (%d calls)" % args.event_calls,
                    lambda tool, i: run_latency(tool, args.calls, args.event_calls, args.tracee_delay_ms,
                                                args.work, i, args.timeout, args.tracee_timeout,
                                                results[tool.name]))
        interleaved(tools, args.wildcard_runs if many else 0,
                    "wildcard run (%d functions)" % WILDCARD_FUNCTIONS,
                    lambda tool, i: run_wildcard(tool, many, args.work, i, args.timeout,
                                                 results[tool.name]))
    except (Aborted, KeyboardInterrupt) as e:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # finish the clean-up below undisturbed
        print("bench: aborted (%s), stopping tracers" % (str(e) or "SIGINT"), file=sys.stderr, flush=True)
        for t in list(Tracee.live):
            t.stop()
        for t in list(Tracer.live):
            t.stop(grace=1.0)
        return 130
    finally:
        for t in list(Tracee.live):
            t.stop()
        for t in list(Tracer.live):
            t.stop(grace=1.0)

    u = results["utrace"]
    b = results.get("bpftrace")
    med = lambda xs: statistics.median(xs) if xs else None
    b_startup = med(b.startup_ms.get("")) if b else None
    rows = [
        ("parse+check+lower, %d-line script (ms)" % script_lines, med(u.compile_ms),
         med(b.compile_ms) if b else None, 1),
        ("start-up, first run (compiles) (ms)", med(u.startup_ms.get("first")), b_startup, 1),
        ("start-up, cached script (ms)", med(u.startup_ms.get("cached")), b_startup, 1),
        ("uprobe program cost (ns/call)", med(u.ns_per_call), med(b.ns_per_call) if b else None, 0),
        ("counter calls/sec while traced", med(u.calls_per_sec), med(b.calls_per_sec) if b else None, 0),
        ("printf events/s delivered (%s calls)" % short_count(args.event_calls), med(u.events_per_sec),
         med(b.events_per_sec) if b else None, 0),
        ("printf events lost (%)", med(u.lost_pct), med(b.lost_pct) if b else None, 2),
        ("print %s-key map at exit (ms)" % short_count(args.map_keys), med(u.map_print_ms),
         med(b.map_print_ms) if b else None, 1),
        ("@[tid] = count() on a uprobe (ns/call)", med(u.count_ns_per_call),
         med(b.count_ns_per_call) if b else None, 0),
        ("latency hist, entry+return programs (ns/call)", med(u.latency_bpf_ns),
         med(b.latency_bpf_ns) if b else None, 0),
        ("  the traced call's time (ns/call)", med(u.latency_call_ns),
         med(b.latency_call_ns) if b else None, 0),
        ("wildcard over %d functions: attach (ms)" % WILDCARD_FUNCTIONS, med(u.wildcard_ms),
         med(b.wildcard_ms) if b else None, 1),
        ("  and detach at exit (ms)", med(u.wildcard_exit_ms), med(b.wildcard_exit_ms) if b else None, 1),
        ("peak RSS, first run (compiles) (MB)", med(u.startup_rss_mb.get("first")),
         med(b.startup_rss_mb.get("")) if b else None, 1),
        ("  compiler process of that run (MB)", med(u.compiler_rss_mb),
         med(b.startup_rss_mb.get("")) if b else None, 1),
        ("peak RSS, seed one-liner (MB)", med(u.seed_rss_mb), med(b.seed_rss_mb) if b else None, 1),
        ("peak RSS, %s-key map (MB)" % short_count(args.map_keys), med(u.map_rss_mb),
         med(b.map_rss_mb) if b else None, 1),
        ("peak RSS, %s-key map incl. printing (MB)" % short_count(args.map_keys), med(u.map_rss_print_mb),
         med(b.map_rss_print_mb) if b else None, 1),
    ]
    head = "utrace bench (%d/%d/%d runs, median)" % (args.runs, args.cost_rounds, args.event_runs)
    print()
    print("%-44s %10s %10s %8s" % (head, "utrace", "bpftrace", "ratio"))
    for label, uv, bv, d in rows:
        print("%-44s %10s %10s %8s" % (label, fmt(uv, d), fmt(bv, d) if b else "-", ratio(uv, bv)))
    if not b:
        print("bpftrace: not installed (%s); utrace numbers only"
              % ("%s not found" % args.bpftrace if args.bpftrace else "not on PATH"))
    print("ratio = utrace/bpftrace; < 1 means utrace is faster or smaller (calls/sec: ~1 means no "
          "slowdown;\n        events/s: > 1 means utrace delivers more)")
    print("utrace compiles only in the \"first run\" rows, in a child process whose peak is the"
          " \"compiler process\" row\n(bpftrace compiles in its own process); every other utrace row"
          " uses a warm cache."
          + ("\nbpftrace has no cache: both start-up rows show the same bpftrace runs." if b else ""))

    print()
    joined = lambda xs, f="%.1f": " ".join(f % x for x in xs or []) or "none"
    for kind, what in (("first", "first run"), ("cached", "cached script")):
        print("%-8s start-up runs, %s (ms): %s; of which %s, per -v (ms): %s"
              % ("utrace", what, joined(u.startup_ms.get(kind)),
                 "compiling and storing" if kind == "first" else "the cache look-up",
                 joined(u.object_ms.get(kind))))
    if b:
        print("%-8s start-up runs (ms): %s" % (b.name, joined(b.startup_ms.get(""))))
    print("%-8s peak RSS of the start-up runs, first run (MB): %s; cached script (MB): %s"
          % ("utrace", joined(u.startup_rss_mb.get("first")), joined(u.startup_rss_mb.get("cached"))))
    if b:
        print("%-8s peak RSS of the start-up runs (MB): %s" % (b.name, joined(b.startup_rss_mb.get(""))))
    for r in [u] + ([b] if b else []):
        print("%-8s ns/call per round:  %s" % (r.name, " ".join("%.0f" % x for x in r.ns_per_call) or "none"))
    for r in [u] + ([b] if b else []):
        for i, d in enumerate(r.events_detail, 1):
            print("%-8s printf events run %d: %s" % (r.name, i, d))
    for r in [u] + ([b] if b else []):
        print("%-8s map print runs (ms): %s; peak RSS before/incl. print (MB): %s"
              % (r.name, " ".join("%.1f" % x for x in r.map_print_ms) or "none",
                 " ".join("%.1f/%.1f" % xy for xy in zip(r.map_rss_mb, r.map_rss_print_mb)) or "none"))
    for r in [u] + ([b] if b else []):
        print("%-8s count ns/call per run: %s; wildcard attach/detach runs (ms): %s" % (
            r.name, joined(r.count_ns_per_call, "%.0f"),
            " ".join("%.0f/%.0f" % xy for xy in zip(r.wildcard_ms, r.wildcard_exit_ms)) or "none"))
    for r in [u] + ([b] if b else []):
        if r.prog_summary:
            print("%-8s bpf-prog fds at the end of the last cost run: %s" % (r.name, r.prog_summary))
    for r in [u] + ([b] if b else []):
        for n in r.notes:
            print("note: %s: %s" % (r.name, n))
        for line, count in r.stderr_lines.items():
            print("note: %s stderr (%dx): %s" % (r.name, count, line[:160]))
    def complete(r, startup_kinds):
        return all([r.startup_ms.get(k) for k in startup_kinds] + [r.startup_rss_mb.get(startup_kinds[0])] +
                   [r.ns_per_call, r.seed_rss_mb, r.events_per_sec, r.map_print_ms, r.map_rss_mb,
                    r.count_ns_per_call, r.wildcard_ms])
    ok = complete(u, ["first", "cached"]) and (not b or complete(b, [""]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
