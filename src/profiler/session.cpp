#include "profiler/session.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "common/error.h"
#include "common/strings.h"
#include "zoo/manifest.h"

namespace edgejoule {

DeviceMeters::DeviceMeters(const std::string& spec, const std::string& cross_check_spec,
                           const std::vector<std::string>& devices, const std::string& sysfs_root, bool quiet) {
  if (spec != "none") {
    for (const auto& device : devices) {
      try {
        auto meter = make_meter(spec, sysfs_root, device);
        meter->start();
        if (!quiet) {
          const auto info = meter->info();
          std::fprintf(stderr, "meter for %s: %s (%s)%s\n", device.c_str(), info.name.c_str(), info.covers.c_str(),
                       info.measured ? "" : "; ESTIMATED, not measured: no energy sensor is readable here");
        }
        meters_[device] = std::move(meter);
      } catch (const Error& e) {
        if (device != "cuda" || spec != "auto") throw;
        // Without a GPU the cuda points are UNSUPPORTED anyway; with one, they must not look
        // complete: say that they carry latency only, and why.
        std::fprintf(stderr, "warning: no energy meter for cuda (%s); cuda points carry latency only\n", e.what());
      }
    }
  }
  if (cross_check_spec.empty()) return;
  if (meters_.empty()) throw Error("--cross-check-meter needs a --meter other than none");
  for (const auto& [device, meter] : meters_) {
    auto other = make_meter(cross_check_spec, sysfs_root, device);
    other->start();
    if (!quiet) std::fprintf(stderr, "cross-check meter for %s: %s\n", device.c_str(), other->info().name.c_str());
    cross_checks_[device] = std::move(other);
  }
}

DeviceMeters::~DeviceMeters() { stop(); }

void DeviceMeters::stop() {
  for (auto& [device, meter] : meters_) meter->stop();
  for (auto& [device, meter] : cross_checks_) meter->stop();
  meters_.clear();
  cross_checks_.clear();
}

Meter* DeviceMeters::meter_for(const std::string& device) const {
  const auto it = meters_.find(device);
  return it == meters_.end() ? nullptr : it->second.get();
}

Meter* DeviceMeters::cross_check_for(const std::string& device) const {
  const auto it = cross_checks_.find(device);
  return it == cross_checks_.end() ? nullptr : it->second.get();
}

std::vector<SweepItem> plan_sweep(const std::vector<ModelInfo>& models, const SweepLists& lists,
                                  const DeviceMeters& meters) {
  std::vector<SweepItem> items;
  std::map<std::string, std::string> hashes;  // path -> SHA-256, each file hashed once
  for (const auto& m : models) {
    for (auto& c : expand(lists, m.sample_shape)) {
      if (const Meter* meter = meters.meter_for(c.device)) c.meter = meter->info().name;
      SweepItem item{m, std::move(c), ""};
      item.unsupported_reason =
          select_engine_file(item.model, item.config.engine, item.config.batch, item.config.precision);
      auto [hash, fresh] = hashes.try_emplace(item.model.path);
      if (fresh) hash->second = model_content_sha256(item.model.path);
      item.model.content_sha256 = hash->second;
      items.push_back(std::move(item));
    }
  }
  // One platform change per setting, not per point: the setting is the outermost loop.
  std::stable_sort(items.begin(), items.end(), [&lists](const SweepItem& a, const SweepItem& b) {
    auto rank = [&lists](const std::string& s) {
      return std::find(lists.platforms.begin(), lists.platforms.end(), s) - lists.platforms.begin();
    };
    return rank(a.config.platform) < rank(b.config.platform);
  });
  return items;
}

namespace {

class StoreListener final : public ProfileListener {
 public:
  StoreListener(Store& store, const HostInfo& host, bool replace) : store_(store), host_(host), replace_(replace) {}
  void on_point_end(const PointContext& c, const PointRecord& record) override {
    if (!store_.save_point(record, host_, replace_)) {
      std::fprintf(stderr, "[%zu/%zu] %s %s: another process stored this point meanwhile; kept its figures\n",
                   c.index + 1, c.total, c.model->name.c_str(), c.config->describe().c_str());
    }
  }

