#include "runtime/output.h"

namespace ut::runtime {
namespace {

class TextOutput : public Output {
 public:
  explicit TextOutput(FILE *out) : out_(out) {}

  void attached(size_t probes) override {
    fprintf(out_, "Attaching %zu probe%s...\n", probes, probes == 1 ? "" : "s");
    flush();
  }

  void text(std::string_view s) override { fwrite(s.data(), 1, s.size(), out_); }

  // bpftrace ends the event stream with two newlines: the first ends a `^C` the terminal echoed.
  void maps_begin() override { fputs("\n\n", out_); }

  void map(const MapSnapshot &m) override {
    for (const auto &[keys, value] : m.entries) {
      std::string line = m.name;
      if (!m.scalar) {
        line += "[";
        for (size_t i = 0; i < keys.size(); ++i) line += (i ? ", " : "") + keys[i].text();
        line += "]";
      }
      line += ": " + value.text() + "\n";
      fputs(line.c_str(), out_);
    }
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
