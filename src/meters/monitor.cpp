#include "meters/monitor.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/error.h"

namespace edgejoule {

Monitor::Monitor(const MonitorOptions& options) : options_(options) {
  if (!(options_.periods_per_window > 0)) {
    throw Error(fmt::format("periods per window must be positive, not {}", options_.periods_per_window));
  }
  meter_ = make_meter(options_.meter, options_.sysfs_root, options_.device);
  meter_->start();
  info_ = meter_->info();
  // A window must not begin before the meter's first reading (a log's first line, a counter's
  // first step): wait for it, and say so now when it does not come.
  const double wait_s = std::max(1.0, 3 * info_.update_period_s);
  const double started = unix_now_s();
  EnergyReading first = meter_->energy_between(started, started, wait_s);
  if (!first.valid && meter_->update_count() > 0) {
    // A meter whose first reading came after the instant asked (a log's next line): an instant
    // after that reading is bracketed by the next one.
    const double now = unix_now_s();
    first = meter_->energy_between(now, now, wait_s);
  }
  if (!first.valid) {
    throw Error(fmt::format("{} gave no reading: {}", info_.name, first.why_invalid), exit_code::kFailure);
  }
}

Monitor::~Monitor() {
  if (meter_) meter_->stop();
}

void Monitor::begin(const std::string& name) {
  // The sample comes first: the window's start then lies after a reading, so it is bracketed.
  meter_->sample_now();
  const double now = unix_now_s();
  std::lock_guard<std::mutex> lock(mutex_);
  if (!open_.emplace(name, now).second) {
    throw Error("an energy window named '" + name + "' is already open: end it first, or give this one another name");
  }
}

void Monitor::cancel(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  open_.erase(name);
}

std::vector<std::string> Monitor::open_windows() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, start] : open_) names.push_back(name);
  return names;
}

EnergyWindow Monitor::end(const std::string& name) {
  const double t1 = unix_now_s();
  double t0 = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = open_.find(name);
    if (it == open_.end()) {
      throw Error("no energy window named '" + name + "' is open: call begin('" + name + "') first");
    }
    t0 = it->second;
    open_.erase(it);
    // Readings before every open window's start (and before now, for windows yet to begin) are
    // not needed again.
    double oldest = t0;
    for (const auto& [other, start] : open_) oldest = std::min(oldest, start);
    meter_->forget_before(oldest);
  }
  meter_->sample_now();
  // The sensor's update period as measured; the estimate's own "updates" are whenever it is
  // read (CPU time always moves), so windows read it faster and faster: its nominal period.
  const double measured_period = info_.measured ? meter_->measured_update_period_s() : 0;
  const double period = measured_period > 0 ? measured_period : info_.update_period_s;
  const EnergyReading reading = meter_->energy_between(t0, t1, std::max(1.0, 3 * period));
  if (!reading.valid) {
    throw Error(fmt::format("the energy of window '{}' cannot be read from {}: {}", name, info_.name,
                            reading.why_invalid),
                exit_code::kFailure);
  }
  EnergyWindow w;
  w.name = name;
  w.start_s = t0;
  w.duration_s = t1 - t0;
  w.energy_j = reading.energy_j;
  w.mean_power_w = w.duration_s > 0 ? reading.energy_j / w.duration_s : 0;
  w.meter = info_.name;
  w.covers = info_.covers;
  w.provenance = info_.provenance;
  w.measured = info_.measured;
  w.updates = reading.updates;
  w.update_period_s = period;
  const double needed_s = options_.periods_per_window * period;
  if (w.duration_s < needed_s) {
    w.too_short = true;
    w.too_short_reason = fmt::format(
        "the window lasted {:.4f} s, shorter than {:g} x the meter's {:.4f} s update period ({:.3f} s): its "
        "energy is too coarse to trust; measure a longer span",
        w.duration_s, options_.periods_per_window, period, needed_s);
  }
  return w;
}

}  // namespace edgejoule
