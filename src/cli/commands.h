#pragma once
// Wiring only: each subcommand registers its flags on the app and returns the function that
// runs it. Work happens in the library.

#include <atomic>
#include <functional>
#include <string>

namespace CLI {
class App;
}
namespace edgejoule {
struct ProtocolSettings;
}

namespace edgejoule {

struct GlobalOptions {
  std::string sysfs_root = "/";
};

using CommandRun = std::function<int()>;

CommandRun add_profile_command(CLI::App& app, const GlobalOptions& global);
CommandRun add_list_command(CLI::App& app, const GlobalOptions& global);
CommandRun add_zoo_command(CLI::App& app, const GlobalOptions& global);
CommandRun add_meters_command(CLI::App& app, const GlobalOptions& global);
CommandRun add_recommend_command(CLI::App& app, const GlobalOptions& global);
CommandRun add_frontier_command(CLI::App& app, const GlobalOptions& global);
CommandRun add_evaluate_command(CLI::App& app, const GlobalOptions& global);
CommandRun add_predict_command(CLI::App& app, const GlobalOptions& global);
CommandRun add_report_command(CLI::App& app, const GlobalOptions& global);
CommandRun add_export_command(CLI::App& app, const GlobalOptions& global);
CommandRun add_platform_command(CLI::App& app, const GlobalOptions& global);
CommandRun add_engines_command(CLI::App& app, const GlobalOptions& global);
CommandRun add_worker_command(CLI::App& app, const GlobalOptions& global);
CommandRun add_queue_command(CLI::App& app, const GlobalOptions& global);
CommandRun add_merge_command(CLI::App& app, const GlobalOptions& global);
CommandRun add_run_command(CLI::App& app, const GlobalOptions& global);

// Shared helpers (common_options.cpp).
struct HostInfo;
bool stderr_is_terminal();
// SIGINT/SIGTERM set the returned flag: the run finishes the current window, stores what is
// finished and exits 130. A second signal kills at once (SA_RESETHAND); the store stays
// consistent either way.
const std::atomic<bool>& install_stop_handlers();
// Probes the host with the versions of every built-in engine (and, when cuda is used, the GPU and
// driver NVML reports) and warns on stderr when LibTorch runs on the reference BLAS. profile and
// evaluate must agree on this, since points are keyed by the host's fingerprint.
HostInfo probe_host_for(const GlobalOptions& global, bool uses_cuda);
// The measurement protocol's flags (warm-up, windows, repetitions, max cv, meter periods), shared
// by profile and evaluate.
void add_protocol_options(CLI::App& cmd, ProtocolSettings& protocol);

}  // namespace edgejoule
