#include "tests/runtime/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <thread>

extern char **environ;

namespace ut::testing {
namespace {

[[noreturn]] void exec(const std::vector<std::string> &argv, const std::vector<std::string> &env) {
  for (const std::string &e : env) putenv(strdup(e.c_str()));
  std::vector<char *> args;
  for (const std::string &a : argv) args.push_back(const_cast<char *>(a.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  _exit(127);
}

size_t occurrences(const std::string &text, const std::string &what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

RunResult run(const std::vector<std::string> &argv, const RunOptions &options) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) return {};
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, STDIN_FILENO);
    exec(argv, options.env);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);

  RunResult result;
  auto start = std::chrono::steady_clock::now();
  bool stopped = false, killed = false;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0) {
    auto elapsed = std::chrono::steady_clock::now() - start;
    bool seen = options.stop_when_seen_times > 0 &&
                occurrences(result.out, options.stop_when_seen) >= options.stop_when_seen_times;
    if (!stopped && (seen || (options.stop_after.count() > 0 && elapsed >= options.stop_after))) {
      kill(pid, options.stop_signal);
      stopped = true;
    }
    if (!killed && elapsed >= options.deadline) {
      kill(pid, SIGKILL);
      killed = true;
    }
    if (poll(fds, 2, 20) <= 0) continue;
    for (auto &f : fds) {
      if (f.fd < 0 || !(f.revents & (POLLIN | POLLHUP))) continue;
      char buf[4096];
      ssize_t n = read(f.fd, buf, sizeof(buf));
      if (n <= 0) {
        close(f.fd);
        f.fd = -1;
        --open_fds;
        continue;
      }
      (f.fd == out_pipe[0] ? result.out : result.err).append(buf, n);
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.term_signal = WTERMSIG(status);
  return result;
}

Background::Background(const std::vector<std::string> &argv) {
  pid_ = fork();
  if (pid_ == 0) {
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, STDIN_FILENO);
    dup2(devnull, STDOUT_FILENO);
    dup2(devnull, STDERR_FILENO);
    exec(argv, {});
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let it start
}

Background::~Background() {
  if (pid_ <= 0 || status_ >= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

bool Background::reap(int options) const {
  if (status_ >= 0) return true;
  int status = 0;
  if (pid_ <= 0 || waitpid(pid_, &status, options) != pid_) return false;
  status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return true;
}

bool Background::alive() const {
  return pid_ > 0 && !reap(WNOHANG);
}

void Background::signal(int sig) const {
  if (status_ < 0) kill(pid_, sig);
}

int Background::wait(std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!reap(WNOHANG)) {
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return status_;
}

}  // namespace ut::testing
