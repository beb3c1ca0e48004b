// Running programs the way a user does, for runtime tests: a command line, its output, its exit.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace ut::testing {

struct RunResult {
  std::string out;
  std::string err;
  int exit_code = -1;  // -1 when killed by a signal
  int term_signal = 0;
};

struct RunOptions {
  // Send `stop_signal` this long after the start (0: wait for the program to exit by itself).
  std::chrono::milliseconds stop_after{0};
  // Or once stdout holds `stop_when_seen` this many times (0: not), for tests that need so
  // many lines of periodic output, however long start-up takes on a loaded machine.
  std::string stop_when_seen;
  size_t stop_when_seen_times = 0;
  int stop_signal = 2;  // SIGINT
  // Kill the program with SIGKILL if it is still running this long after the start.
  std::chrono::milliseconds deadline{30000};
  std::vector<std::string> env;  // "NAME=VALUE" added to the environment
};

// Runs argv[0] with `argv`, capturing stdout and stderr.
RunResult run(const std::vector<std::string> &argv, const RunOptions &options = {});

// A program left running in the background for the length of a test; killed when destroyed.
class Background {
 public:
  explicit Background(const std::vector<std::string> &argv);
  ~Background();
  Background(const Background &) = delete;
  Background &operator=(const Background &) = delete;
  pid_t pid() const { return pid_; }
  bool alive() const;
  // Sends `sig` to the program.
  void signal(int sig) const;
  // Waits up to `timeout` for the program to exit: its exit code, 128 + the signal that ended
  // it, or -1 if it is still running.
  int wait(std::chrono::milliseconds timeout) const;

 private:
  bool reap(int options) const;

  pid_t pid_ = -1;
  mutable int status_ = -1;  // the exit status, once reaped
};

}  // namespace ut::testing
