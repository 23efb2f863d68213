#include "orchestrate/profile_run.h"

#include <algorithm>
#include <memory>
#include <set>
#include <thread>

#include "common/error.h"
#include "common/strings.h"
#include "data/dataset.h"
#include "engines/registry.h"
#include "meters/rapl.h"  // probe_nvml
#include "platform/host.h"
#include "platform/knobs.h"
#include "platform/power.h"
#include "profiler/protocol.h"
#include "profiler/session.h"
#include "zoo/manifest.h"

namespace edgejoule {

SweepLists sweep_lists(const ProfileRequest& request) {
  SweepLists lists;
  lists.engines = parse_name_list(request.engines, "--engine", known_engines());
  for (const auto& e : lists.engines) (void)make_engine(e);  // engines not built in fail here
  lists.devices = parse_name_list(request.devices, "--device", registered_devices());
  lists.precisions = parse_name_list(request.precisions, "--precision", registered_precisions());
  lists.batches = parse_int_list(request.batches, "--batch");
  lists.threads = parse_int_list(
      request.threads.empty() ? std::to_string(std::max(1u, std::thread::hardware_concurrency())) : request.threads,
      "--threads");
  for (const auto& knob : request.knobs) {
    const std::string& name = knob.first;
    const std::string& text = knob.second;
    const auto& table = config_fields();
    const auto field = std::find_if(table.begin(), table.end(), [&](const ConfigField& f) { return f.name == name; });
    if (field == table.end()) {
      std::vector<std::string> known;
      for (const auto& f : table) known.push_back(f.name);
      throw Error("unknown configuration field '" + name + "': choose among " + join(known, ", "));
    }
    if (!text.empty()) lists.knobs[name] = parse_field_list(text, *field);
  }
  return lists;
}

namespace {
std::vector<int64_t> override_shape_of(const ProfileRequest& request) {
  if (request.input_shape.empty()) return {};
  auto shape = parse_shape(request.input_shape, "--input-shape");
  if (shape.size() < 2) {
    throw Error("invalid --input-shape '" + request.input_shape + "': give the batch dimension first, e.g. 1x3x224x224");
  }
  return shape;
}
}  // namespace

SweepLists validate(const ProfileRequest& request) {
  SweepLists lists = sweep_lists(request);
  validate(request.protocol);
  (void)override_shape_of(request);
  if (request.zoo_dir.empty() && request.model_files.empty()) {
    throw Error("nothing to profile: pass model files or --zoo DIR (build one with 'edgejoule zoo build')");
  }
  if (request.strategy != "grid" && request.strategy != "frontier") {
    throw Error("unknown strategy '" + request.strategy + "': choose grid or frontier");
  }
  const ProfileRequest defaults;
  if ((!request.budgets.empty() || request.round_size != defaults.round_size ||
       request.tolerance != defaults.tolerance) &&
      request.strategy != "frontier") {
    throw Error("--budgets, --round-size and --tolerance steer --strategy frontier; add it, or leave them out");
  }
  return lists;
}

std::vector<ModelInfo> load_requested_models(const ProfileRequest& request) {
  const std::vector<std::string> names = request.models_filter.empty()
                                             ? std::vector<std::string>{}
                                             : parse_name_list(request.models_filter, "--models");
  return load_models(request.zoo_dir, names, request.model_files, override_shape_of(request));
}

HostInfo probe_host_with_engines(const std::string& sysfs_root, bool uses_cuda) {
  // The host's BLAS is the one mapped into the process (platform/blas.cpp): the reference
  // engine's plugin (LibTorch) maps it, so it is loaded first, whichever engines run, and the
  // host keeps the fingerprint it had when every engine was linked into the binary.
  if (const EngineDescriptor* reference = reference_engine()) (void)reference->version();
  HostInfo host = probe_host(sysfs_root);
  if (uses_cuda) {
    const NvmlStatus nvml = probe_nvml();
    if (nvml.available && !nvml.devices.empty()) {
      host.gpu_name = nvml.devices.front();
      host.gpu_driver = nvml.driver_version;
    }
  }
  // The engines built in, recorded with the host for information only: the fingerprint leaves
  // them out (each point keys its own engine's version), so another engine set is the same host.
  for (const auto& engine : available_engines()) {
    const auto version = engine_library_version(engine);
    if (version.empty()) continue;
    host.engine_versions += (host.engine_versions.empty() ? "" : ";") + engine + "=" + version;
  }
  if (host.blas.is_reference) {
    std::fprintf(stderr,
                 "warning: LibTorch is using the reference BLAS (%s); Linear-heavy models run "
                 "~30x slower. Install libopenblas0-openmp (make deps does) and run again.\n",
                 host.blas.library.c_str());
  }
  return host;
}

ProfileResult run_profile(const ProfileRequest& request, const ProfileHooks& hooks) {
  // 1. Every setting checked before anything is touched.
  SweepLists lists = validate(request);
  lists.platforms = hooks.platforms;
  std::unique_ptr<Dataset> dataset;
  if (!request.dataset.empty()) dataset = make_dataset(request.dataset);

  // 2. The store first: a bad store fails before minutes of work, not after. Then the models
  //    (each engine loads its own file of a model), the meters and the host.
  ProfileResult result;
  auto store = open_store(request.db, OpenMode::kReadWrite);
  result.store_location = store->location();
  // A fleet store's server restarting mid-sweep: the point in hand is stored once it is back.
  std::FILE* log = hooks.log;
  store->ride_out_outages(kRideOutOutagesS, [log](const std::string& text) {
    if (log) std::fprintf(log, "profile: %s\n", text.c_str());
  });
  const auto models = load_requested_models(request);
  DeviceMeters meters(request.meter, request.cross_check_meter, lists.devices, request.sysfs_root, log == nullptr);
  const HostInfo host = probe_host_with_engines(
      request.sysfs_root, std::find(lists.devices.begin(), lists.devices.end(), "cuda") != lists.devices.end());
  const auto items = plan_sweep(models, lists, meters);

  // 3. The run sequence. The platform state is read (and, with knobs, set) before every point.
  SessionSettings session;
  session.protocol = request.protocol;
  session.force = request.force;
  session.retry_invalid = request.retry_invalid;
  session.dataset = dataset.get();
  session.store_location = store->location();
  session.stop = hooks.stop;
  session.engine_factory = [](const std::string& name) { return make_engine(name); };
  const std::string root = request.sysfs_root;
  session.platform_for = hooks.platform_for;
  if (!session.platform_for) {
    session.platform_for = [root](const SweepItem& item) {
      return read_platform_state(root, point_uses_gpu(item.config.device, item.config.platform)).to_json();
    };
  }
  ProfileListener silent;
  ProfileListener& listener = hooks.listener ? *hooks.listener : silent;
  if (request.strategy == "frontier") {
    FrontierSweepSettings frontier;
    frontier.round_size = static_cast<size_t>(request.round_size);
    frontier.tolerance = request.tolerance;
    if (!request.budgets.empty()) {
      frontier.max_budget_j = *std::max_element(request.budgets.begin(), request.budgets.end());
    }
    frontier.progress = log;
    result.frontier = run_frontier_sweep(
        items, *store, host,
        [&](const std::vector<SweepItem>& round) { return run_session(round, *store, host, meters, session, listener); },
        frontier);
    result.outcome = result.frontier->outcome;
  } else {
    result.outcome = run_session(items, *store, host, meters, session, listener);
  }
  meters.stop();

  // 4. Every point of this sweep as stored (measured now or earlier).
  std::set<std::pair<std::string, std::string>> swept;
  for (const auto& item : items) swept.emplace(item.model.content_sha256, item.config.key());
  RowFilter filter;
  filter.host_fingerprint = host.fingerprint();
  for (auto& row : store->rows(filter)) {
    if (swept.count({row.model_sha256, configuration_of(row).key()})) result.rows.push_back(std::move(row));
  }
  return result;
}

}  // namespace edgejoule
