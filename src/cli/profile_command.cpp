#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "cli/commands.h"
#include "common/error.h"
#include "common/sha256.h"
#include "common/strings.h"
#include "engines/registry.h"
#include "engines/output_check.h"
#include "data/dataset.h"
#include "meters/meter.h"
#include "platform/host.h"
#include "platform/knobs.h"
#include "platform/power.h"
#include "profiler/protocol.h"
#include "profiler/sweep.h"
#include "report/writers.h"
#include "store/store.h"
#include "zoo/manifest.h"

namespace edgejoule {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) { g_stop.store(true); }

// SIGINT/SIGTERM: finish the current window, store what is finished, exit 130. A second
// signal kills at once (SA_RESETHAND); the store stays consistent either way.
void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

struct ProfileFlags {
  std::vector<std::string> model_files;
  std::string zoo_dir;
  std::string models_filter;
  std::string engines = "torchscript";
  std::string devices = "cpu";
  std::string precisions = "fp32";
  std::string batches = "1";
  std::string threads;
  std::map<std::string, std::string> knobs;  // configuration field -> its flag's list
  std::string cpu_max_freq_khz, cpu_governor, gpu_power_limit_w, gpu_locked_clocks_mhz, nvpmodel;
  bool allow_platform_changes = false;
  bool dry_run = false;
  std::string input_shape;
  std::string meter = "auto";
  std::string cross_check_meter;
  std::string dataset;
  std::string db = kDefaultDbPath;
  ProtocolSettings protocol;
  bool force = false;
  bool retry_invalid = false;
  bool json = false;
  bool quiet = false;
  bool check_outputs = false;
};

class StoreListener final : public ProfileListener {
 public:
  StoreListener(Store& store, const HostInfo& host, bool replace)
      : store_(store), host_(host), replace_(replace) {}
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

// A model file given directly: its format is that of the engine whose extension it has, the
// reference engine's (TorchScript) otherwise.
ModelInfo model_from_file(const std::string& path, const std::vector<int64_t>& override_shape) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw Error("model file '" + path +
                "' does not exist: check the path, or build a zoo with 'edgejoule zoo build'");
  }
  const EngineDescriptor* by_extension = engine_for_extension(std::filesystem::path(path).extension().string());
  const std::string format = by_extension ? by_extension->model_format : engine_registry().front().model_format;
  ModelInfo m;
  if (auto entry = manifest_entry_for(path, format)) {
    m = *entry;
  } else {
    m.path = path;
    m.name = std::filesystem::path(path).stem().string();
    m.format = format;
    if (override_shape.empty()) {
      throw Error("no input shape known for '" + path +
                  "' (no zoo.json beside it lists it): pass --input-shape, e.g. 1x3x224x224");
    }
  }
  return m;
}

// --check-outputs: every (engine, precision) of the sweep other than the reference (the
// registry's reference engine, fp32 on the CPU) runs the same input as the reference; the
// disagreement is printed per model.
struct OutputCheck {
  std::string model, engine, precision, verdict;
  std::optional<OutputComparison> comparison;
};

std::vector<OutputCheck> check_outputs(const std::vector<ModelInfo>& models, const SweepLists& lists) {
  const EngineDescriptor* reference_engine_descriptor = reference_engine();
  if (!reference_engine_descriptor) {
    throw Error("--check-outputs compares against the reference engine (" + engine_registry().front().name +
                "), which this build lacks");
  }
  const std::string& reference_name = reference_engine_descriptor->name;
  std::vector<OutputCheck> checks;
  EngineOptions reference_options;
  reference_options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (const auto& model : models) {
    ModelInfo reference_model = model;
    const std::string no_reference = select_engine_file(reference_model, reference_name);
    std::unique_ptr<Engine> reference;  // loaded once per model, on its first comparison
    for (const auto& engine_name : lists.engines) {
      for (const auto& precision : lists.precisions) {
        if (engine_name == reference_name && precision == "fp32") continue;
        OutputCheck check{model.name, engine_name, precision, "", std::nullopt};
        ModelInfo variant = model;
        const std::string why = select_engine_file(variant, engine_name, 1, precision);
        if (!no_reference.empty()) {
          check.verdict = "no " + reference_engine_descriptor->model_format + " file to compare with";
        } else if (!why.empty()) {
          check.verdict = "unsupported: " + why;
        } else {
          try {
            std::vector<int64_t> shape{1};
            shape.insert(shape.end(), model.sample_shape.begin(), model.sample_shape.end());
            if (!reference) {
              auto engine = reference_engine_descriptor->make();
              engine->load(reference_model.path, reference_options);
              reference = std::move(engine);
            }
            EngineOptions options = reference_options;
            auto other = make_engine(engine_name);
            options.device = lists.devices.front();
            options.precision = precision;
            other->load(variant.path, options);
            check.comparison = compare_engines(*reference, *other, shape, precision);
            check.verdict = check.comparison->agrees() ? "agrees" : "DISAGREES";
          } catch (const UnsupportedError& e) {
            check.verdict = std::string("unsupported: ") + e.what();
          } catch (const Error& e) {
            check.verdict = std::string("failed: ") + e.what();
          }
        }
        checks.push_back(std::move(check));
      }
    }
  }
  return checks;
}

