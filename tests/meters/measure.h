#pragma once
// Measuring a started meter over a short window, for the meter tests.

#include <chrono>
#include <thread>

#include "meters/meter.h"

namespace edgejoule::testing {

inline void sleep_s(double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); }

// Power is checked against the window's actual span (a loaded machine oversleeps).
struct Measured {
  EnergyReading reading;
  double span_s;
  double power_w() const { return reading.energy_j / span_s; }
};

// Measures a started meter over a window of about `window_s` after a short settling time.
inline Measured measure(Meter& meter, double window_s) {
  sleep_s(0.05);
  meter.sample_now();
  const double t0 = unix_now_s();
  sleep_s(window_s);
  const double t1 = unix_now_s();
  meter.sample_now();
  return {meter.energy_between(t0, t1, 2.0), t1 - t0};
}

}  // namespace edgejoule::testing
