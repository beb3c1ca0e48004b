// The BPF-side C helpers every generated program starts with (stdlib/prelude.bpf.h), embedded
// into the binary at build time.
#pragma once

#include <string_view>

namespace ut::stdlib {

std::string_view prelude();

}  // namespace ut::stdlib