void print_output_checks(const std::vector<OutputCheck>& checks) {
  std::fprintf(stderr, "output check against %s fp32 (same input, batch 1):\n",
               reference_engine() ? reference_engine()->name.c_str() : "the reference engine");
  std::fprintf(stderr, "  %-22s %-12s %-9s %12s %10s %6s  %s\n", "model", "engine", "precision", "max_rel_diff",
               "tolerance", "top1", "verdict");
  for (const auto& c : checks) {
    if (c.comparison) {
      std::fprintf(stderr, "  %-22s %-12s %-9s %12.2e %10.2g %5.0f%%  %s\n", c.model.c_str(), c.engine.c_str(),
                   c.precision.c_str(), c.comparison->max_rel_diff, c.comparison->tolerance,
                   c.comparison->top1_agreement * 100, c.verdict.c_str());
    } else {
      std::fprintf(stderr, "  %-22s %-12s %-9s %12s %10s %6s  %s\n", c.model.c_str(), c.engine.c_str(),
                   c.precision.c_str(), "-", "-", "-", c.verdict.c_str());
    }
  }
}

// The started meter for a configuration's device, or nullptr when none measures it.
Meter* meter_on(const std::map<std::string, std::unique_ptr<Meter>>& by_device, const Configuration& c) {
  const auto it = by_device.find(c.device);
  return it == by_device.end() ? nullptr : it->second.get();
}

