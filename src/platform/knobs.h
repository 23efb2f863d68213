#pragma once
// Platform power knobs as sweep dimensions (CPU maximum frequency and governor, GPU power limit
// and locked clocks, Jetson nvpmodel), changed only with --allow-platform-changes, on hardware
// the user owns. Every change is written to a journal first (with the value it replaces); the
// controller restores the original state when it is destroyed (normal end, exception, a
// SIGINT/SIGTERM that stops the sweep), and the next start of edgejoule restores whatever a
// killed run (SIGKILL, power loss) left behind.

#include <map>
#include <string>
#include <vector>

namespace edgejoule {

// The values each knob sweeps over (empty: the knob is left as it is).
struct PlatformKnobLists {
  std::vector<std::string> cpu_max_freq_khz;
  std::vector<std::string> cpu_governor;
  std::vector<std::string> gpu_power_limit_w;
  std::vector<std::string> gpu_locked_clocks_mhz;
  std::vector<std::string> nvpmodel;
  bool any() const;
  std::vector<std::string> flags_given() const;  // "--cpu-max-freq-khz", ...
};

// The platform knobs' sweep flags, one entry each: profile registers and parses them from here.
struct PlatformKnobFlag {
  const char* flag;
  std::vector<std::string> PlatformKnobLists::*list;
  const char* help;
};
const std::vector<PlatformKnobFlag>& platform_knob_flags();

// Every combination as a canonical setting "knob=value,knob=value" (knobs sorted by name);
// {""} when no knob is swept. Throws Error on a malformed value (naming the flag).
std::vector<std::string> platform_settings(const PlatformKnobLists& lists);
std::map<std::string, std::string> parse_platform_setting(const std::string& setting);
// Whether a point on `device` with platform `setting` needs the GPU's state read with it: a cuda
// device, or a GPU knob (power limit, locked clocks) in the setting.
bool point_uses_gpu(const std::string& device, const std::string& setting);

// $EDGEJOULE_STATE_DIR/platform-journal.json, else $XDG_STATE_HOME/edgejoule/..., else
// ~/.local/state/edgejoule/....
std::string platform_journal_path();

class PlatformController {
 public:
  // Throws Error when another live edgejoule holds the journal.
  PlatformController(std::string sysfs_root, std::string journal_path);
  ~PlatformController();  // restores; never throws (problems go to stderr)
  PlatformController(const PlatformController&) = delete;
  PlatformController& operator=(const PlatformController&) = delete;

  // Throws Error saying why `setting` cannot be applied here (knob absent, value out of range,
  // no privileges), without changing anything.
  void check(const std::string& setting) const;
  // "knob (where): current -> target" for each change `setting` makes from the current state.
  std::vector<std::string> plan(const std::string& setting) const;
  // Puts the platform in `setting` ("" = the state found at start): journal first, then change.
  void apply(const std::string& setting);
  // Back to the state found at start; removes the journal. Returns what it restored.
  std::vector<std::string> restore();

 private:
  std::string root_;
  std::string journal_;
  bool holds_journal_ = false;
};

// Run at the start of every command: when a journal is left by a process that no longer runs,
// restore what it records and remove it. Returns one line per restored change (empty: nothing
// to do). Each change is restored on its own; those that cannot be stay in the journal, and the
// reason goes to `error` when given, else is thrown as Error (as is an unreadable journal).
std::vector<std::string> restore_platform_from_journal(const std::string& journal_path, std::string* error = nullptr);

}  // namespace edgejoule
