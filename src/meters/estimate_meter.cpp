// estimate — for machines without an energy sensor (most VMs): energy = core_w × the process's
// CPU time + base_w × wall time. It measures nothing: every figure it gives is labelled
// `estimated:cpu-time`, with the coefficients in the meter's name, and is never shown as measured.
//
// Defaults: core_w = the CPU's rated power per core where edgejoule's table knows the CPU or the
// Jetson module (cpu_power.cpp, each figure with its source, named in the meter), else 10 W per
// fully busy core (a mid-range x86 server or desktop core under load; laptops and Arm boards draw
// less, big server cores more); base_w = 0 W (the idle draw of an unknown machine is unknown, so
// figures are per-inference *active* energy). Override with --meter estimate:core_w=4.5,base_w=2.

#include <time.h>

#include <fmt/format.h>

#include "common/error.h"
#include "common/strings.h"
#include "meters/rapl.h"

namespace edgejoule {
namespace {

class EstimateMeter final : public SampledMeter {
 public:
  // `cpu`: where core_w came from when the table gave it (named in the meter and what it covers).
  EstimateMeter(double core_w, double base_w, std::optional<CpuPower> cpu, bool user_core_w)
      : SampledMeter(std::chrono::milliseconds(10)),
        core_w_(core_w),
        base_w_(base_w),
        cpu_(std::move(cpu)),
        user_core_w_(user_core_w) {}

  // The sampling thread calls poll(), which uses this class's members: stop it first.
  ~EstimateMeter() override { stop(); }

  MeterInfo info() const override {
    MeterInfo m;
    m.name = cpu_ ? fmt::format("estimate:cpu-time(core_w={:.3g},base_w={:g},cpu={})", core_w_, base_w_, cpu_->part)
                  : fmt::format("estimate:cpu-time(core_w={:g},base_w={:g})", core_w_, base_w_);
    m.provenance = "estimated:cpu-time";
    m.measured = false;
    const std::string why = cpu_        ? " (" + cpu_->basis + ")"
                            : user_core_w_ ? " (given)"
                                           : " (the default: this CPU is not in edgejoule's table, docs/meters.md)";
    m.covers = fmt::format("this process's CPU time x {:.3g} W per busy core{} + {:g} W base; an "
                           "estimate, not a measurement", core_w_, why, base_w_);
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
  std::optional<CpuPower> cpu_;
  bool user_core_w_;
  double start_wall_s_ = 0;
  double start_cpu_s_ = 0;
  double last_cpu_s_ = -1;
};

}  // namespace

std::unique_ptr<Meter> make_estimate_meter(const std::string& options, const std::string& sysfs_root) {
  double core_w = 10.0;
  double base_w = 0.0;
  bool user_core_w = false;
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
      user_core_w = user_core_w || key == "core_w";
    }
  }
  std::optional<CpuPower> cpu = user_core_w ? std::nullopt : cpu_power_of_machine(sysfs_root);
  if (cpu) core_w = cpu->core_w;
  return std::make_unique<EstimateMeter>(core_w, base_w, std::move(cpu), user_core_w);
}

}  // namespace edgejoule
