// What an Output prints, captured for unit tests of runtime/output/.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>

#include "runtime/output/output.h"

namespace ut::testing {

// Everything an Output made by `make` prints on its stream while `write` runs.
inline std::string printed(std::unique_ptr<runtime::Output> (*make)(FILE *),
                           const std::function<void(runtime::Output &)> &write) {
  char *buf = nullptr;
  size_t len = 0;
  FILE *stream = open_memstream(&buf, &len);
  {
    std::unique_ptr<runtime::Output> out = make(stream);
    write(*out);
    out->flush();
  }
  fclose(stream);
  std::string text(buf, len);
  free(buf);
  return text;
}

}  // namespace ut::testing
