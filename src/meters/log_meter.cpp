// log:FILE — an external power meter's log: CSV with the header `timestamp_s,power_w` (Unix time
// in seconds, watts), possibly still being appended while edgejoule runs. Only complete lines
// are read; power is integrated (trapezoid) between samples, and a window's energy is read off
// that curve at the window's exact start and end.

#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "common/error.h"
#include "common/strings.h"
#include "meters/rapl.h"

namespace edgejoule {
namespace {

class LogMeter final : public SampledMeter {
 public:
  explicit LogMeter(std::string path) : SampledMeter(std::chrono::milliseconds(50)), path_(std::move(path)) {}

  // The sampling thread calls poll(), which uses this class's members: stop it first.
  ~LogMeter() override { stop(); }

  MeterInfo info() const override {
    MeterInfo m;
    m.name = "log:" + path_;
    m.provenance = "measured:log:" + path_;
    m.covers = "whatever the external meter is wired to (its log " + path_ + ")";
    m.update_period_s = period_s_ > 0 ? period_s_ : 1.0;
    return m;
  }

  EnergyReading energy_between(double t0_s, double t1_s, double wait_s) override {
    if (!broken_.empty()) {
      EnergyReading r;
      r.why_invalid = broken_;
      return r;
    }
    auto r = SampledMeter::energy_between(t0_s, t1_s, wait_s);
    if (!broken_.empty()) {
      r.valid = false;
      r.why_invalid = broken_;
    }
    return r;
  }

 protected:
  void open() override {
    std::ifstream in(path_);
    if (!in) {
      throw Error("cannot open the power log '" + path_ +
                  "': check the path; it must be CSV with the header timestamp_s,power_w");
    }
    read_new_lines(/*at_start=*/true);
    if (!broken_.empty()) throw Error(broken_);
  }

  void poll() override { read_new_lines(false); }

 private:
  void read_new_lines(bool at_start) {
    std::ifstream in(path_, std::ios::binary);
    if (!in) return;
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size < offset_) {
      broken_ = "the power log '" + path_ + "' shrank while it was read (truncated or rotated)";
      return;
    }
    if (size == offset_) return;
    in.seekg(offset_);
    std::string chunk(static_cast<size_t>(size - offset_), '\0');
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    // Only whole lines: the writer may be in the middle of one.
    const auto last_newline = chunk.rfind('\n');
    if (last_newline == std::string::npos) return;
    offset_ += static_cast<std::streamoff>(last_newline + 1);
    for (const auto& raw : split(std::string_view(chunk).substr(0, last_newline), '\n')) {
      ++line_number_;
      if (!broken_.empty()) return;
      parse_line(trim(raw));
    }
    (void)at_start;
  }

  void fail(const std::string& why) {
    broken_ = fmt::format("the power log '{}' line {}: {}; fix the log (CSV, header "
                          "timestamp_s,power_w, Unix seconds and watts)", path_, line_number_, why);
  }

  void parse_line(const std::string& line) {
    if (line_number_ == 1) {
      if (line != "timestamp_s,power_w") fail("the header must be 'timestamp_s,power_w', not '" + line.substr(0, 40) + "'");
      return;
    }
    if (line.empty()) return;
    const auto fields = split(line, ',');
    if (fields.size() != 2) return fail("expected 2 comma-separated fields, got " + std::to_string(fields.size()));
    const auto t = parse_double(fields[0]);
    const auto p = parse_double(fields[1]);
    if (!t) return fail("timestamp '" + trim(fields[0]).substr(0, 30) + "' is not a number");
    if (!p) return fail("power '" + trim(fields[1]).substr(0, 30) + "' is not a number");
    if (*p < 0) return fail("negative power");
    if (*t < 1e8) return fail("timestamp " + trim(fields[0]) + " is not Unix time in seconds");
    if (have_last_ && *t <= last_t_s_) return fail("timestamps must increase");
    if (have_last_) {
      total_j_ += 0.5 * (*p + last_power_w_) * (*t - last_t_s_);
      const double dt = *t - last_t_s_;
      period_s_ = period_s_ > 0 ? 0.9 * period_s_ + 0.1 * dt : dt;
    }
    last_t_s_ = *t;
    last_power_w_ = *p;
    have_last_ = true;
    note_change(*t);
    add_point(*t, total_j_);
  }

  std::string path_;
  std::streamoff offset_ = 0;
  int line_number_ = 0;
  std::string broken_;
  bool have_last_ = false;
  double last_t_s_ = 0;
  double last_power_w_ = 0;
  double total_j_ = 0;
  double period_s_ = 0;
};

}  // namespace

std::unique_ptr<Meter> make_log_meter(const std::string& path) { return std::make_unique<LogMeter>(path); }

}  // namespace edgejoule
