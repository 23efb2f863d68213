#pragma once
// The flags of `edgejoule profile` and the sweep lists they give (profile_command.cpp wires them).

#include <map>
#include <string>
#include <vector>

#include "core/records.h"
#include "profiler/sweep.h"
#include "store/store.h"

namespace CLI {
class App;
}

namespace edgejoule {

struct ProfileFlags {
  std::vector<std::string> model_files;
  std::string zoo_dir, models_filter;
  std::string engines = kDefaultEngine, devices = "cpu", precisions = "fp32", batches = "1", threads;
  std::map<std::string, std::string> knobs;     // configuration field -> its flag's list
  std::map<std::string, std::string> platform;  // platform knob flag -> its list
  bool allow_platform_changes = false, dry_run = false;
  std::string input_shape, meter = "auto", cross_check_meter, dataset;
  std::string db = kDefaultDbPath;
  ProtocolSettings protocol;
  bool force = false, retry_invalid = false, json = false, quiet = false, check_outputs = false;
  std::string queue, device_class;  // --queue NAME --enqueue: plan into the fleet store's queue
  bool enqueue = false;
  std::string strategy = "grid";  // grid | frontier (orchestrate/frontier_sweep.h)
  std::vector<double> budgets;    // J per inference: with frontier, the largest bounds the search
  int round_size = 1;       // with frontier: points between refits
  double tolerance = 0.1;  // with frontier: energy differences below this are left unresolved
};

void add_profile_options(CLI::App& cmd, ProfileFlags& flags);
// The validated sweep lists (engines, devices, precisions, batches, threads, the table's knobs);
// throws Error naming the flag on a bad value. The platform list is filled separately.
SweepLists sweep_lists(const ProfileFlags& flags);

}  // namespace edgejoule
