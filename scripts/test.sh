#!/usr/bin/env bash
# Every utrace test, for a fresh Debian 12 machine, as root:
#   bash scripts/test.sh
# Sets the machine up, builds a fresh build-test/ with the tests, and runs all of them (unit,
# golden and runtime) with ctest. Exits with ctest's status.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash scripts/setup.sh

# Unit tests once more under AddressSanitizer and UndefinedBehaviorSanitizer.
rm -rf build-test build-asan
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DUTRACE_SANITIZE=ON -DUTRACE_RUNTIME_TESTS=OFF
cmake --build build-asan -j2 --target unit_tests

# Everything, including the runtime tests that load BPF and attach to real tracees.
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DUTRACE_BUILD_TESTS=ON
cmake --build build-test -j2

status=0
ctest --test-dir build-asan --output-on-failure || status=$?
ctest --test-dir build-test --output-on-failure || status=$?
exit "$status"
