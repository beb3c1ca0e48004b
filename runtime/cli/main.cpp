// utrace: parse, analyze, lower, then load, attach and print.
#include <getopt.h>
#include <signal.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "codegen/lower.h"
#include "codegen/semantic.h"
#include "parser/parse.h"
#include "runtime/binary/binary_catalog.h"
#include "runtime/binary/binary_info.h"
#include "runtime/bpf/bpf_backend.h"
#include "runtime/bpf/preflight.h"
#include "runtime/bpf/tracefs.h"
#include "runtime/cli/listing.h"
#include "runtime/output/output.h"
#include "runtime/session/child.h"
#include "runtime/session/session.h"

namespace {

using namespace ut;

const char kUsage[] =
    "USAGE:\n"
    "    utrace [options] FILE [ARG...]\n"
    "    utrace [options] -e 'program' [ARG...]\n"
    "\n"
    "OPTIONS:\n"
    "    -e PROGRAM     trace PROGRAM\n"
    "    -q             do not print the 'Attaching N probes...' line\n"
    "    -f text|json   output format (json: one JSON object per line)\n"
    "    -o FILE        write the output to FILE instead of stdout\n"
    "    -c 'CMD'       run CMD with the probes in place; stop when it exits\n"
    "    -p PID         trace process PID only (uprobes); stop when it exits\n"
    "    -l [PATTERN]   list probes: uprobe:BINARY:FUNC* a binary's functions (-lv: their\n"
    "                   parameters), usdt:BINARY its USDT probes, tracepoint:CATEGORY:NAME the\n"
    "                   kernel's tracepoints (-lv: their fields)\n"
    "    --info BINARY  print what utrace knows about BINARY (language, Go version and ABI,\n"
    "                   goid offset, stripped, PIE, DWARF, functions) and exit\n"
    "    -v             say where the BPF object came from (cache or compiler) and how long it "
    "took\n"
    "    --no-cache     compile without the compile cache (see UTRACE_CACHE_DIR)\n"
    "    --unsafe       allow system(), signal() and writing memory (*ADDRESS = VALUE)\n"
    "    --missing-probes=warn|error\n"
    "                   a probe that reaches nothing: a warning (and left out), or an error\n"
    "    --kernel-uretprobe\n"
    "                   kernel uretprobes on Go functions too (they can crash Go programs)\n"
    "    --dump=ast     print the syntax tree and exit (no root needed)\n"
    "    --dump=c       print the generated C and exit (no root needed)\n"
    "    -h, --help     show this help\n"
    "    -V, --version  show the version\n"
    "\n"
    "ARGs are the positional parameters $1, $2... of the program.\n";

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
  std::string info;  // --info BINARY
  bool has_info = false;
  std::vector<std::string> params;  // positional parameters $1, $2...
};

