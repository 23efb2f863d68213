#pragma once
// The run sequence of a sweep, shared by `profile` and `evaluate` (the CLI only wires flags to
// it): the meters of each device, planning (every model x configuration, each engine's own file
// and its content hash), the resume policy (what the store already holds for this host and
// engine version is skipped unless forced, retried or missing the dataset's accuracy), the
// accuracy measured once per model file, engine, device, precision and output-changing knobs,
// and storing every point as it finishes, in one transaction each.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/host.h"
#include "data/dataset.h"
#include "meters/meter.h"
#include "profiler/protocol.h"
#include "profiler/sweep.h"
#include "store/store.h"

namespace edgejoule {

// One started meter per device (so its update period is known before the first window), and
// optionally a second, cross-check meter per device read over the same windows.
class DeviceMeters {
 public:
  DeviceMeters() = default;
  // `spec` "none" measures latency only. Throws Error when a meter is unusable here, except the
  // cuda meter with "auto", which warns on stderr (cuda points then carry latency only).
  DeviceMeters(const std::string& spec, const std::string& cross_check_spec, const std::vector<std::string>& devices,
               const std::string& sysfs_root, bool quiet);
  ~DeviceMeters();
  DeviceMeters(DeviceMeters&&) = default;
  DeviceMeters& operator=(DeviceMeters&&) = default;
  Meter* meter_for(const std::string& device) const;
  Meter* cross_check_for(const std::string& device) const;
  void stop();

 private:
  std::map<std::string, std::unique_ptr<Meter>> meters_, cross_checks_;
};

// Every model at every configuration of `lists`: each point on its engine's own file (or
// UNSUPPORTED with why the zoo knows it cannot run), keyed by that file's SHA-256 (each file
// hashed once), with the device's meter in its configuration; one platform setting after the
// other.
std::vector<SweepItem> plan_sweep(const std::vector<ModelInfo>& models, const SweepLists& lists,
                                  const DeviceMeters& meters);

struct SessionSettings {
  ProtocolSettings protocol;
  bool force = false;          // measure again what is stored, replacing it
  bool retry_invalid = false;  // measure again what is stored INVALID
  const Dataset* dataset = nullptr;  // measure accuracy on it (and re-measure points without it)
  std::string store_location;        // for the skip messages
  const std::atomic<bool>* stop = nullptr;
  // Before each measured point: put the platform in the item's setting and return its state.
  std::function<std::string(const SweepItem&)> platform_for;
  // Builds engines (make_engine normally; tests inject fakes).
  std::function<std::unique_ptr<Engine>(const std::string&)> engine_factory;
};

// Runs `items` and stores each finished point in `store` as `host`'s, telling `listener`.
SweepOutcome run_session(const std::vector<SweepItem>& items, Store& store, const HostInfo& host,
                         const DeviceMeters& meters, const SessionSettings& settings, ProfileListener& listener);

// One stored point measured afresh with the meter that measured it (evaluate): the model file
// must still have the stored hash, the platform must be as it was, the meter the same.
class Remeasurer {
 public:
  Remeasurer(std::string meter_spec, std::string sysfs_root, ProtocolSettings protocol);
  ~Remeasurer();
  Remeasurement operator()(const ResultRow& row);
  // The started meter for a device, made on first use; throws Error when the spec is unusable.
  Meter* meter_for(const std::string& device);

 private:
  std::string spec_, root_;
  ProtocolSettings protocol_;
  std::map<std::string, std::unique_ptr<Meter>> meters_;
};

}  // namespace edgejoule
