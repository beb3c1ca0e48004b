#!/usr/bin/env python3
"""Keeps utrace's rooms honest: checks every source file's #include lines against the rules below.

    python3 tests/check_rooms.py [ROOT]

A room may include its own headers and the public headers of the rooms below it that it uses;
tests follow the room they test. Prints one line per include that breaks a rule ("FILE:LINE:
...") and exits 1; prints a summary and exits 0 when there is none. docs/architecture.md
explains the rooms; this file is where their rules are enforced, so a change to one changes the
other.
"""

import os
import re
import sys
from dataclasses import dataclass, field

# codegen's contract with the runtime: plain values, nothing of the AST or of lowering.
CONTRACT = frozenset({
    "codegen/plan.h",
    "codegen/types.h",
    "codegen/binaries.h",
    "codegen/tracepoint_catalog.h",
})


@dataclass(frozen=True)
class Room:
    folder: str  # every file below it is in the room
    uses: tuple = ()  # the rooms it may include headers of, besides its own
    headers: frozenset = frozenset()  # single headers of other rooms it may include
    # The headers other rooms may include (its face); the rest are its own business. None: all.
    public: frozenset = None


def in_folder(folder, *names):
    return frozenset(folder + n for n in names)


# Lower rooms first. A room may include its own headers, the public headers of the rooms in
# `uses`, and the single `headers` listed.
ROOMS = {
    "support": Room("support/"),
    "parser": Room("parser/", ("support",),
                   public=in_folder("parser/", "parse.h", "ast.h", "diagnostics.h")),
    "stdlib": Room("stdlib/", ("support",), public=in_folder("stdlib/", "prelude.h")),
    "codegen": Room("codegen/", ("support", "parser", "stdlib"),
                    public=CONTRACT | in_folder("codegen/", "semantic.h", "lower.h", "format.h",
                                                "c_definitions.h")),
    # The script's C definitions laid out by libclang, into codegen's plain types.
    "ctypes": Room("ctypes/", ("support",),
                   in_folder("codegen/", "types.h", "c_definitions.h") | {"parser/diagnostics.h"},
                   in_folder("ctypes/", "c_definitions.h")),
    "binary": Room("runtime/binary/", ("support",), CONTRACT,
                   in_folder("runtime/binary/", "binary_catalog.h", "binary_info.h",
                             "binary_path.h", "dwarf.h", "elf.h", "symbolizer.h",
                             "uprobe_targets.h", "usdt.h")),
    "bpf": Room("runtime/bpf/", ("support",), CONTRACT,
                in_folder("runtime/bpf/", "bpf_backend.h", "compile_cache.h", "cpus.h",
                          "preflight.h", "tracefs.h")),
    "output": Room("runtime/output/", ("support",), CONTRACT,
                   in_folder("runtime/output/", "output.h", "values.h", "printf.h")),
    "session": Room("runtime/session/", ("support", "binary", "bpf", "output"),
                    CONTRACT | {"parser/diagnostics.h"},
                    in_folder("runtime/session/", "session.h", "child.h")),
    "cli": Room("runtime/cli/",
                ("support", "parser", "stdlib", "codegen", "ctypes", "binary", "bpf", "output",
                 "session"),
                public=frozenset()),
}

# Libraries' headers (#include <...>) that only some rooms may use; the first pattern that matches
# decides. Headers no pattern matches (the C and C++ libraries, POSIX) are everyone's.
LIBRARIES = [
    ("llvm/Support/ErrorHandling.h", {"binary", "bpf"}),  # bpf: BCC's Clang reports through it
    ("llvm/", {"binary"}),  # LLVM's object, DWARF and MC libraries read binaries
    ("bcc/bcc_proc.h", {"binary", "bpf"}),  # binary: libraries through ld.so.cache
    ("bcc/", {"bpf"}),  # BCC's compiler and libbpf
    ("linux/bpf.h", {"bpf"}),
    ("linux/btf.h", {"bpf"}),
    ("elf.h", {"binary"}),
    ("clang-c/", {"ctypes"}),  # libclang's C API lays out the script's C definitions
    ("gtest/", set()),  # tests only (Rules.tests)
]

# Tests: tests/unit/ROOM/ follows ROOM's rules, and may also build its inputs with the stages
# below the runtime and use the shared helpers in tests/unit/. tests/runtime/ runs the utrace
# binary as a user does and may use anything; tests/fuzz/ drives parse, analyze and lower.
UNIT_HELPERS = "tests/unit/"
PURE_STAGES = ("support", "parser", "stdlib", "codegen", "ctypes")
FUZZ = Room("tests/fuzz/", PURE_STAGES)
EVERYTHING = Room("tests/runtime/", tuple(ROOMS))

