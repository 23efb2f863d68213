// estimate — for machines without an energy sensor (most VMs): energy = core_w × the process's
// CPU time + base_w × wall time. It measures nothing: every figure it gives is labelled
// `estimated:cpu-time`, with the coefficients in the meter's name, and is never shown as measured.
//
// Defaults: core_w = 10 W per fully busy core (a mid-range x86 server or desktop core under
// load; laptops and Arm boards draw less, big server cores more), base_w = 0 W (the idle draw of
// an unknown machine is unknown, so figures are per-inference *active* energy). Override with
// --meter estimate:core_w=4.5,base_w=2.

#include <time.h>

#include <fmt/format.h>

#include "common/error.h"
#include "common/strings.h"
#include "meters/rapl.h"

namespace edgejoule {
namespace {

class EstimateMeter final : public SampledMeter {
 public:
  EstimateMeter(double core_w, double base_w)
      : SampledMeter(std::chrono::milliseconds(10)), core_w_(core_w), base_w_(base_w) {}

  // The sampling thread calls poll(), which uses this class's members: stop it first.
  ~EstimateMeter() override { stop(); }

  MeterInfo info() const override {
    MeterInfo m;
    m.name = fmt::format("estimate:cpu-time(core_w={:g},base_w={:g})", core_w_, base_w_);
    m.provenance = "estimated:cpu-time";
    m.measured = false;
    m.covers = fmt::format("this process's CPU time x {:g} W per busy core + {:g} W base; an "
                           "estimate, not a measurement", core_w_, base_w_);
    m.update_period_s = 0.01;
    return m;
  }

 protected:
  void open() override {
    start_wall_s_ = unix_now_s();
    start_cpu_s_ = process_cpu_s();
  }
  void poll() override {
    const double now = unix_now_s();
    const double cpu = process_cpu_s() - start_cpu_s_;
    if (cpu != last_cpu_s_) note_change(now);
    last_cpu_s_ = cpu;
    add_point(now, core_w_ * cpu + base_w_ * (now - start_wall_s_));
  }

 private:
  static double process_cpu_s() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  }
  double core_w_;
  double base_w_;
  double start_wall_s_ = 0;
  double start_cpu_s_ = 0;
  double last_cpu_s_ = -1;
};

}  // namespace

std::unique_ptr<Meter> make_estimate_meter(const std::string& options, const std::string&) {
  double core_w = 10.0;
  double base_w = 0.0;
  if (!options.empty()) {
    for (const auto& item : split(options, ',')) {
      const auto eq = item.find('=');
      const std::string key = trim(item.substr(0, eq));
      const auto value = eq == std::string::npos ? std::nullopt : parse_double(item.substr(eq + 1));
      if (!value || *value < 0 || (key != "core_w" && key != "base_w")) {
        throw Error("invalid estimate option '" + item +
                    "': use --meter estimate:core_w=W,base_w=W with non-negative watts");
      }
      (key == "core_w" ? core_w : base_w) = *value;
    }
  }
  return std::make_unique<EstimateMeter>(core_w, base_w);
}

}  // namespace edgejoule
