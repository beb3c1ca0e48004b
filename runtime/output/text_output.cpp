#include "runtime/output/histogram.h"
#include "runtime/output/output.h"

namespace ut::runtime {
namespace {

using codegen::AggKind;

class TextOutput : public Output {
 public:
  explicit TextOutput(FILE *out) : out_(out) {}

  void attached(size_t probes) override {
    fprintf(out_, "Attaching %zu probe%s...\n", probes, probes == 1 ? "" : "s");
    flush();
  }

  void printf_text(std::string_view s) override { raw(s); }

  void value(const Value &v) override { raw(v.text() + "\n"); }

  // Where events were lost goes to stderr, as newer bpftrace does: stdout stays the trace.
  void lost_events(uint64_t count) override {
    fflush(out_);
    fprintf(stderr, "Lost %llu events\n", static_cast<unsigned long long>(count));
  }

  void raw(std::string_view s) override { fwrite(s.data(), 1, s.size(), out_); }

  // bpftrace ends the event stream with two newlines: the first ends a `^C` the terminal echoed.
  void maps_begin() override { fputs("\n\n", out_); }

  void map(const MapSnapshot &m) override {
    bool blank_after = false;
    for (const auto &[keys, value] : m.entries) {
      std::string line = m.name;
      if (!m.scalar) {
        line += "[";
        for (size_t i = 0; i < keys.size(); ++i) line += (i ? ", " : "") + keys[i].key_text();
        line += "]";
      }
      const codegen::Type &t = value.type;
      if (t.is_aggregate() && (t.agg.kind == AggKind::Hist || t.agg.kind == AggKind::Lhist)) {
        // Each histogram is followed by a blank line.
        line += ":\n" + format_histogram(t.agg, value.buckets) + "\n";
      } else {
        line += ": " + value.text() + "\n";
        // bpftrace follows a whole avg or stats map with a blank line.
        blank_after =
            t.is_aggregate() && (t.agg.kind == AggKind::Avg || t.agg.kind == AggKind::Stats);
      }
      fputs(line.c_str(), out_);
    }
    if (blank_after) fputs("\n", out_);
  }

  void flush() override { fflush(out_); }

 private:
  FILE *out_;
};

}  // namespace

std::unique_ptr<Output> make_text_output(FILE *out) {
  return std::make_unique<TextOutput>(out);
}

}  // namespace ut::runtime