# Not the project's C++: programs the tests and the samples trace or compile, and golden C output.
SKIPPED = ("tests/runtime/tracees/", "tests/unit/fixtures/", "tests/golden/", "samples/")
SOURCE = re.compile(r"\.(c|cc|cpp|h|hh|hpp|yy|l|in)$")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


@dataclass
class Rules:
    """What one file may include."""
    name: str  # the room, as messages name it
    own: str  # the room whose internal headers it may include too ("" for none)
    rooms: set  # rooms whose headers it may include
    headers: frozenset = frozenset()
    libraries: set = field(default_factory=set)  # the rooms whose library headers it may use
    tests: bool = False
    internals: bool = False  # may include other rooms' internal headers (end-to-end tests)


def room_of(path):
    """The room a project path (a file or an included header) is in, or None."""
    for name, room in ROOMS.items():
        if path.startswith(room.folder):
            return name
    return None


def rules_for(path):
    """The rules of the file at `path` (relative to the root), or None when no room holds it."""
    if path.startswith(UNIT_HELPERS):
        rest = path[len(UNIT_HELPERS):]
        if "/" not in rest:  # a helper shared by the unit tests of several rooms
            return Rules("unit test helpers", "", set(PURE_STAGES), tests=True)
        room = rest.split("/", 1)[0]
        if room not in ROOMS:
            return None
        own = ROOMS[room]
        return Rules("unit tests of " + room, room, {room, *own.uses, *PURE_STAGES}, own.headers,
                     {room}, tests=True)
    for tests in (FUZZ, EVERYTHING):
        if path.startswith(tests.folder):
            return Rules(tests.folder.rstrip("/"), "", set(tests.uses), libraries=set(tests.uses),
                         tests=True, internals=tests is EVERYTHING)
    name = room_of(path)
    if name is None:
        return None
    return Rules(name, name, {name, *ROOMS[name].uses}, ROOMS[name].headers, {name})


def describe(rules):
    return ", ".join(sorted(rules.rooms) + sorted(rules.headers))


def check_include(path, rules, kind, header):
    """Why `path` may not include `header`, or None when it may."""
    if kind == '"':
        if "/" not in header:
            return None  # a file beside it (parser.tab.hh)
        if path.startswith("tests/") and header.startswith("tests/"):
            return None  # tests' own helpers
        target = room_of(header)
        if target is None:
            return '"%s" is in no room' % header
        if target not in rules.rooms and header not in rules.headers:
            return '%s may not include "%s" (room %s); it may include: %s' % (
                rules.name, header, target, describe(rules))
        public = ROOMS[target].public
        if target == rules.own or rules.internals or public is None or header in public:
            return None
        return '%s may not include "%s": it is internal to %s, whose public headers are: %s' % (
            rules.name, header, target, ", ".join(sorted(public)) or "none")
    for pattern, rooms in LIBRARIES:
        if header == pattern or (pattern.endswith("/") and header.startswith(pattern)):
            if pattern == "gtest/":
                return None if rules.tests else "<%s> is for tests only" % header
            if rules.libraries & rooms:
                return None
            return "%s may not include <%s>: only %s may" % (rules.name, header,
                                                            ", ".join(sorted(rooms)))
    return None


def source_files(root):
    for top, dirs, files in os.walk(root):
        rel_top = os.path.relpath(top, root)
        rel_top = "" if rel_top == "." else rel_top + "/"
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "build"))
                         and not (rel_top + d + "/").startswith(SKIPPED))
        for f in sorted(files):
            if SOURCE.search(f):
                yield rel_top + f


def check_tree(root):
    """Every broken rule under `root`, as "FILE:LINE: why" lines, and how many files were read."""
    problems = []
    count = 0
    for path in source_files(root):
        count += 1
        rules = rules_for(path)
        if rules is None:
            problems.append("%s:1: is in no room: add its folder to tests/check_rooms.py and "
                            "docs/architecture.md" % path)
            continue
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                why = check_include(path, rules, m.group(1), m.group(2))
                if why:
                    problems.append("%s:%d: %s" % (path, number, why))
    return problems, count


def main(argv):
    root = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    problems, count = check_tree(root)
    for p in problems:
        print(p)
    if problems:
        print("rooms: %d include(s) break the rules in %d files read" % (len(problems), count))
        return 1
    print("rooms: %d files read, every include within the rules" % count)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
