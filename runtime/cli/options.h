// The command line: what utrace is asked to do, read from its arguments and its environment.
// Mistakes are reported on stderr, one `ERROR:` line each.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ut::runtime {

struct Options {
  std::string program;
  std::string file;
  bool has_program = false;
  std::string dump;
  bool quiet = false;
  bool verbose = false;
  bool no_cache = false;
  bool unsafe = false;
  bool missing_probes_warn = false;
  bool kernel_uretprobe = false;
  std::string format = "text";
  std::string output_file;
  std::string command;
  bool has_command = false;
  pid_t pid = 0;
  bool list = false;
  std::string list_pattern;  // -l PATTERN
  std::string info;  // --info BINARY
  bool has_info = false;
  std::vector<std::string> params;  // positional parameters $1, $2...
  std::vector<std::string> include_dirs;   // -I DIR, for the C definitions' #include
  std::vector<std::string> include_files;  // --include FILE
};

// Parses the command line into `opt`; returns an exit code when utrace should stop right away
// (after --help or --version, or after reporting a mistake).
std::optional<int> parse_options(int argc, char **argv, Options &opt);

// Reads environment variable `name` into `value` when it is set; false after reporting a bad one.
bool env_number(const char *name, uint32_t min, uint32_t max, uint32_t &value);

}  // namespace ut::runtime