int run_profile(const ProfileFlags& flags, const GlobalOptions& global) {
  // 1. Validate every flag before touching anything.
  SweepLists lists;
  lists.engines = parse_name_list(flags.engines, "--engine", known_engines());
  for (const auto& e : lists.engines) (void)make_engine(e);  // engines not built in fail here
  lists.devices = parse_name_list(flags.devices, "--device", registered_devices());
  lists.precisions = parse_name_list(flags.precisions, "--precision", registered_precisions());
  lists.batches = parse_int_list(flags.batches, "--batch");
  const std::string threads_text =
      flags.threads.empty() ? std::to_string(std::max(1u, std::thread::hardware_concurrency()))
                            : flags.threads;
  lists.threads = parse_int_list(threads_text, "--threads");
  for (const auto& [name, text] : flags.knobs) {
    const ConfigField& field = config_field(name);
    if (!text.empty()) lists.knobs[name] = parse_name_list(text, field.flag, field.values);
  }
  validate(flags.protocol);
  std::vector<int64_t> override_shape;
  if (!flags.input_shape.empty()) {
    override_shape = parse_shape(flags.input_shape, "--input-shape");
    if (override_shape.size() < 2) {
      throw Error("invalid --input-shape '" + flags.input_shape +
                  "': give the batch dimension first, e.g. 1x3x224x224");
    }
  }
  if (flags.zoo_dir.empty() && flags.model_files.empty()) {
    throw Error("nothing to profile: pass model files or --zoo DIR (build one with 'edgejoule zoo build')");
  }

  // Platform power knobs: refused without --allow-platform-changes; checked (values, privileges)
  // before anything is measured; --dry-run only prints what would change.
  PlatformKnobLists knobs;
  for (auto [text, list, flag] : {std::tuple{&flags.cpu_max_freq_khz, &knobs.cpu_max_freq_khz, "--cpu-max-freq-khz"},
                                  std::tuple{&flags.cpu_governor, &knobs.cpu_governor, "--cpu-governor"},
                                  std::tuple{&flags.gpu_power_limit_w, &knobs.gpu_power_limit_w, "--gpu-power-limit-w"},
                                  std::tuple{&flags.gpu_locked_clocks_mhz, &knobs.gpu_locked_clocks_mhz,
                                             "--gpu-locked-clocks-mhz"},
                                  std::tuple{&flags.nvpmodel, &knobs.nvpmodel, "--nvpmodel"}}) {
    if (!text->empty()) *list = parse_name_list(*text, flag);
  }
  lists.platforms = platform_settings(knobs);
  std::optional<PlatformController> platform;
  if (knobs.any()) {
    if (!flags.allow_platform_changes && !flags.dry_run) {
      throw Error(join(knobs.flags_given(), ", ") +
                  " would change this machine's power settings: pass --allow-platform-changes (only on a device "
                  "you own, never on a shared machine), or --dry-run to see what would change");
    }
    platform.emplace(global.sysfs_root, platform_journal_path());
    if (flags.dry_run) {
      for (const auto& setting : lists.platforms) {
        std::printf("platform setting %s:\n", setting.c_str());
        for (const auto& line : platform->plan(setting)) std::printf("  would set %s\n", line.c_str());
      }
      std::printf("dry run: nothing was changed or measured\n");
      return exit_code::kOk;
    }
    for (const auto& setting : lists.platforms) platform->check(setting);
  } else if (flags.dry_run) {
    throw Error("--dry-run shows the platform changes of --cpu-max-freq-khz, --cpu-governor, --gpu-power-limit-w, "
                "--gpu-locked-clocks-mhz or --nvpmodel; none was given");
  }

  std::unique_ptr<Dataset> dataset;
  if (!flags.dataset.empty()) dataset = make_dataset(flags.dataset);

  // 2. Open the store first: a bad --db fails before minutes of work, not after.
  auto store = open_store(flags.db, OpenMode::kReadWrite);

  // 3. Models: from the zoo manifest and/or files. Each engine loads its own file of a model
  //    (TorchScript, ONNX), and a point is keyed by that file's content hash.
  std::vector<ModelInfo> models;
  if (!flags.zoo_dir.empty()) {
    auto zoo = load_manifest(flags.zoo_dir);
    std::set<std::string> wanted;
    if (!flags.models_filter.empty()) {
      for (const auto& n : parse_name_list(flags.models_filter, "--models")) wanted.insert(n);
    }
    std::set<std::string> found;
    for (auto& m : zoo) {
      if (wanted.empty() || wanted.count(m.name)) {
        found.insert(m.name);
        models.push_back(std::move(m));
      }
    }
    for (const auto& name : wanted) {
      if (!found.count(name)) {
        throw Error("model '" + name + "' is not in the zoo at '" + flags.zoo_dir +
                    "': see 'edgejoule zoo list --zoo " + flags.zoo_dir + "'");
      }
    }
  }
  for (const auto& file : flags.model_files) models.push_back(model_from_file(file, override_shape));
  for (auto& m : models) {
    // A "cannot run" found by the zoo build with another version of the engine is stale.
    for (const auto& [engine, version] : m.checked_with) {
      if (!version.empty() && version != engine_library_version(engine)) m.not_runnable.erase(engine);
    }
    for (const auto& [format, path] : m.files) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(path, ec)) {
        throw Error("model file '" + path + "' listed in the zoo does not exist: rebuild the zoo "
                    "with 'edgejoule zoo build'");
      }
    }
    if (!override_shape.empty()) m.sample_shape.assign(override_shape.begin() + 1, override_shape.end());
  }
  if (flags.check_outputs) print_output_checks(check_outputs(models, lists));

  // 4. Meters: one per device, started now so their update period is known before the first
  //    window. --meter none profiles latency only.
  std::map<std::string, std::unique_ptr<Meter>> meters;
  if (flags.meter != "none") {
    for (const auto& device : lists.devices) {
      try {
        auto meter = make_meter(flags.meter, global.sysfs_root, device);
        meter->start();
        if (!flags.quiet) {
          const auto info = meter->info();
          std::fprintf(stderr, "meter for %s: %s (%s)%s\n", device.c_str(), info.name.c_str(),
                       info.covers.c_str(),
                       info.measured ? "" : "; ESTIMATED, not measured: no energy sensor is readable here");
        }
        meters[device] = std::move(meter);
      } catch (const Error& e) {
        if (device != "cuda" || flags.meter != "auto") throw;
        // Without a GPU the cuda points are UNSUPPORTED anyway; with one, they must not look
        // complete: say that they carry latency only, and why.
        std::fprintf(stderr, "warning: no energy meter for cuda (%s); cuda points carry latency only\n", e.what());
      }
    }
  }

  std::map<std::string, std::unique_ptr<Meter>> cross_checks;
  if (!flags.cross_check_meter.empty()) {
    if (meters.empty()) throw Error("--cross-check-meter needs a --meter other than none");
    for (const auto& [device, meter] : meters) {
      auto other = make_meter(flags.cross_check_meter, global.sysfs_root, device);
      other->start();
      if (!flags.quiet) {
        std::fprintf(stderr, "cross-check meter for %s: %s\n", device.c_str(), other->info().name.c_str());
      }
      cross_checks[device] = std::move(other);
    }
  }

  // 5. Host and sweep.
  const HostInfo host = probe_host_for(
      global, std::find(lists.devices.begin(), lists.devices.end(), "cuda") != lists.devices.end());
  const std::string host_fp = host.fingerprint();
  std::vector<SweepItem> items;
  std::map<std::string, std::string> hashes;  // path -> SHA-256, each file hashed once
  for (const auto& m : models) {
    for (auto& c : expand(lists, m.sample_shape)) {
      if (auto it = meters.find(c.device); it != meters.end()) c.meter = it->second->info().name;
      SweepItem item{m, std::move(c), ""};
      item.unsupported_reason =
          select_engine_file(item.model, item.config.engine, item.config.batch, item.config.precision);
      auto [hash, fresh] = hashes.try_emplace(item.model.path);
      if (fresh) hash->second = sha256_file(item.model.path);
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

  SweepOptions options;
  options.protocol = flags.protocol;
  options.engine_factory = [](const std::string& name) { return make_engine(name); };
  options.stop = &g_stop;
  options.meter_for = [&meters](const Configuration& c) { return meter_on(meters, c); };
  // The platform state is read (and, with knobs, set) before every point and stored with it.
  std::string applied_setting;
  options.platform_for = [&](const SweepItem& item) {
    if (platform && item.config.platform != applied_setting) {
      if (!flags.quiet) std::fprintf(stderr, "platform: %s\n", item.config.platform.c_str());
      platform->apply(item.config.platform);
      applied_setting = item.config.platform;
    }
    const bool gpu = item.config.device == "cuda" || item.config.platform.find("gpu_") != std::string::npos;
    return read_platform_state(global.sysfs_root, gpu).to_json();
  };
  options.cross_check_for = [&cross_checks](const Configuration& c) { return meter_on(cross_checks, c); };
  // Accuracy depends on the model file, engine, device, precision and what changes the computed
  // graph (optimisation folds conv-bn, memory format reorders sums), not on batch, threads or
  // the platform setting: measured once per combination and stored with each of its points.
  std::map<std::string, MeasuredAccuracy> accuracy_cache;
  if (dataset) {
    options.accuracy_for = [&](Engine& engine, const SweepItem& item) -> std::optional<MeasuredAccuracy> {
      const std::string key = item.model.content_sha256 + "|" + item.config.engine + "|" + item.config.device +
                              "|" + item.config.precision + "|" + knob_labels(item.config.knobs, true);
      if (auto it = accuracy_cache.find(key); it != accuracy_cache.end()) return it->second;
      Preprocess pre;
      pre.pixel_scale = item.model.pixel_scale;
      pre.mean = item.model.mean;
      pre.std = item.model.std;
      pre.resize = item.model.resize;
      pre.crop = item.model.crop;
      const AccuracyResult a = measure_accuracy(engine, *dataset, pre, item.model.sample_shape);
      MeasuredAccuracy m{a.top1, a.top5, a.samples, a.source};
      accuracy_cache[key] = m;
      return m;
    };
  }
  if (!flags.force) {
    // With a dataset, a point is done only when it holds accuracy from that dataset (same samples).
    const std::string wanted_accuracy =
        dataset ? fmt::format("measured:{}:{}", dataset->name(), dataset->size()) : "";
    options.skip_reason = [&, wanted_accuracy](const SweepItem& item) -> std::string {
      const auto stored = store->stored_point(item.model.content_sha256, item.config.key(), host_fp);
      if (!stored) return "";
      const std::string& status = stored->status;
      if (status == "INVALID" && flags.retry_invalid) return "";
      // The engine's version keys a point: one measured by another version is measured again.
      const std::string version = engine_library_version(item.config.engine);
      if (!stored->engine_version.empty() && !version.empty() && stored->engine_version != version) return "";
      if (!wanted_accuracy.empty() && status != "UNSUPPORTED" && stored->measured_accuracy_source != wanted_accuracy) {
        return "";  // measured again, now with accuracy, and replaced
      }
      return "already in " + flags.db + " as " + status + " (use --force to measure again" +
             (status == "INVALID" ? ", or --retry-invalid)" : ")");
    };
  }

  auto progress = make_progress_listener(stderr_is_terminal(), flags.quiet);
  StoreListener store_listener(*store, host, flags.force || flags.retry_invalid || dataset != nullptr);
  ListenerList listeners;
  listeners.add(progress.get());
  listeners.add(&store_listener);

  install_stop_handlers();
  const SweepOutcome outcome = run_sweep(items, options, listeners);

  for (auto& [device, meter] : meters) meter->stop();
  for (auto& [device, meter] : cross_checks) meter->stop();

  // 6. Show every point of this sweep as stored (measured now or earlier).
  std::set<std::pair<std::string, std::string>> swept;
  for (const auto& item : items) swept.emplace(item.model.content_sha256, item.config.key());
  RowFilter filter;
  filter.host_fingerprint = host_fp;
  std::vector<ResultRow> rows;
  for (auto& row : store->rows(filter)) {
    if (swept.count({row.model_sha256, configuration_of(row).key()})) rows.push_back(std::move(row));
  }
  if (flags.json) {
    write_json(std::cout, rows);
  } else if (!rows.empty()) {
    write_table(std::cout, rows);
    write_engine_comparison(std::cout, rows);
  }
  std::fprintf(stderr, "%zu measured, %zu unsupported, %zu skipped, %zu failed; store: %s\n",
               outcome.measured, outcome.unsupported, outcome.skipped, outcome.failures.size(),
               flags.db.c_str());

  if (outcome.interrupted) return exit_code::kInterrupted;
  if (!outcome.failures.empty()) {
    throw Error(fmt::format("{} point(s) could not be measured; the first: {}",
                            outcome.failures.size(), outcome.failures.front()));
  }
  return exit_code::kOk;
}

}  // namespace