// Parses the command line; returns an exit code when utrace should stop right away.
std::optional<int> parse_options(int argc, char **argv, Options &opt) {
  static const option kLong[] = {
      {"help", no_argument, nullptr, 'h'},
      {"version", no_argument, nullptr, 'V'},
      {"dump", required_argument, nullptr, 'D'},
      {"no-cache", no_argument, nullptr, 'N'},
      {"unsafe", no_argument, nullptr, 'U'},
      {"missing-probes", required_argument, nullptr, 'M'},
      {"kernel-uretprobe", no_argument, nullptr, 'K'},
      {"info", required_argument, nullptr, 'I'},
      {nullptr, 0, nullptr, 0},
  };
  int c;
  while ((c = getopt_long(argc, argv, "+e:qvf:o:c:p:lhV", kLong, nullptr)) != -1) {
    switch (c) {
      case 'e':
        opt.program = optarg;
        opt.has_program = true;
        break;
      case 'q':
        opt.quiet = true;
        break;
      case 'v':
        opt.verbose = true;
        break;
      case 'N':
        opt.no_cache = true;
        break;
      case 'U':
        opt.unsafe = true;
        break;
      case 'K':
        opt.kernel_uretprobe = true;
        break;
      case 'M':
        if (strcmp(optarg, "warn") != 0 && strcmp(optarg, "error") != 0) {
          std::cerr << "ERROR: --missing-probes takes 'warn' or 'error', not '" << optarg << "'\n";
          return 1;
        }
        opt.missing_probes_warn = strcmp(optarg, "warn") == 0;
        break;
      case 'f':
        opt.format = optarg;
        if (opt.format != "text" && opt.format != "json") {
          std::cerr << "ERROR: -f takes 'text' or 'json', not '" << opt.format << "'\n";
          return 1;
        }
        break;
      case 'o':
        opt.output_file = optarg;
        break;
      case 'c':
        opt.command = optarg;
        opt.has_command = true;
        if (runtime::ChildProcess::split(opt.command).empty()) {
          std::cerr << "ERROR: -c needs a command\n";
          return 1;
        }
        break;
      case 'p': {
        char *end = nullptr;
        long pid = strtol(optarg, &end, 10);
        if (*optarg == '\0' || *end != '\0' || pid <= 0 || pid > INT32_MAX) {
          std::cerr << "ERROR: -p takes a process id, not '" << optarg << "'\n";
          return 1;
        }
        if (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
          std::cerr << "ERROR: -p " << pid << ": no such process\n";
          return 1;
        }
        opt.pid = static_cast<pid_t>(pid);
        break;
      }
      case 'D':
        opt.dump = optarg;
        if (opt.dump != "ast" && opt.dump != "c") {
          std::cerr << "ERROR: --dump takes 'ast' or 'c', not '" << opt.dump << "'\n";
          return 1;
        }
        break;
      case 'l':
        opt.list = true;
        break;
      case 'I':
        opt.info = optarg;
        opt.has_info = true;
        break;
      case 'h':
        runtime::make_text_output(stdout)->raw(kUsage);
        return 0;
      case 'V':
        runtime::make_text_output(stdout)->raw("utrace " UTRACE_VERSION "\n");
        return 0;
      default:
        std::cerr << kUsage;
        return 1;
    }
  }
  if (opt.pid > 0 && opt.has_command) {
    std::cerr << "ERROR: -p and -c cannot be used together\n";
    return 1;
  }
  if (opt.has_info) {
    if (optind < argc) {
      std::cerr << "ERROR: --info takes one binary; unexpected '" << argv[optind] << "'\n";
      return 1;
    }
    return std::nullopt;
  }
  if (opt.list) return std::nullopt;  // the pattern, if any, is the next argument
  if (!opt.has_program) {
    if (optind >= argc) {
      std::cerr << "ERROR: no program given: use -e 'program' or a script file\n\n" << kUsage;
      return 1;
    }
    opt.file = argv[optind++];
  }
  for (int i = optind; i < argc; ++i) opt.params.push_back(argv[i]);
  return std::nullopt;
}

// Reads environment variable `name` into `value` when it is set; false after reporting a bad one.
bool env_number(const char *name, uint32_t min, uint32_t max, uint32_t &value) {
  const char *text = getenv(name);
  if (!text) return true;
  char *end = nullptr;
  unsigned long n = strtoul(text, &end, 10);
  if (*text == '\0' || *end != '\0' || n < min || n > max) {
    std::cerr << "ERROR: " << name << " must be a number from " << min << " to " << max << ", not '"
              << text << "'\n";
    return false;
  }
  value = static_cast<uint32_t>(n);
  return true;
}

