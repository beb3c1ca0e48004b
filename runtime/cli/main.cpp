// utrace: parse, analyze, lower, then load, attach and print; or list probes (-l), or describe a
// binary (--info).
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "codegen/lower.h"
#include "codegen/semantic.h"
#include "ctypes/c_definitions.h"
#include "parser/parse.h"
#include "runtime/binary/binary_catalog.h"
#include "runtime/binary/binary_info.h"
#include "runtime/bpf/bpf_backend.h"
#include "runtime/bpf/preflight.h"
#include "runtime/bpf/tracefs.h"
#include "runtime/cli/listing.h"
#include "runtime/cli/options.h"
#include "runtime/output/output.h"
#include "runtime/session/child.h"
#include "runtime/session/session.h"

namespace {

using namespace ut;

std::optional<SourceFile> read_source(const runtime::Options &opt) {
  if (opt.has_program) return SourceFile{"stdin", opt.program};
  if (opt.file == "-") {  // `utrace -`: the program is read from standard input
    std::stringstream text;
    text << std::cin.rdbuf();
    return SourceFile{"stdin", text.str()};
  }
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
  runtime::Options opt;
  if (auto rc = runtime::parse_options(argc, argv, opt)) return *rc;
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
    if (auto r = runtime::list_probes(opt.list_pattern, opt.pid, opt.verbose, stdout); !r) {
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
  codegen::CDefinitions definitions = ctypes::layout_c_definitions(
      prog->c_definitions, {opt.include_dirs, opt.include_files, prog->identifiers}, diags);
  if (diags.has_errors()) {
    diags.render(std::cerr, *src);
    return 1;
  }
  runtime::TracefsCatalog tracepoints;
  runtime::ElfBinaryCatalog binaries(opt.pid);
  codegen::SemanticInfo sema =
      codegen::analyze(*prog, diags,
                       {opt.params, opt.has_command, runtime::kernel_has_kprobes(), opt.unsafe,
                        &tracepoints, opt.missing_probes_warn, &binaries, &definitions});
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
  if (!runtime::env_number("UTRACE_MAP_KEYS_MAX", 1, 1u << 26, session.map_keys_max) ||
      !runtime::env_number("UTRACE_RING_PAGES", 1, 1u << 18, session.ring_pages))
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
