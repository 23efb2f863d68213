#include "runtime/run_setup.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/strings.h"
#include "core/configuration.h"
#include "data/dataset.h"
#include "engines/engine.h"
#include "recommend/recommend.h"
#include "zoo/manifest.h"

namespace edgejoule {
namespace {

int64_t work_of(const RunRequest& r) {
  if (r.inferences && r.duration_s) throw Error("give --inferences N or --duration-s T, not both");
  if (r.inferences) {
    if (*r.inferences <= 0) throw Error("--inferences must be a positive number");
    return *r.inferences;
  }
  if (r.duration_s) {
    if (!r.rate_qps) {
      throw Error("--duration-s T needs --rate R: the work is R x T inferences issued at the rate; for "
                  "back-to-back inferences give --inferences N");
    }
    if (!(*r.duration_s > 0)) throw Error("--duration-s must be a positive number of seconds");
    return std::max<int64_t>(1, std::llround(*r.duration_s * *r.rate_qps));
  }
  throw Error("give the work: --inferences N, or --duration-s T with --rate R");
}

double budget_of(const RunRequest& r, int64_t work) {
  const int given = (r.energy_budget_j ? 1 : 0) + (r.energy_per_inference_j ? 1 : 0) + (r.power_budget_w ? 1 : 0);
  if (given != 1) {
    throw Error(std::string(given == 0 ? "give a budget" : "give one budget") +
                ": --energy-budget-j J (for the whole run), --energy-per-inference-j e, or --power-budget-w W with "
                "--rate R");
  }
  double budget = 0;
  if (r.energy_budget_j) budget = *r.energy_budget_j;
  if (r.energy_per_inference_j) budget = *r.energy_per_inference_j * static_cast<double>(work);
  if (r.power_budget_w) {
    if (!r.rate_qps) throw Error("--power-budget-w W needs --rate R: the average power is spent serving R inferences/s");
    budget = *r.power_budget_w / *r.rate_qps * static_cast<double>(work);
  }
  if (!(budget > 0) || !std::isfinite(budget)) throw Error("the energy budget must be a positive number");
  return budget;
}

// The model file a stored point ran, found again here: at the path the store names, or in --zoo.
ModelInfo model_for(const ResultRow& row, const std::string& zoo_dir) {
  const std::string format = engine_model_format(row.engine, row.precision);
  if (!zoo_dir.empty()) {
    for (auto& m : load_manifest(zoo_dir, format)) {
      if (m.name != row.model) continue;
      require_model_file(m.path, format);
      if (!row.model_sha256.empty() && model_content_sha256(m.path) != row.model_sha256) {
        throw Error(fmt::format("the zoo's {} ('{}') is not the file the stored point measured (its content "
                                "differs): rebuild the store's points with this zoo, or pass the zoo they came from",
                                m.name, m.path));
      }
      return m;
    }
    throw Error(fmt::format("the zoo '{}' has no {} file of {}: build it with 'edgejoule zoo build --formats {}'",
                            zoo_dir, format, row.model, format));
  }
  require_model_file(row.model_path, format);
  if (auto m = manifest_entry_for(row.model_path, format)) return *m;
  ModelInfo m;
  m.name = row.model;
  m.path = row.model_path;
  m.format = format;
  m.sample_shape = parse_shape(row.sample_shape, "the stored sample shape");
  return m;
}

}  // namespace

RunSetup prepare_run(const RunRequest& request, Store& store, const HostInfo& host) {
  RunSetup setup;
  const int64_t work = work_of(request);
  setup.plan.budget_j = budget_of(request, work);
  setup.plan.inferences = work;
  setup.plan.rate_qps = request.rate_qps;
  setup.plan.latency_limit_ms = request.latency_limit_ms;
  setup.plan.memory_limit_mb = request.memory_limit_mb;
  setup.plan.degrade = request.degrade;
  setup.plan.window_s = request.window_s;

  RowFilter filter;
  filter.sorted = false;
  filter.status = Verdict::kValid;
  filter.host_fingerprint = host.fingerprint();
  std::vector<ResultRow> rows = store.rows(filter);
  if (rows.empty()) {
    if (!request.any_host) {
      throw Error(fmt::format("the store '{}' has no VALID points of this host ({}): profile here first "
                              "('edgejoule profile'), or pass --any-host to plan with another host's figures",
                              store.location(), host.hostname));
    }
    filter.host_fingerprint.clear();
    rows = store.rows(filter);
    if (!rows.empty()) {
      setup.warnings.push_back(fmt::format("planning with another host's figures ({}): this host has none; the "
                                           "live readings correct them as the run goes",
                                           rows.front().hostname));
    }
  }
  // One request at a time, one sample per call, the platform as it is: the points that say what
  // such a call costs.
  const size_t before = rows.size();
  rows.erase(std::remove_if(rows.begin(), rows.end(),
                            [](const ResultRow& r) {
                              return r.batch != 1 || knob_value(r.knobs, "scenario") != "single-stream" ||
                                     !r.platform.empty();
                            }),
             rows.end());
  if (rows.size() < before) {
    setup.warnings.push_back(fmt::format(
        "{} point(s) left out: run issues one sample at a time, one request in flight, with the platform as it is "
        "(batch 1, single-stream points without platform settings)",
        before - rows.size()));
  }

  CandidateFilter cf;
  cf.energy_source = *energy_source_from_string(request.energy_source);
  cf.accuracy_dataset = request.dataset;
  CandidateSet set = candidates_from_rows(rows, cf);
  if (request.dataset.empty() && set.datasets.size() > 1) {
    // The input's own dataset where the store holds accuracy on it.
    const std::string input_dataset = request.input.substr(0, request.input.find(','));
    if (set.datasets.count(input_dataset)) {
      cf.accuracy_dataset = input_dataset;
      set = candidates_from_rows(rows, cf);
    } else {
      throw Error("the store '" + store.location() + "' holds accuracy on several datasets, which do not compare: " +
                  datasets_listed(set) + "; choose one with --dataset");
    }
  }
  RateCandidates at_rate = candidates_for_rate(std::move(set.candidates), request.rate_qps);
  std::vector<Candidate> candidates = std::move(at_rate.candidates);
  for (const auto& note : at_rate.notes) setup.warnings.push_back(note);
  if (request.latency_limit_ms) {
    candidates.erase(std::remove_if(candidates.begin(), candidates.end(),
                                    [&](const Candidate& c) {
                                      return !c.latency_ms_p99 || *c.latency_ms_p99 > *request.latency_limit_ms;
                                    }),
                     candidates.end());
  }
  setup.candidates = candidates.size();
  if (candidates.empty()) {
    throw Error(fmt::format(
        "the frontier is empty: no VALID batch-1 single-stream point in '{}' has energy and accuracy{}{}; profile "
        "the models first ('edgejoule profile --batch 1{}')",
        store.location(), cf.accuracy_dataset.empty() ? "" : " on " + cf.accuracy_dataset,
        request.latency_limit_ms ? fmt::format(" within {:g} ms p99", *request.latency_limit_ms) : "",
        cf.accuracy_dataset.rfind("fmnist", 0) == 0 ? " --dataset " + cf.accuracy_dataset : ""));
  }
  setup.energy_kind = set.energy_kind;
  setup.accuracy_dataset = candidates.front().row.accuracy_dataset;
  setup.device = candidates.front().row.device;

  std::vector<MixOption> mix_options;
  for (const auto& c : candidates) mix_options.push_back({c.budget_energy_j(), c.top1});
  std::vector<double> idle;
  for (size_t index : mix_hull(mix_options)) {
    const Candidate& c = candidates[index];
    RunOption o;
    o.label = c.label();
    o.point_id = c.row.point_id;
    o.energy_j = c.budget_energy_j();
    o.active_energy_j = c.row.energy_j_per_inference.value_or(o.energy_j);
    o.latency_ms = c.row.latency_ms_mean.value_or(c.row.latency_ms_p50.value_or(0));
    o.top1 = c.top1;
    o.accuracy_source = c.row.accuracy_source;
    o.memory_mb = c.memory_mb;
    if (c.row.idle_power_w) idle.push_back(*c.row.idle_power_w);
    setup.plan.options.push_back(o);
    setup.targets.push_back({model_for(c.row, request.zoo_dir), c.row});
  }
  if (!idle.empty()) {
    std::sort(idle.begin(), idle.end());
    setup.plan.idle_power_w = idle[idle.size() / 2];
  }
  check_budget_covers(setup.plan);
  return setup;
}

std::string describe_budget(const RunRequest& request, const RunPlan& plan) {
  const double per = plan.budget_j / static_cast<double>(plan.inferences);
  if (request.power_budget_w && request.rate_qps) {
    return fmt::format("{:g} W at {:g} inferences/s: {:.4g} J for {} inferences ({:.4g} J each)", *request.power_budget_w,
                       *request.rate_qps, plan.budget_j, plan.inferences, per);
  }
  return fmt::format("{:.4g} J for {} inferences ({:.4g} J each)", plan.budget_j, plan.inferences, per);
}

struct EngineWorkload::Impl {
  std::vector<RunTarget> targets;
  std::vector<std::string> labels;  // per option, for the predictions file
  std::shared_ptr<Dataset> dataset;
  std::vector<std::unique_ptr<Engine>> engines;
  // Decoded inputs per option (its shape and preprocessing), one vector per sample so that a
  // call takes its input without a copy; filled at the option's first load.
  std::vector<std::vector<std::vector<float>>> inputs;
  std::ofstream predictions;
  double cache_mb = 512;