 private:
  Store& store_;
  const HostInfo& host_;
  bool replace_;
};

}  // namespace

SweepOutcome run_session(const std::vector<SweepItem>& items, Store& store, const HostInfo& host,
                         const DeviceMeters& meters, const SessionSettings& settings, ProfileListener& listener) {
  SweepOptions options;
  options.protocol = settings.protocol;
  options.engine_factory = settings.engine_factory;
  options.stop = settings.stop;
  options.meter_for = [&meters](const Configuration& c) { return meters.meter_for(c.device); };
  options.cross_check_for = [&meters](const Configuration& c) { return meters.cross_check_for(c.device); };
  options.platform_for = settings.platform_for;
  // Accuracy depends on the model file, engine, device, precision and the knobs that change
  // what is computed (optimisation folds conv-bn, memory format reorders sums), not on batch,
  // threads or the platform setting: measured once per combination, stored with each point.
  std::map<std::string, MeasuredAccuracy> accuracy_cache;
  const Dataset* dataset = settings.dataset;
  if (dataset) {
    options.accuracy_for = [&accuracy_cache, dataset](Engine& engine,
                                                      const SweepItem& item) -> std::optional<MeasuredAccuracy> {
      const std::string key = item.model.content_sha256 + "|" + item.config.engine + "|" + item.config.device + "|" +
                              item.config.precision + "|" + knob_labels(item.config.knobs, true);
      if (auto it = accuracy_cache.find(key); it != accuracy_cache.end()) return it->second;
      const AccuracyResult a = measure_accuracy(engine, *dataset, preprocess_of(item.model), item.model.sample_shape);
      MeasuredAccuracy m{a.top1, a.top5, a.samples, a.source};
      accuracy_cache[key] = m;
      return m;
    };
  }
  if (!settings.force) {
    // With a dataset, a point is done only when it holds accuracy from that dataset (same samples).
    const std::string wanted_accuracy = dataset ? fmt::format("measured:{}:{}", dataset->name(), dataset->size()) : "";
    const std::string host_fp = host.fingerprint();
    options.skip_reason = [&store, &settings, host_fp, wanted_accuracy](const SweepItem& item) -> std::string {
      const auto stored = store.stored_point(item.model.content_sha256, item.config.key(), host_fp);
      if (!stored) return "";
      const Verdict status = stored->status;
      if (status == Verdict::kInvalid && settings.retry_invalid) return "";
      // The engine's version keys a point: one measured by another version is measured again.
      const std::string version = engine_library_version(item.config.engine);
      if (!same_engine_version(stored->engine_version, version)) return "";
      if (!wanted_accuracy.empty() && status != Verdict::kUnsupported &&
          stored->measured_accuracy_source != wanted_accuracy) {
        return "";  // measured again, now with accuracy, and replaced
      }
      return "already in " + settings.store_location + " as " + to_string(status) + " (use --force to measure again" +
             (status == Verdict::kInvalid ? ", or --retry-invalid)" : ")");
    };
  }
  StoreListener store_listener(store, host, settings.force || settings.retry_invalid || dataset != nullptr);
  ListenerList listeners;
  listeners.add(&listener);
  listeners.add(&store_listener);
  return run_sweep(items, options, listeners);
}

namespace {
// The one point of a one-item sweep, or why it could not be measured.
struct Capture final : ProfileListener {
  std::optional<PointRecord> record;
  std::string failure;
  void on_point_end(const PointContext&, const PointRecord& r) override { record = r; }
  void on_point_failed(const PointContext&, const std::string& message) override { failure = message; }
};
}  // namespace

Remeasurer::Remeasurer(std::string meter_spec, std::string sysfs_root, ProtocolSettings protocol)
    : spec_(std::move(meter_spec)), root_(std::move(sysfs_root)), protocol_(protocol) {}

Remeasurer::~Remeasurer() {
  for (auto& [device, meter] : meters_) {
    if (meter) meter->stop();
  }
}

Meter* Remeasurer::meter_for(const std::string& device) {
  auto& m = meters_[device];
  if (!m) {
    m = make_meter(spec_, root_, device);
    m->start();
  }
  return m.get();
}

Remeasurement Remeasurer::operator()(const ResultRow& r) {
  Remeasurement out;
  try {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(r.model_path, ec)) {
      throw Error("model file '" + r.model_path + "' no longer exists");
    }
    if (!r.model_sha256.empty() && model_content_sha256(r.model_path) != r.model_sha256) {
      throw Error("model file '" + r.model_path + "' changed since it was profiled");
    }
    if (!r.platform.empty()) {
      throw Error("it was measured with platform settings (" + r.platform +
                  "), which evaluate does not change: evaluate points measured as the platform was");
    }
    Meter* meter = meter_for(r.device);
    if (!r.config_meter.empty() && meter->info().name != r.config_meter) {
      throw Error("the point was measured with meter '" + r.config_meter + "' but this machine's is '" +
                  meter->info().name + "'");
    }
    SweepItem item;
    item.model.name = r.model;
    item.model.path = r.model_path;
    item.model.content_sha256 = r.model_sha256;
    item.model.sample_shape = parse_shape(r.sample_shape, "sample shape");
    item.config = configuration_of(r);
    item.config.meter = meter->info().name;
    SweepOptions options;
    options.protocol = protocol_;
    options.engine_factory = [](const std::string& name) { return make_engine(name); };
    options.meter_for = [meter](const Configuration&) { return meter; };
    Capture capture;
    run_sweep({item}, options, capture);
    if (!capture.record) throw Error(capture.failure);
    const PointResult& result = capture.record->result;
    out.effective = capture.record->runtime;
    out.status = to_string(result.verdict);
    out.reason = result.reason;
    if (result.energy && result.energy->energy_j_per_inference.count) {
      out.energy_j = result.energy->energy_j_per_inference.mean;
      out.energy_ci95_j = result.energy->energy_j_per_inference.ci95_half_width;
    }
  } catch (const Error& e) {
    out.status = "FAILED";
    out.reason = e.what();
  }
  return out;
}

}  // namespace edgejoule