std::optional<SourceFile> read_source(const Options &opt) {
  if (opt.has_program) return SourceFile{"stdin", opt.program};
  std::ifstream in(opt.file);
  if (!in) {
    std::cerr << "ERROR: failed to open file '" << opt.file << "': " << strerror(errno) << "\n";
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  return SourceFile{opt.file, text.str()};
}

int run(int argc, char **argv) {
  Options opt;
  if (auto rc = parse_options(argc, argv, opt)) return *rc;
  if (opt.has_info) {
    auto text = runtime::describe_binary(opt.info, opt.pid);
    if (!text) {
      std::cerr << "ERROR: " << text.error().message() << "\n";
      return 1;
    }
    runtime::make_text_output(stdout)->raw(*text);
    return 0;
  }
  if (opt.list) {
    std::string pattern = optind < argc ? argv[optind] : "";
    if (auto r = runtime::list_probes(pattern, opt.pid, opt.verbose, stdout); !r) {
      std::cerr << "ERROR: " << r.error().message() << "\n";
      return 1;
    }
    return 0;
  }
  auto src = read_source(opt);
  if (!src) return 1;

  ast::Context ctx;
  Diagnostics diags;
  ast::Program *prog = parser::parse(*src, ctx, diags);
  if (!prog || diags.has_errors()) {
    diags.render(std::cerr, *src);
    return 1;
  }
  // The output file is opened only once it is needed, so that a mistake does not empty it.
  std::unique_ptr<runtime::Output> out;
  auto open_output = [&]() -> bool {
    FILE *file = stdout;
    if (!opt.output_file.empty() && !(file = fopen(opt.output_file.c_str(), "w"))) {
      std::cerr << "ERROR: cannot write '" << opt.output_file << "': " << strerror(errno) << "\n";
      return false;
    }
    out = opt.format == "json" ? runtime::make_json_output(file) : runtime::make_text_output(file);
    return true;
  };
  if (opt.dump == "ast") {
    if (!open_output()) return 1;
    out->raw(ast::dump(*prog));
    return 0;
  }
  runtime::TracefsCatalog tracepoints;
  runtime::ElfBinaryCatalog binaries(opt.pid);
  codegen::SemanticInfo sema =
      codegen::analyze(*prog, diags,
                       {opt.params, opt.has_command, runtime::kernel_has_kprobes(), opt.unsafe,
                        &tracepoints, opt.missing_probes_warn, &binaries});
  diags.render(std::cerr, *src);
  if (diags.has_errors()) return 1;
  // Events go through a ring buffer unless the kernel has none (or UTRACE_EVENTS=perf asks).
  codegen::LowerOptions lowering;
  const char *events = getenv("UTRACE_EVENTS");
  if (events && std::string(events) != "ring" && std::string(events) != "perf") {
    std::cerr << "ERROR: UTRACE_EVENTS must be 'ring' or 'perf', not '" << events << "'\n";
    return 1;
  }
  lowering.perf_events = events ? std::string(events) == "perf"
                                : opt.dump.empty() && !runtime::kernel_has_ring_buffers();
  lowering.bpf_writes_user_memory =
      !sema.writes_user_memory || !opt.dump.empty() || runtime::bpf_may_write_user_memory();
  codegen::ProgramPlan plan = codegen::lower(*prog, sema, lowering);
  // A loop's body runs as a callback, without the probe context a perf buffer write needs;
  // kernels with bpf_for_each_map_elem() (5.13) all have ring buffers.
  if (plan.callbacks > 0 && plan.perf_events) {
    std::cerr << "ERROR: for loops over maps need the ring buffer event transport: unset "
                 "UTRACE_EVENTS=perf\n";
    return 1;
  }
  if (!open_output()) return 1;
  if (opt.dump == "c") {
    out->raw(plan.c_source);
    return 0;
  }

  for (auto check :
       {runtime::check_privileges, runtime::check_kernel_headers, runtime::check_tracefs}) {
    if (auto r = check(); !r) {
      std::cerr << "ERROR: " << r.error().message() << "\n";
      return 1;
    }
  }
  runtime::SessionOptions session;
  session.quiet = opt.quiet;
  session.command = runtime::ChildProcess::split(opt.command);
  session.pid = opt.pid;
  session.missing_probes_warn = opt.missing_probes_warn;
  session.kernel_uretprobe = opt.kernel_uretprobe;
  if (!env_number("UTRACE_MAP_KEYS_MAX", 1, 1u << 26, session.map_keys_max) ||
      !env_number("UTRACE_RING_PAGES", 1, 1u << 18, session.ring_pages))
    return 1;
  if (session.ring_pages & (session.ring_pages - 1)) {
    std::cerr << "ERROR: UTRACE_RING_PAGES must be a power of two\n";
    return 1;
  }
  runtime::BackendOptions backend_options;
  if (!opt.no_cache) backend_options.cache = runtime::CompileCache::from_environment();
  backend_options.verbose = opt.verbose;
  auto backend = runtime::make_kernel_backend(std::move(backend_options));
  return runtime::run_session(plan, *src, *backend, *out, session);
}

}  // namespace

int main(int argc, char **argv) {
  return run(argc, argv);
}