  std::vector<int64_t> input_shape(size_t option) const {
    std::vector<int64_t> shape{1};
    for (auto d : targets[option].model.sample_shape) shape.push_back(d);
    return shape;
  }
};

EngineWorkload::EngineWorkload(std::vector<RunTarget> targets, std::shared_ptr<Dataset> dataset,
                               std::string predictions_path, double cache_mb)
    : impl_(std::make_unique<Impl>()) {
  impl_->targets = std::move(targets);
  impl_->dataset = std::move(dataset);
  impl_->engines.resize(impl_->targets.size());
  impl_->inputs.resize(impl_->targets.size());
  for (const auto& t : impl_->targets) impl_->labels.push_back(t.row.model + " " + configuration_of(t.row).describe());
  impl_->cache_mb = cache_mb;
  if (!predictions_path.empty()) {
    impl_->predictions.open(predictions_path);
    if (!impl_->predictions) {
      throw Error("cannot write the predictions file '" + predictions_path + "': check the directory and its permissions");
    }
    impl_->predictions << "inference,sample,configuration,label,predicted,correct\n";
  }
}

EngineWorkload::~EngineWorkload() = default;

void EngineWorkload::load(size_t option) {
  const RunTarget& t = impl_->targets[option];
  auto engine = make_engine(t.row.engine);
  engine->load(t.model.path, configuration_of(t.row).engine_options());
  const auto shape = impl_->input_shape(option);
  engine->prepare(shape);
  if (impl_->dataset && impl_->inputs[option].empty()) {
    const Dataset& d = *impl_->dataset;
    int64_t per = 1;
    for (auto v : t.model.sample_shape) per *= v;
    const auto by_memory = static_cast<size_t>(impl_->cache_mb * 1024 * 1024 / (4.0 * static_cast<double>(per)));
    const size_t n = std::max<size_t>(1, std::min(d.size(), by_memory));
    const Preprocess pre = preprocess_of(t.model);
    auto& samples = impl_->inputs[option];
    samples.assign(n, std::vector<float>(static_cast<size_t>(per)));
    for (size_t i = 0; i < n; ++i) d.fill(i, pre, t.model.sample_shape, samples[i].data());
  }
  // Warm: the first calls of a freshly loaded model are slower (allocation, caches, lazy
  // compilation) than the warm calls its stored point measured. Part of the load, so counted
  // with it where loads happen during the run.
  const auto warm_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  for (int calls = 0; calls < 3 || (std::chrono::steady_clock::now() < warm_until && calls < 1000); ++calls) {
    if (impl_->dataset) {
      int64_t width = 0;
      engine->infer(impl_->inputs[option].front(), shape, &width);
    } else {
      engine->run();
    }
  }
  impl_->engines[option] = std::move(engine);
}

void EngineWorkload::unload(size_t option) { impl_->engines[option].reset(); }

std::optional<bool> EngineWorkload::infer(size_t option, int64_t index) {
  Engine& engine = *impl_->engines.at(option);
  if (!impl_->dataset) {
    engine.run();
    return std::nullopt;
  }
  const auto& samples = impl_->inputs[option];
  const size_t sample = static_cast<size_t>(index) % samples.size();
  int64_t width = 0;
  const auto out = engine.infer(samples[sample], impl_->input_shape(option), &width);
  const auto best = static_cast<int>(std::max_element(out.begin(), out.begin() + width) - out.begin());
  const int label = impl_->dataset->label(sample);
  if (impl_->predictions.is_open()) {
    impl_->predictions << index << ',' << sample << ',' << impl_->labels[option] << ',' << label << ',' << best << ','
                       << (best == label ? 1 : 0) << '\n';
  }
  return best == label;
}

nlohmann::json run_record_json(const RunRequest& request, const RunSetup& setup, const RunReport& report,
                               const MeterInfo& meter, const HostInfo& host, const std::string& input_name) {
  using nlohmann::json;
  auto opt = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  json options = json::array();
  const double elapsed = report.ended_at_s - report.started_at_s;
  for (size_t i = 0; i < setup.plan.options.size(); ++i) {
    const RunOption& o = setup.plan.options[i];
    const OptionUsage& u = report.usage[i];
    options.push_back({
        {"label", o.label},
        {"point_id", o.point_id},
        {"model_path", setup.targets[i].model.path},
        {"stored_energy_j", o.energy_j},
        {"stored_energy_provenance", setup.targets[i].row.energy_provenance +
                                         (setup.plan.rate_qps ? fmt::format(" (derived:rate:{:g})", *setup.plan.rate_qps) : "")},
        {"live_energy_j", u.inferences > 0 ? json(u.live_energy_j) : json(nullptr)},
        {"top1", o.top1},
        {"accuracy_source", o.accuracy_source},
        {"inferences", u.inferences},
        {"share", report.inferences_done > 0 ? static_cast<double>(u.inferences) / static_cast<double>(report.inferences_done) : 0.0},
        {"time_s", u.busy_s},
        {"time_share", elapsed > 0 ? u.busy_s / elapsed : 0.0},
        {"loads", u.loads},
        {"load_s", u.load_s},
        {"correct", u.correct},
        {"labelled", u.labelled},
    });
  }
  json trace = json::array();
  for (const auto& r : report.trace) {
    trace.push_back({{"done", r.done}, {"t_s", r.t_s}, {"spent_j", r.spent_j}, {"reserve", r.reserve},
                     {"cheaper", r.mix.cheaper}, {"dearer", r.mix.dearer}, {"dearer_share", r.mix.dearer_share}});
  }
  const auto labelled = report.labelled();
  json accuracy = nullptr;
  if (labelled > 0) {
    accuracy = {{"top1", 100.0 * static_cast<double>(report.correct()) / static_cast<double>(labelled)},
                {"source", fmt::format("measured:{}:{}", input_name, labelled)}};
  }
  const Mix& m = report.first_mix;
  return {
      {"status", to_string(report.status)},
      {"stop_reason", report.stop_reason},
      {"started_at_utc", utc_iso8601(report.started_at_s)},
      {"ended_at_utc", utc_iso8601(report.ended_at_s)},
      {"duration_s", elapsed},
      {"host", {{"hostname", host.hostname}, {"fingerprint", host.fingerprint()}}},
      {"input", input_name},
      {"budget", {{"energy_j", report.budget_j},
                  {"per_inference_j", report.budget_j / static_cast<double>(report.inferences_planned)},
                  {"described", describe_budget(request, setup.plan)},
                  {"rate_qps", opt(request.rate_qps)},
                  {"latency_limit_ms", opt(request.latency_limit_ms)},
                  {"degrade", request.degrade}}},
      {"energy", {{"energy_j", opt(report.energy_j)},
                  {"budget_use", report.energy_j ? json(*report.energy_j / report.budget_j) : json(nullptr)},
                  {"provenance", meter.provenance},
                  {"meter", meter.name},
                  {"covers", meter.covers},
                  {"why_not_read", report.energy_why_invalid}}},
      {"inferences", {{"planned", report.inferences_planned}, {"done", report.inferences_done}}},
      {"accuracy", accuracy},
      {"plan", {{"from", "stored figures (" + setup.energy_kind + "), accuracy on " + setup.accuracy_dataset},
                {"cheaper", setup.plan.options[m.cheaper].label},
                {"dearer", setup.plan.options[m.dearer].label},
                {"dearer_share", m.dearer_share},
                {"expected_energy_j", m.energy_j},
                {"expected_top1", m.top1},
                {"replans", report.replans}}},
      {"switches", report.switches},
      {"degraded", report.degraded},
      {"degraded_at", report.degraded_at},
      {"latency", {{"p99_ms", opt(report.latency_ms_p99)}, {"over_limit", report.over_latency_limit}}},
      {"options", options},
      {"events", report.events},
      // The re-plans (options by index into "options").
      {"replans", trace},
      {"warnings", setup.warnings},
  };
}

StoredRun stored_run(const nlohmann::json& j) {
  StoredRun r;
  r.started_at_utc = j.at("started_at_utc");
  r.ended_at_utc = j.at("ended_at_utc");
  r.hostname = j.at("host").at("hostname");
  r.host_fingerprint = j.at("host").at("fingerprint");
  r.status = j.at("status");
  r.stop_reason = j.at("stop_reason");
  r.budget_j = j.at("budget").at("energy_j");
  if (!j.at("energy").at("energy_j").is_null()) r.energy_j = j.at("energy").at("energy_j").get<double>();
  r.energy_provenance = j.at("energy").at("provenance");
  r.inferences_planned = j.at("inferences").at("planned");
  r.inferences_done = j.at("inferences").at("done");
  if (!j.at("accuracy").is_null()) {
    r.top1 = j.at("accuracy").at("top1").get<double>();
    r.accuracy_source = j.at("accuracy").at("source");
  }
  r.switches = j.at("switches");
  r.degraded = j.at("degraded");
  r.record_json = j.dump();
  return r;
}

}  // namespace edgejoule
