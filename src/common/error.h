#pragma once
// One exception type for everything the user can act on. `main` prints its message as one
// sentence and exits with its code; library code never calls exit().

#include <stdexcept>
#include <string>

namespace edgejoule {

namespace exit_code {
inline constexpr int kOk = 0;
inline constexpr int kFailure = 1;      // something went wrong that is not the user's input
inline constexpr int kBadInput = 2;     // bad flag, missing/corrupt file, unusable sensor, ...
inline constexpr int kNoFit = 3;        // recommend: no point meets the constraints
inline constexpr int kInterrupted = 130;
}  // namespace exit_code

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, int exit_code = exit_code::kBadInput)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

// An engine/device/precision combination that cannot run. A sweep stores it as UNSUPPORTED
// instead of failing.
class UnsupportedError : public Error {
 public:
  explicit UnsupportedError(const std::string& message) : Error(message) {}
};

// A store's server went away mid-command (a restart, a lost network, a failover): a failure at
// run time, not the user's input. Stores that can reconnect do so first (Store::ride_out_outages).
class ConnectionLostError : public Error {
 public:
  explicit ConnectionLostError(const std::string& message) : Error(message, exit_code::kFailure) {}
};

// Raised by the profiler when SIGINT/SIGTERM asked the sweep to stop.
class InterruptedError : public Error {
 public:
  InterruptedError() : Error("interrupted", exit_code::kInterrupted) {}
};

}  // namespace edgejoule
