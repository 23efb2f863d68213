#pragma once
// `profile` as a call: the sweep asked for (lists as text, as the flags and the Python package's
// keywords give them), validated before anything is touched, then the store, the models, the
// meters and the host, the grid or the frontier sweep, and the points of this sweep as stored.
// The CLI adds its own flags around it (platform knobs, the fleet queue, printing); the Python
// package calls it with its progress bar as the listener.

#include <atomic>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/host.h"
#include "core/records.h"
#include "orchestrate/frontier_sweep.h"
#include "profiler/listeners.h"
#include "profiler/sweep.h"
#include "store/store.h"

namespace edgejoule {

struct ProfileRequest {
  std::vector<std::string> model_files;
  std::string zoo_dir, models_filter;  // models_filter: comma-separated names of the zoo's
  // Lists as text ("1,2", "1-8*2"); threads "" = all CPUs.
  std::string engines = kDefaultEngine, devices = "cpu", precisions = "fp32", batches = "1", threads;
  std::map<std::string, std::string> knobs;  // configuration field -> its list ("" = its default)
  std::string input_shape, meter = "auto", cross_check_meter, dataset;
  std::string db = kDefaultDbPath;
  std::string sysfs_root = "/";
  ProtocolSettings protocol;
  bool force = false, retry_invalid = false;
  std::string strategy = "grid";  // grid | frontier (orchestrate/frontier_sweep.h)
  std::vector<double> budgets;    // J per inference: with frontier, the largest bounds the search
  int round_size = 1;             // with frontier: points between refits
  double tolerance = 0.1;         // with frontier: energy differences below this are left unresolved
};

// The validated sweep lists (engines, devices, precisions, batches, threads, the table's knobs);
// throws Error naming the flag on a bad value. The platform list is filled separately.
SweepLists sweep_lists(const ProfileRequest& request);

// Checks what needs no store, model or meter (the lists, the protocol, the input shape, the
// strategy's settings); throws Error (exit 2) naming the flag. Returns the sweep lists.
SweepLists validate(const ProfileRequest& request);

// The models asked for: the zoo's (all, or those named in models_filter) or the model files, at
// the input shape given; throws Error naming what is missing.
std::vector<ModelInfo> load_requested_models(const ProfileRequest& request);

// Probes the host with the versions of every built-in engine (and, when cuda is used, the GPU and
// driver NVML reports); warns on stderr when LibTorch runs on the reference BLAS. Everything that
// stores points must agree on this: points are keyed by the host's fingerprint.
HostInfo probe_host_with_engines(const std::string& sysfs_root, bool uses_cuda);

struct ProfileHooks {
  ProfileListener* listener = nullptr;        // progress (none: silent)
  const std::atomic<bool>* stop = nullptr;    // set to stop after the current window
  std::FILE* log = nullptr;                   // the frontier sweep's rounds, outages, meter choice
  // The platform lists (knobs, core/config_fields.h's platform settings) and, before each point,
  // putting the platform in the item's setting; by default the platform is as found and its
  // state is read.
  std::vector<std::string> platforms{""};
  std::function<std::string(const SweepItem&)> platform_for;
};

struct ProfileResult {
  SweepOutcome outcome;
  std::vector<ResultRow> rows;   // every point of this sweep as stored (measured now or before)
  std::string store_location;
  std::optional<FrontierSweepResult> frontier;  // with the frontier strategy: what it left unmeasured
};

ProfileResult run_profile(const ProfileRequest& request, const ProfileHooks& hooks);

}  // namespace edgejoule
