#include "runtime/cli/options.h"

#include <getopt.h>
#include <signal.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "runtime/output/output.h"
#include "runtime/session/child.h"

namespace ut::runtime {
namespace {

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
    "    -I DIR         look for the C definitions' #include files in DIR first\n"
    "    --include FILE include FILE before the program's C definitions\n"
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
    "ARGs are the positional parameters $1, $2... of the program. FILE - reads the program\n"
    "from standard input. SIGUSR1 prints every map and tracing goes on.\n";

}  // namespace

// Long options without a short one.
constexpr int kInfo = 1000;
constexpr int kInclude = 1001;

std::optional<int> parse_options(int argc, char **argv, Options &opt) {
  static const option kLong[] = {
      {"help", no_argument, nullptr, 'h'},
      {"version", no_argument, nullptr, 'V'},
      {"dump", required_argument, nullptr, 'D'},
      {"no-cache", no_argument, nullptr, 'N'},
      {"unsafe", no_argument, nullptr, 'U'},
      {"missing-probes", required_argument, nullptr, 'M'},
      {"kernel-uretprobe", no_argument, nullptr, 'K'},
      {"info", required_argument, nullptr, kInfo},
      {"include", required_argument, nullptr, kInclude},
      {nullptr, 0, nullptr, 0},
  };
  int c;
  while ((c = getopt_long(argc, argv, "+e:qvf:o:c:p:lhVI:", kLong, nullptr)) != -1) {
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
        if (ChildProcess::split(opt.command).empty()) {
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
      case kInfo:
        opt.info = optarg;
        opt.has_info = true;
        break;
      case 'I':
        opt.include_dirs.push_back(optarg);
        break;
      case kInclude:
        opt.include_files.push_back(optarg);
        break;
      case 'h':
        make_text_output(stdout)->raw(kUsage);
        return 0;
      case 'V':
        make_text_output(stdout)->raw("utrace " UTRACE_VERSION " (bpftrace 0.17 compatible)\n");
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
  if (opt.list) {
    if (optind < argc) opt.list_pattern = argv[optind];
    return std::nullopt;
  }
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

}  // namespace ut::runtime
