#include "cli/profile_options.h"

#include <CLI/CLI.hpp>

#include "common/strings.h"
#include "engines/registry.h"
#include "platform/knobs.h"
#include "cli/commands.h"

namespace edgejoule {

void add_profile_options(CLI::App& cmd, ProfileFlags& flags) {
  // A flag given twice takes its last value, as in most tools (scripts append overrides).
  cmd.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cmd.add_option("models", flags.model_files, "Model files: TorchScript (.pt) or ONNX (.onnx, opencv and openvino engines)");
  cmd.add_option("--zoo", flags.zoo_dir, "Profile the models of a zoo directory (with zoo.json)");
  cmd.add_option("--models", flags.models_filter, "With --zoo: only these models (comma-separated names)");
  std::vector<std::string> engines;
  for (const auto& e : engine_registry()) {
    engines.push_back(e.name + " (" + e.library + ", " + e.file_extension + (e.built_in() ? "" : ", not built in") + ")");
  }
  cmd.add_option("--engine", flags.engines,
                  "Engines to sweep: " + join(engines, ", ") + "; a model an engine cannot run is stored UNSUPPORTED "
                  "with the reason")->default_str(kDefaultEngine);
  cmd.add_option("--device", flags.devices, "Devices to sweep: " + join(registered_devices(), ", "))->default_str("cpu");
  cmd.add_option("--precision", flags.precisions,
                  "Precisions to sweep: " + join(registered_precisions(), ", ") + " (int8: a quantised file of the "
                  "zoo's, per engine: torchscript_int8 (dynamically quantised, CPU) for torchscript, openvino_int8 "
                  "(NNCF, calibrated) for openvino, onnx_int8 (static QDQ, calibrated) for onnxruntime; 'zoo build "
                  "--formats torchscript,torchscript_int8,openvino_int8,onnx_int8')")
      ->default_str("fp32");
  cmd.add_option("--batch", flags.batches, "Batch sizes: list or range, e.g. 1,8,32 or 1-64*2")->default_str("1");
  cmd.add_option("--threads", flags.threads, "Intra-op thread counts (default: all CPUs)");
  for (const auto& field : config_fields()) {
    cmd.add_option(field.flag, flags.knobs[field.name], field.help)->default_str(field.default_value());
  }
  cmd.add_option("--input-shape", flags.input_shape,
                  "Input shape with batch first, e.g. 1x3x224x224 (the batch is replaced by --batch); "
                  "default: from zoo.json");
  cmd.add_option("--meter", flags.meter,
                  "Energy source: auto, nvml[:N[:power]], rapl[:DOMAINS], hwmon[:LABEL|sum], rpi-pmic, log:FILE, "
                  "estimate[:core_w=W,base_w=W], or none (latency only). See 'edgejoule meters'")
      ->default_str("auto");
  cmd.add_option("--cross-check-meter", flags.cross_check_meter,
                  "A second meter read over the same windows; the difference is stored per point "
                  "(e.g. --meter nvml --cross-check-meter nvml:0:power)");
  cmd.add_option("--dataset", flags.dataset,
                  "Measure top-1/top-5 on a labelled set for every engine/device/precision: fmnist:test, "
                  "fmnist:train, idx:IMAGES,LABELS or imagefolder:DIR, optionally ,limit=N (,classes=N)");
  cmd.add_flag("!--no-idle-baseline", flags.protocol.idle_baseline,
                "With a meter: skip the idle-power baseline before each point (saves one window per point; "
                "the energy above idle is then not known)");
  add_protocol_options(cmd, flags.protocol);
  cmd.add_option("--db", flags.db, kDbHelp)->default_str(kDefaultDbPath);
  cmd.add_flag("--force", flags.force, "Measure again points already stored (replacing them)");
  cmd.add_flag("--retry-invalid", flags.retry_invalid,
                "Measure again points stored as INVALID (e.g. after a busy period), replacing them");
  cmd.add_option("--strategy", flags.strategy,
                 "grid: every point; frontier: anchors, then only points that could still enter the accuracy/energy "
                 "frontier given the cost models' cross-validated error, refitting as points arrive; stops when none "
                 "can, and lists the rest as PREDICTED, stored apart from measured points ('list --status PREDICTED')")
      ->check(CLI::IsMember({"grid", "frontier"}))
      ->default_str("grid");
  cmd.add_option("--budgets", flags.budgets,
                 "With --strategy frontier: energy budgets of interest, J per inference (comma-separated); points "
                 "over the largest even at their optimistic energy are not measured")
      ->delimiter(',')
      ->check(CLI::PositiveNumber);
  cmd.add_option("--round-size", flags.round_size, "With --strategy frontier: points measured between refits")
      ->check(CLI::Range(1, 1000))
      ->default_str("1");
  cmd.add_option("--tolerance", flags.tolerance,
                 "With --strategy frontier: a relative energy difference too small to be worth a measurement (the "
                 "measurement noise: the same point re-measured here spreads by about 10 %); a point is left "
                 "unmeasured when a measured point at least as accurate costs at most its optimistic energy x (1 + "
                 "this). 0: the strict rule")
      ->check(CLI::Range(0.0, 1.0))
      ->default_str("0.1");
  cmd.add_flag("--json", flags.json, "Print the results as JSON on stdout");
  cmd.add_flag("--quiet", flags.quiet, "No progress output");
  for (const auto& f : platform_knob_flags()) cmd.add_option(f.flag, flags.platform[f.flag], f.help);
  cmd.add_flag("--allow-platform-changes", flags.allow_platform_changes,
                "Allow the platform knobs to change this machine's power settings (only on a device you own; "
                "each change is journaled and restored on every exit, or by the next run after a crash)");
  cmd.add_flag("--dry-run", flags.dry_run, "With platform knobs: print what would be changed, change nothing");
  cmd.add_option("--queue", flags.queue,
                  "With --enqueue: the fleet store's queue (a name) to plan the sweep into, for the workers of "
                  "a device class ('edgejoule worker'); needs --db postgresql://...");
  cmd.add_flag("--enqueue", flags.enqueue,
                "Plan the sweep into --queue without measuring anything (each point: model content hash, "
                "configuration, device class)");
  cmd.add_option("--device-class", flags.device_class,
                  "With --enqueue: the device class the points are for (default: this machine's, as "
                  "'edgejoule worker' on an identical device computes it: CPU model, CPUs, memory[, GPU])");
  cmd.add_flag("--check-outputs", flags.check_outputs,
                "Before the sweep, run every model in each swept engine and precision on the same input as "
                "the reference engine (torchscript) at fp32 and print how far the outputs differ (tolerances in "
                "docs/engines.md)");
}

}  // namespace edgejoule
