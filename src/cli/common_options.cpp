#include <CLI/CLI.hpp>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <vector>

#include "cli/commands.h"
#include "engines/registry.h"
#include "engines/engine.h"
#include "orchestrate/profile_run.h"
#include "platform/host.h"
#include "core/records.h"

namespace edgejoule {

bool stderr_is_terminal() { return isatty(fileno(stderr)) == 1; }

namespace {
std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop.store(true); }
}  // namespace

const std::atomic<bool>& install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  return g_stop;
}

HostInfo probe_host_for(const GlobalOptions& global, bool uses_cuda) {
  return probe_host_with_engines(global.sysfs_root, uses_cuda);
}

void add_protocol_options(CLI::App& cmd, ProtocolSettings& protocol) {
  cmd.add_option("--warmup-s", protocol.warmup_s, "Warm-up time per point, seconds")->default_val(protocol.warmup_s);
  cmd.add_option("--warmup-iterations", protocol.warmup_min_iterations, "Minimum warm-up calls per point")
      ->default_val(protocol.warmup_min_iterations);
  cmd.add_option("--min-time-s", protocol.min_time_s, "Minimum length of each measured window, seconds")
      ->default_val(protocol.min_time_s);
  cmd.add_option("--min-iterations", protocol.min_window_iterations, "Minimum calls in each measured window")
      ->default_val(protocol.min_window_iterations);
  cmd.add_option("--repetitions", protocol.repetitions, "Measured windows per point")->default_val(protocol.repetitions);
  cmd.add_option("--max-cv", protocol.max_cv, "Largest window-to-window coefficient of variation of a VALID point")
      ->default_val(protocol.max_cv);
  cmd.add_option("--meter-periods", protocol.meter_periods_per_window,
                 "Each window lasts at least this many of the meter's update periods")
      ->default_val(protocol.meter_periods_per_window);
  cmd.add_option("--arrival-seed", protocol.arrival_seed,
                 "Server scenario: the seed of the Poisson arrivals (stored with every server point)")
      ->default_val(protocol.arrival_seed);
}

}  // namespace edgejoule
