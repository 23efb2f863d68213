#pragma once
// The flags of `edgejoule profile` and the sweep lists they give (profile_command.cpp wires them).

#include <map>
#include <string>
#include <vector>

#include "orchestrate/profile_run.h"

namespace CLI {
class App;
}

namespace edgejoule {

// The request (orchestrate/profile_run.h) and the flags only the CLI has.
struct ProfileFlags : ProfileRequest {
  std::map<std::string, std::string> platform;  // platform knob flag -> its list
  bool allow_platform_changes = false, dry_run = false;
  bool json = false, quiet = false, check_outputs = false;
  std::string queue, device_class;  // --queue NAME --enqueue: plan into the fleet store's queue
  bool enqueue = false;
};

void add_profile_options(CLI::App& cmd, ProfileFlags& flags);

}  // namespace edgejoule
