#!/usr/bin/env python3
"""tests/check_rooms.py finds what breaks the rooms' rules, in small trees made for each case."""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_rooms  # noqa: E402


class CheckRooms(unittest.TestCase):
    def tree(self, files):
        """A tree of `files` (path -> text); returns check_tree()'s problems."""
        with tempfile.TemporaryDirectory() as root:
            for path, text in files.items():
                full = os.path.join(root, path)
                os.makedirs(os.path.dirname(full), exist_ok=True)
                with open(full, "w") as f:
                    f.write(text)
            problems, _ = check_rooms.check_tree(root)
            return problems

    def test_a_clean_tree_has_no_problems(self):
        self.assertEqual(self.tree({
            "codegen/lower.cpp": '#include "codegen/plan.h"\n#include "parser/ast.h"\n',
            "runtime/output/values.cpp": '#include <string>\n#include "codegen/types.h"\n',
            "runtime/session/session.cpp": '#include "runtime/binary/elf.h"\n'
                                           '#include "runtime/bpf/bpf_backend.h"\n'
                                           '#include "parser/diagnostics.h"\n',
            "runtime/binary/dwarf.cpp": "#include <llvm/DebugInfo/DWARF/DWARFContext.h>\n",
            "tests/unit/output/printf_test.cpp": '#include <gtest/gtest.h>\n'
                                                 '#include "codegen/format.h"\n'
                                                 '#include "runtime/output/printf.h"\n',
            "tests/runtime/go_test.cpp": '#include "runtime/session/session.h"\n',
            "tests/runtime/tracees/usdt.c": '#include "anything/at/all.h"\n',
        }), [])

    def test_codegen_may_not_include_the_runtime(self):
        problems = self.tree({"codegen/lower.cpp": '\n#include "runtime/bpf/bpf_backend.h"\n'})
        self.assertEqual(problems, [
            'codegen/lower.cpp:2: codegen may not include "runtime/bpf/bpf_backend.h" (room bpf); '
            "it may include: codegen, parser, stdlib, support"])

    def test_output_may_not_read_elf(self):
        problems = self.tree({"runtime/output/values.cpp": '#include "runtime/binary/elf.h"\n'
                                                           "#include <llvm/Object/ELF.h>\n"})
        self.assertEqual(problems, [
            'runtime/output/values.cpp:1: output may not include "runtime/binary/elf.h" '
            "(room binary); it may include: output, support, codegen/binaries.h, codegen/plan.h, "
            "codegen/tracepoint_catalog.h, codegen/types.h",
            "runtime/output/values.cpp:2: output may not include <llvm/Object/ELF.h>: "
            "only binary may"])

    def test_the_runtime_never_sees_the_ast(self):
        problems = self.tree({"runtime/session/placement.h": '#include "parser/ast.h"\n',
                              "runtime/bpf/tracefs.h": '#include "codegen/tracepoints.h"\n'})
        self.assertEqual(len(problems), 2)
        self.assertTrue(problems[0].startswith(
            'runtime/bpf/tracefs.h:1: bpf may not include "codegen/tracepoints.h" (room codegen)'))
        self.assertTrue(problems[1].startswith(
            'runtime/session/placement.h:1: session may not include "parser/ast.h" (room parser)'))

    def test_only_bpf_runs_bccs_compiler(self):
        problems = self.tree({"runtime/binary/binary_path.cpp": "#include <bcc/bcc_proc.h>\n",
                              "runtime/session/session.cpp": "#include <bcc/bpf_module.h>\n"})
        self.assertEqual(problems, [
            "runtime/session/session.cpp:1: session may not include <bcc/bpf_module.h>: "
            "only bpf may"])

    def test_a_lower_room_may_not_include_a_higher_one(self):
        self.assertEqual(self.tree({"runtime/bpf/kernel_backend.cpp":
                                    '#include "runtime/session/map_reader.h"\n'}), [
            'runtime/bpf/kernel_backend.cpp:1: bpf may not include "runtime/session/map_reader.h" '
            "(room session); it may include: bpf, support, codegen/binaries.h, codegen/plan.h, "
            "codegen/tracepoint_catalog.h, codegen/types.h"])

    def test_a_rooms_internal_headers_are_its_own(self):
        problems = self.tree({
            "runtime/session/session.cpp": '#include "runtime/bpf/bpf_link.h"\n',
            "runtime/cli/main.cpp": '#include "runtime/session/placement.h"\n',
            "runtime/bpf/kernel_backend.cpp": '#include "runtime/bpf/bpf_link.h"\n',
            "tests/unit/bpf/bpf_link_test.cpp": '#include "runtime/bpf/bpf_link.h"\n',
            "tests/runtime/detach_test.cpp": '#include "runtime/bpf/bpf_link.h"\n',
        })
        self.assertEqual(problems, [
            'runtime/cli/main.cpp:1: cli may not include "runtime/session/placement.h": it is '
            "internal to session, whose public headers are: runtime/session/child.h, "
            "runtime/session/session.h",
            'runtime/session/session.cpp:1: session may not include "runtime/bpf/bpf_link.h": it '
            "is internal to bpf, whose public headers are: runtime/bpf/bpf_backend.h, "
            "runtime/bpf/compile_cache.h, runtime/bpf/cpus.h, runtime/bpf/preflight.h, "
            "runtime/bpf/tracefs.h"])

    def test_unit_tests_follow_their_room(self):
        self.assertEqual(self.tree({"tests/unit/binary/elf_test.cpp":
                                    '#include "runtime/session/session.h"\n'}), [
            'tests/unit/binary/elf_test.cpp:1: unit tests of binary may not include '
            '"runtime/session/session.h" (room session); it may include: binary, codegen, ctypes, '
            "parser, stdlib, support, codegen/binaries.h, codegen/plan.h, "
            "codegen/tracepoint_catalog.h, codegen/types.h"])

    def test_only_ctypes_uses_libclang(self):
        self.assertEqual(self.tree({"codegen/analyze.cpp": "#include <clang-c/Index.h>\n"}),
                         ["codegen/analyze.cpp:1: codegen may not include <clang-c/Index.h>: "
                          "only ctypes may"])

    def test_gtest_is_for_tests(self):
        self.assertEqual(self.tree({"runtime/output/values.cpp": "#include <gtest/gtest.h>\n"}),
                         ["runtime/output/values.cpp:1: <gtest/gtest.h> is for tests only"])

    def test_a_file_outside_every_room_is_named(self):
        self.assertEqual(self.tree({"runtime/live.cpp": "", "runtime/view/live.cpp": ""}), [
            "runtime/live.cpp:1: is in no room: add its folder to tests/check_rooms.py and "
            "docs/architecture.md",
            "runtime/view/live.cpp:1: is in no room: add its folder to tests/check_rooms.py and "
            "docs/architecture.md"])


if __name__ == "__main__":
    unittest.main()
