#include "meters/sampled_meter.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace edgejoule {

double unix_now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

long double counter_delta(unsigned long long previous, unsigned long long current,
                          unsigned long long max_value) {
  if (current >= previous) return static_cast<long double>(current - previous);
  if (max_value == 0 || previous > max_value) return -1;
  // The counter ran up to max_value and restarted from 0.
  return static_cast<long double>(max_value - previous) + static_cast<long double>(current);
}

void SampledMeter::start() {
  if (running_) return;
  open();
  {
    std::lock_guard<std::mutex> lock(poll_mutex_);
    poll();
  }
  running_ = true;
  thread_ = std::thread([this] { loop(); });
}

void SampledMeter::stop() {
  if (!running_.exchange(false)) return;
  if (thread_.joinable()) thread_.join();
}

void SampledMeter::loop() {
  auto next = std::chrono::steady_clock::now();
  while (running_) {
    next += interval_;
    std::this_thread::sleep_until(next);
    sample_now();
  }
}

void SampledMeter::sample_now() {
  std::lock_guard<std::mutex> lock(poll_mutex_);
  poll();
}

void SampledMeter::add_point(double t_s, double energy_j) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!points_.empty() && t_s <= points_.back().t_s) return;  // time must advance
  points_.push_back({t_s, energy_j});
  last_poll_t_s_ = std::max(last_poll_t_s_, t_s);
}

void SampledMeter::note_polled(double t_s) {
  std::lock_guard<std::mutex> lock(mutex_);
  last_poll_t_s_ = std::max(last_poll_t_s_, t_s);
}

void SampledMeter::note_change(double t_s) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (changes_ == 0) first_change_t_s_ = t_s;
  last_change_t_s_ = t_s;
  ++changes_;
}

int SampledMeter::update_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return changes_;
}

double SampledMeter::measured_update_period_s() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (changes_ < 3) return 0;
  return (last_change_t_s_ - first_change_t_s_) / (changes_ - 1);
}

size_t SampledMeter::point_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return points_.size();
}

std::optional<double> SampledMeter::interpolate(const std::vector<EnergyPoint>& points, double t_s) {
  if (points.empty() || t_s < points.front().t_s || t_s > points.back().t_s) return std::nullopt;
  auto upper = std::lower_bound(points.begin(), points.end(), t_s,
                                [](const EnergyPoint& p, double t) { return p.t_s < t; });
  if (upper->t_s == t_s || upper == points.begin()) return upper->energy_j;
  const auto lower = upper - 1;
  const double fraction = (t_s - lower->t_s) / (upper->t_s - lower->t_s);
  return lower->energy_j + (upper->energy_j - lower->energy_j) * fraction;
}

EnergyReading SampledMeter::energy_between(double t0_s, double t1_s, double wait_s) {
  EnergyReading reading;
  // Wait until the curve extends past t1: a counter's next step, a log's next line.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait_s);
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!points_.empty() && points_.back().t_s >= t1_s) break;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    // Polled here rather than at the sampling thread's pace: a counter that steps every
    // millisecond brackets the end within about a millisecond, not one sampling interval.
    sample_now();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (points_.empty()) {
    reading.why_invalid = "the meter produced no reading";
    return reading;
  }
  const auto e0 = interpolate(points_, t0_s);
  const auto e1 = interpolate(points_, t1_s);
  if (!e1 && t1_s < points_.front().t_s) {
    reading.why_invalid = "the span ended before the meter's first reading";
    return reading;
  }
  if (!e1) {
    reading.why_invalid = fmt::format(
        "the meter's last reading is {:.3f} s before the window ended (waited {:.1f} s): the "
        "sensor stopped updating or the log stopped growing",
        t1_s - points_.back().t_s, wait_s);
    return reading;
  }
  if (!e0) {
    reading.why_invalid = "the meter has no reading from before the window started";
    return reading;
  }
  reading.valid = true;
  reading.energy_j = *e1 - *e0;
  // Points are in time order: the ones inside (t0, t1] by two binary searches, so a long-lived
  // meter's windows cost the same as a new one's.
  const auto by_time = [](const EnergyPoint& p, double t) { return p.t_s <= t; };
  const auto first = std::lower_bound(points_.begin(), points_.end(), t0_s, by_time);
  const auto last = std::lower_bound(first, points_.end(), t1_s, by_time);
  reading.updates = static_cast<int>(last - first);
  return reading;
}

void SampledMeter::forget_before(double t_s) {
  std::lock_guard<std::mutex> lock(mutex_);
  // Keeps the last point at or before t_s, so a span starting at t_s can still be interpolated;
  // erases in batches, so the cost per call stays constant.
  const auto keep = std::lower_bound(points_.begin(), points_.end(), t_s,
                                     [](const EnergyPoint& p, double t) { return p.t_s <= t; });
  if (keep - points_.begin() > 1024) points_.erase(points_.begin(), keep - 1);
}

}  // namespace edgejoule