CommandRun add_profile_command(CLI::App& app, const GlobalOptions& global) {
  auto flags = std::make_shared<ProfileFlags>();
  auto* cmd = app.add_subcommand(
      "profile",
      "Measure latency of models over every combination of the list-valued flags and store it. "
      "Points already stored for this host are skipped, so an interrupted sweep resumes.");
  // A flag given twice takes its last value, as in most tools (scripts append overrides).
  cmd->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cmd->add_option("models", flags->model_files, "Model files: TorchScript (.pt) or ONNX (.onnx, opencv engine)");
  cmd->add_option("--zoo", flags->zoo_dir, "Profile the models of a zoo directory (with zoo.json)");
  cmd->add_option("--models", flags->models_filter, "With --zoo: only these models (comma-separated names)");
  std::vector<std::string> engine_help;
  for (const auto& e : engine_registry()) {
    engine_help.push_back(e.name + " (" + e.library + ", " + e.file_extension + (e.built_in() ? "" : ", not built in") + ")");
  }
  cmd->add_option("--engine", flags->engines,
                  "Engines to sweep: " + join(engine_help, ", ") +
                      "; a model an engine cannot run is stored UNSUPPORTED with the reason")
      ->default_str("torchscript");
  cmd->add_option("--device", flags->devices, "Devices to sweep: " + join(registered_devices(), ", "))->default_str("cpu");
  cmd->add_option("--precision", flags->precisions,
                  "Precisions to sweep: fp32, fp16, bf16, int8 (int8: the zoo's dynamically quantised "
                  "TorchScript, 'zoo build --formats torchscript,torchscript_int8'; CPU only)")
      ->default_str("fp32");
  cmd->add_option("--batch", flags->batches, "Batch sizes: list or range, e.g. 1,8,32 or 1-64*2")
      ->default_str("1");
  cmd->add_option("--threads", flags->threads, "Intra-op thread counts (default: all CPUs)");
  for (const auto& field : config_fields()) {
    cmd->add_option(field.flag, flags->knobs[field.name], field.help)->default_str(field.default_value());
  }
  cmd->add_option("--input-shape", flags->input_shape,
                  "Input shape with batch first, e.g. 1x3x224x224 (the batch is replaced by --batch); "
                  "default: from zoo.json");
  cmd->add_option("--meter", flags->meter,
                  "Energy source: auto, nvml[:N[:power]], rapl[:DOMAINS], hwmon[:LABEL], log:FILE, "
                  "estimate[:core_w=W,base_w=W], or none (latency only). See 'edgejoule meters'")
      ->default_str("auto");
  cmd->add_option("--cross-check-meter", flags->cross_check_meter,
                  "A second meter read over the same windows; the difference is stored per point "
                  "(e.g. --meter nvml --cross-check-meter nvml:0:power)");
  cmd->add_option("--dataset", flags->dataset,
                  "Measure top-1/top-5 on a labelled set for every engine/device/precision: fmnist:test, "
                  "fmnist:train, idx:IMAGES,LABELS or imagefolder:DIR, optionally ,limit=N (,classes=N)");
  cmd->add_flag("!--no-idle-baseline", flags->protocol.idle_baseline,
                "With a meter: skip the idle-power baseline before each point (saves one window per point; "
                "the energy above idle is then not known)");
  cmd->add_option("--meter-periods", flags->protocol.meter_periods_per_window,
                  "Each window lasts at least this many of the meter's update periods")
      ->default_val(flags->protocol.meter_periods_per_window);
  cmd->add_option("--db", flags->db, kDbHelp)
      ->default_str(kDefaultDbPath)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cmd->add_option("--warmup-s", flags->protocol.warmup_s, "Warm-up time per point, seconds")
      ->default_val(flags->protocol.warmup_s);
  cmd->add_option("--warmup-iterations", flags->protocol.warmup_min_iterations,
                  "Minimum warm-up calls per point")
      ->default_val(flags->protocol.warmup_min_iterations);
  cmd->add_option("--min-time-s", flags->protocol.min_time_s, "Minimum length of each measured window, seconds")
      ->default_val(flags->protocol.min_time_s);
  cmd->add_option("--min-iterations", flags->protocol.min_window_iterations,
                  "Minimum calls in each measured window")
      ->default_val(flags->protocol.min_window_iterations);
  cmd->add_option("--repetitions", flags->protocol.repetitions, "Measured windows per point")
      ->default_val(flags->protocol.repetitions);
  cmd->add_option("--max-cv", flags->protocol.max_cv,
                  "Largest window-to-window coefficient of variation of a VALID point")
      ->default_val(flags->protocol.max_cv);
  cmd->add_flag("--force", flags->force, "Measure again points already stored (replacing them)");
  cmd->add_flag("--retry-invalid", flags->retry_invalid,
                "Measure again points stored as INVALID (e.g. after a busy period), replacing them");
  cmd->add_flag("--json", flags->json, "Print the results as JSON on stdout");
  cmd->add_flag("--quiet", flags->quiet, "No progress output");
  cmd->add_option("--cpu-max-freq-khz", flags->cpu_max_freq_khz,
                  "Platform knob: CPU maximum frequencies to sweep (every cpufreq policy), kHz, e.g. 1200000,2400000");
  cmd->add_option("--cpu-governor", flags->cpu_governor, "Platform knob: CPU governors to sweep, e.g. powersave,performance");
  cmd->add_option("--gpu-power-limit-w", flags->gpu_power_limit_w, "Platform knob: GPU power limits to sweep, W (NVML, root)");
  cmd->add_option("--gpu-locked-clocks-mhz", flags->gpu_locked_clocks_mhz,
                  "Platform knob: GPU clocks to lock (min = max), MHz (NVML, root)");
  cmd->add_option("--nvpmodel", flags->nvpmodel, "Platform knob: Jetson power mode ids to sweep (root)");
  cmd->add_flag("--allow-platform-changes", flags->allow_platform_changes,
                "Allow the platform knobs to change this machine's power settings (only on a device you own; "
                "each change is journaled and restored on every exit, or by the next run after a crash)");
  cmd->add_flag("--dry-run", flags->dry_run, "With platform knobs: print what would be changed, change nothing");
  cmd->add_flag("--check-outputs", flags->check_outputs,
                "Before the sweep, run every model in each swept engine and precision on the same input as "
                "the reference engine (torchscript) at fp32 and print how far the outputs differ (tolerances in docs/engines.md)");
  return [flags, &global] { return run_profile(*flags, global); };
}

}  // namespace edgejoule
