#include "runtime/bpf/bpf_backend.h"

namespace ut::runtime {

// Out of line, so that the vtable has one home.
Attachment::~Attachment() = default;

}  // namespace ut::runtime
