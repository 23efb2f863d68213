#pragma once
// Base of every meter: a sampling thread appends (time, cumulative energy) points; a counter's
// repeated value adds no point, so points mark real updates and interpolation between them
// follows the true energy curve instead of the sampler's staircase.

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "meters/meter.h"

namespace edgejoule {

struct EnergyPoint {
  double t_s;        // Unix seconds
  double energy_j;   // cumulative since start()
};

class SampledMeter : public Meter {
 public:
  explicit SampledMeter(std::chrono::milliseconds sample_interval) : interval_(sample_interval) {}
  ~SampledMeter() override { stop(); }

  void start() override;
  void stop() override;
  void sample_now() override;
  EnergyReading energy_between(double t0_s, double t1_s, double wait_s) override;
  void forget_before(double t_s) override;

  // Linear interpolation of the cumulative curve at t; nullopt outside the sampled range.
  static std::optional<double> interpolate(const std::vector<EnergyPoint>& points, double t_s);
  size_t point_count() const;
  int update_count() const override;
  double measured_update_period_s() const override;

 protected:
  // Called once by start() before the thread runs; throws Error when the source is unusable.
  virtual void open() = 0;
  // One read. Appends zero or more points through `add_point` (a log meter may add many).
  virtual void poll() = 0;
  void add_point(double t_s, double energy_j);
  // For meters that only change at their own pace: a poll that found the same value calls this
  // so that energy_between() knows time has passed without an update.
  void note_polled(double t_s);
  // The sensor's raw value changed at t_s (counter step, new power value, new log line).
  void note_change(double t_s);

 private:
  void loop();
  std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  std::mutex poll_mutex_;
  std::vector<EnergyPoint> points_;
  double last_poll_t_s_ = 0;
  int changes_ = 0;
  double first_change_t_s_ = 0;
  double last_change_t_s_ = 0;
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace edgejoule
