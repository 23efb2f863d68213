#pragma once
// An external power meter for tests: writes a `timestamp_s,power_w` log with some history, then
// appends a line for "now" every `period_s` until destroyed.

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "meters/meter.h"

namespace edgejoule::testing {

class PowerLogWriter {
 public:
  PowerLogWriter(std::string path, double power_w, double period_s, int history_lines = 10)
      : path_(std::move(path)) {
    {
      std::ofstream out(path_);
      out << "timestamp_s,power_w\n";
      // History before the meter starts, as a meter that has been logging for a while.
      const double now = unix_now_s();
      for (int i = history_lines; i > 0; --i) out << fmt::format("{:.3f},{:.3f}\n", now - i * period_s, power_w);
    }
    thread_ = std::thread([this, power_w, period_s] {
      while (!stop_) {
        std::this_thread::sleep_for(std::chrono::duration<double>(period_s));
        std::ofstream(path_, std::ios::app) << fmt::format("{:.3f},{:.3f}\n", unix_now_s(), power_w);
      }
    });
  }
  ~PowerLogWriter() {
    stop_ = true;
    thread_.join();
  }
  PowerLogWriter(const PowerLogWriter&) = delete;
  PowerLogWriter& operator=(const PowerLogWriter&) = delete;

 private:
  std::string path_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace edgejoule::testing
