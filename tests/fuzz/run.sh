#!/usr/bin/env bash
# Fuzzes parse, analyze and lower with libFuzzer under AddressSanitizer and UBSan.
#   bash tests/fuzz/run.sh [SECONDS]     (default 600)
# Builds build-fuzz/ with clang-14, starts from the committed seed corpus (tests/fuzz/corpus/,
# every sample and test script) and keeps new inputs in build-fuzz/corpus. Crashing inputs are
# written to build-fuzz/ as crash-*; the run fails if there is any.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=${1:-600}
cd "$root"
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DUTRACE_FUZZ=ON -DUTRACE_RUNTIME_TESTS=OFF \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
cmake --build build-fuzz -j2 --target fuzz_pipeline
mkdir -p build-fuzz/corpus
cd build-fuzz
./tests/fuzz_pipeline -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix=./ corpus "$root/tests/fuzz/corpus"
