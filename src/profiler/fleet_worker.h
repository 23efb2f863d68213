#pragma once
// Shared sweeps over the fleet store's queue (store/fleet.h): what `profile --enqueue` puts in
// the queue for each planned point, and the loop `edgejoule worker` runs on each device (claim,
// check the model file's content hash, measure with the session's run sequence under a renewed
// lease, store and mark done in one transaction).

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/host.h"
#include "data/dataset.h"
#include "profiler/listeners.h"
#include "profiler/protocol.h"
#include "store/fleet.h"

namespace edgejoule {

// The queue entry of a planned point: its model, configuration key and what the worker needs to
// measure it as planned (configuration, protocol, the --input-shape override if one was given).
QueueEntry queue_entry(const SweepItem& item, const ProtocolSettings& protocol, const std::string& input_shape);

struct WorkerSettings {
  std::string queue, device_class;
  std::string worker;   // this worker's name in the queue (host name and pid by default)
  std::string zoo_dir;  // where this device keeps the zoo the sweep was planned on
  std::string meter = "auto", sysfs_root = "/";
  double lease_s = 60;  // renewed every third of it while a point runs
  // While the fleet store is unreachable the worker keeps its point and reconnects; past this
  // many seconds without the server it exits (Error, exit 1). Infinity with `follow`.
  double give_up_s = 180;
  int max_attempts = 3;
  bool follow = false;  // keep waiting for new points instead of exiting when none is left
  double poll_s = 2;    // how often to look again while waiting
  bool quiet = false;
  const Dataset* dataset = nullptr;
  const std::atomic<bool>* stop = nullptr;
  std::function<std::unique_ptr<Engine>(const std::string&)> engine_factory;
  // A second connection to the store for the heartbeat (the loop's is busy measuring).
  std::function<std::unique_ptr<FleetQueue>()> open_heartbeat;
};

struct WorkerOutcome {
  size_t done = 0;     // points stored (or found already stored for this host) and marked done
  size_t failed = 0;   // points that could not be measured (given back, or failed after the last attempt)
  size_t refused = 0;  // points whose model this device does not have with the queued content
  size_t lost = 0;     // points claimed again by another worker after this one's lease ran out
  std::vector<std::string> messages;  // the first sentence of each failure and refusal
  bool interrupted = false;
};

WorkerOutcome run_worker(FleetQueue& queue, const HostInfo& host, const WorkerSettings& settings,
                         ProfileListener& listener);

}  // namespace edgejoule
