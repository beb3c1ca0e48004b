// The kernel's tracepoints as tracefs describes them: which exist (available_events), the format
// of each (events/CATEGORY/NAME/format) and its perf event id (events/CATEGORY/NAME/id).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "codegen/tracepoint_catalog.h"
#include "support/result.h"

namespace ut::runtime {

class TracefsCatalog : public codegen::TracepointCatalog {
 public:
  explicit TracefsCatalog(std::string root = "/sys/kernel/tracing") : root_(std::move(root)) {}

  Result<std::vector<std::string>> match(const std::string &pattern) override;
  Result<codegen::TracepointFormat> format(const std::string &category,
                                           const std::string &name) override;
  // The id that names `tracepoint` ("syscalls:sys_enter_openat") to perf_event_open().
  Result<uint64_t> id(const std::string &tracepoint) const;

 private:
  std::string root_;
  std::optional<std::vector<std::string>> events_;  // available_events, sorted, once read
};

}  // namespace ut::runtime
