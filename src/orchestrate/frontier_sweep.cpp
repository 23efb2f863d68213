#include "orchestrate/frontier_sweep.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "common/strings.h"
#include "predict/graph_model.h"
#include "predict/predictor.h"
#include "predict/transfer_model.h"
#include "recommend/frontier_plan.h"

namespace edgejoule {
namespace {

// What the cost models see of a point not measured yet: the model and configuration as stored.
ResultRow query_row(const SweepItem& item, const HostInfo& host) {
  ResultRow r;
  r.model = item.model.name;
  r.family = item.model.family;
  r.model_path = item.model.path;
  r.model_sha256 = item.model.content_sha256;
  r.flops = item.model.flops;
  r.params = item.model.params;
  r.top1 = item.model.top1;
  r.accuracy_source = item.model.accuracy_source;
  r.accuracy_dataset = item.model.accuracy_dataset;
  r.engine = item.config.engine;
  r.device = item.config.device;
  r.precision = item.config.precision;
  r.batch = item.config.batch;
  r.threads = item.config.threads;
  r.sample_shape = format_shape(item.config.sample_shape);
  r.knobs = item.config.knobs;
  r.platform = item.config.platform;
  r.config_meter = item.config.meter;
  r.hostname = host.hostname;
  r.host_fingerprint = host.fingerprint();
  return r;
}

// The smallest, median and largest model by FLOPs, at every configuration: what the
// configuration ratios and the cost models start from (kSpread). The same three models
// everywhere (by name: each engine runs its own file of a model), chosen among the models every
// configuration can run where there are three such. With kReference, also every model at the
// reference configuration (the smallest batch, then the most threads).
std::set<size_t> anchors(const std::vector<SweepItem>& items, AnchorPolicy policy) {
  std::map<std::string, std::vector<size_t>> by_config;
  std::map<std::string, size_t> runnable;   // model name -> configurations that can run it
  std::map<std::string, int64_t> flops_of;  // model name -> FLOPs (its first file's)
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].unsupported_reason.empty()) continue;
    by_config[items[i].config.key()].push_back(i);
    ++runnable[items[i].model.name];
    flops_of.emplace(items[i].model.name, items[i].model.flops.value_or(0));
  }
  std::set<size_t> out;
  if (by_config.empty()) return out;
  std::vector<std::string> names;
  for (const auto& [name, configs] : runnable) {
    if (configs == by_config.size()) names.push_back(name);
  }
  if (names.size() < 3) {
    names.clear();
    for (const auto& entry : runnable) names.push_back(entry.first);
  }
  std::sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
    return std::make_pair(flops_of[a], a) < std::make_pair(flops_of[b], b);
  });
  const std::set<std::string> chosen = {names.front(), names[names.size() / 2], names.back()};
  const auto reference = std::min_element(by_config.begin(), by_config.end(), [&](const auto& a, const auto& b) {
    const Configuration& x = items[a.second.front()].config;
    const Configuration& y = items[b.second.front()].config;
    return std::make_pair(x.batch, -x.threads) < std::make_pair(y.batch, -y.threads);
  });
  for (const auto& [key, members] : by_config) {
    for (size_t i : members) {
      if (chosen.count(items[i].model.name) || (policy == AnchorPolicy::kReference && key == reference->first)) {
        out.insert(i);
      }
    }
  }
  return out;
}

void add(SweepOutcome& total, const SweepOutcome& part) {
  total.measured += part.measured;
  total.unsupported += part.unsupported;
  total.skipped += part.skipped;
  total.failures.insert(total.failures.end(), part.failures.begin(), part.failures.end());
  total.interrupted = total.interrupted || part.interrupted;
}

}  // namespace

FrontierSweepResult run_frontier_sweep(const std::vector<SweepItem>& items, Store& store, const HostInfo& host,
                                       const MeasureRound& measure, const FrontierSweepSettings& settings) {
  FrontierSweepResult result;
  result.planned = items.size();
  const std::set<size_t> anchor = anchors(items, settings.anchors);
  std::vector<ModelInfo> models;
  for (const auto& item : items) models.push_back(item.model);
  const GraphFeatureMap features = graph_features_of(models);
  std::set<size_t> attempted;  // run in this sweep, whatever came of it
  RowFilter filter;
  filter.host_fingerprint = host.fingerprint();

  for (;; ++result.rounds) {
    // What the store holds for this host now (earlier runs included: that is the resume).
    std::map<std::pair<std::string, std::string>, ResultRow> stored;
    std::vector<ResultRow> valid;
    for (auto& row : store.rows(filter)) {
      if (row.status == Verdict::kValid && row.energy_j_per_inference) valid.push_back(row);
      stored.emplace(std::make_pair(row.model_sha256, configuration_of(row).key()), std::move(row));
    }
    std::string why;
    const auto baseline = train_predictor(valid, &why);
    const TransferModel transfer = TransferModel::fit(valid);
    const GraphCostModel graph = GraphCostModel::fit(valid, features);
    const GraphCrossValidation graph_cv = cross_validate_graph(valid, features);
    double baseline_margin = 0;
    if (baseline) {
      auto errors = baseline->leave_one_model_out.energy_errors_pct;
      const auto& loco = baseline->leave_one_configuration_out.energy_errors_pct;
      errors.insert(errors.end(), loco.begin(), loco.end());
      baseline_margin = ErrorDistribution::of(errors).p90_pct / 100;
    }
    const double graph_margin = graph_cv.energy.p90_pct / 100;

    std::vector<PlannedPoint> points;
    // Beside each point: its item, and for a predicted one the cost model, what that model
    // predicted from (the transfer model's measured configuration) and the latency p50 per call.
    struct Origin {
      size_t item = 0;
      std::string predictor, basis;
      std::optional<double> latency_ms;
      std::string label() const { return basis.empty() ? predictor : predictor + ", " + basis; }
    };
    std::vector<Origin> origin;
    for (size_t i = 0; i < items.size(); ++i) {
      const SweepItem& item = items[i];
      if (!item.unsupported_reason.empty()) {
        if (!attempted.count(i) && !stored.count({item.model.content_sha256, item.config.key()})) {
          // Stored UNSUPPORTED on the first round, with its reason, as a grid sweep does.
          points.push_back({});
          origin.push_back({i});
        }
        continue;
      }
      const auto it = stored.find({item.model.content_sha256, item.config.key()});
      PlannedPoint p;
      p.group = item.model.name;
      p.anchor = anchor.count(i) > 0;
      if (it != stored.end()) {
        if (it->second.status != Verdict::kValid || !it->second.energy_j_per_inference) continue;  // tried: not a candidate
        if (!it->second.top1) continue;  // no accuracy: not on the accuracy frontier
        p.top1 = *it->second.top1;
        p.measured_energy_j = it->second.energy_j_per_inference;
        points.push_back(p);
        origin.push_back({i});
        continue;
      }
      if (attempted.count(i)) continue;  // failed in this sweep: not again
      p.top1 = item.model.top1.value_or(0);
      Origin from{i};
      if (item.model.top1 && !p.anchor) {
        const ResultRow query = query_row(item, host);
        // Every model that can predict the point offers its prediction with its own
        // cross-validated margin; the tightest is taken.
        auto offer = [&](double energy_j, double latency, double margin, const std::string& by,
                         const std::string& basis = "") {
          if (p.predicted_energy_j && margin >= p.margin) return;
          p.predicted_energy_j = energy_j;
          p.margin = margin;
          from = {i, by, basis, latency};
        };
        if (const auto t = transfer.predict(query)) {
          offer(t->energy_j, t->latency_p50_ms, t->margin, TransferModel::name(),
                fmt::format("from its point at {}, over {} reference models", t->from_config, t->reference_models));
        }
        if (const auto g = graph.predict(query, features); g && graph_cv.energy.points >= 5) {
          offer(g->energy_j, g->latency_p50_ms, graph_margin, GraphCostModel::name());
        }
        if (baseline) {
          if (const auto b = baseline->model.predict(query)) {
            offer(b->energy_j, b->latency_p50_ms, baseline_margin, baseline->model.name());
          }
        }
      }
      points.push_back(p);
      origin.push_back(from);
    }

    const FrontierPlan plan = plan_frontier(points, settings.round_size, settings.max_budget_j, settings.tolerance);
    if (plan.settled) {
      result.settled = true;
      std::vector<PredictionRecord> predicted;
      auto skip = [&](const std::vector<size_t>& list, const char* why_skipped) {
        for (size_t k : list) {
          const Origin& o = origin[k];
          const SweepItem& item = items[o.item];
          const ResultRow q = query_row(item, host);
          result.skipped.push_back({q.model + " " + configuration_label(q), points[k].top1,
                                    *points[k].predicted_energy_j, points[k].margin, why_skipped, o.label()});
          predicted.push_back({item.model, item.config, o.predictor, *points[k].predicted_energy_j, o.latency_ms,
                               points[k].margin,
                               o.basis.empty() ? why_skipped : std::string(why_skipped) + " (" + o.basis + ")"});
        }
      };
      skip(plan.cannot_enter, "dominated by a measured point even at its optimistic energy");
      skip(plan.beyond_budgets, "over the largest budget even at its optimistic energy");
      // Stored apart from the measured points (a table of their own), so 'list --status
      // PREDICTED' shows them and no reader takes one for a measurement.
      store.save_predictions(predicted, host);
      break;
    }
    if (settings.progress) {
      size_t stored_now = 0;
      for (const auto& item : items) stored_now += stored.count({item.model.content_sha256, item.config.key()});
      const size_t open = points.size() - plan.cannot_enter.size() - plan.beyond_budgets.size() -
                          static_cast<size_t>(std::count_if(points.begin(), points.end(), [](const PlannedPoint& p) {
                            return p.measured_energy_j.has_value();
                          }));
      std::fprintf(settings.progress, "frontier round %zu: %zu of %zu grid point(s) stored, %zu could still enter\n",
                   result.rounds + 1, stored_now, items.size(), open);
      for (size_t k : plan.measure_next) {
        const SweepItem& item = items[origin[k].item];
        const std::string why =
            !item.unsupported_reason.empty() ? "stored UNSUPPORTED"
            : points[k].anchor               ? "anchor"
            : !points[k].predicted_energy_j  ? "no cost model can predict it yet"
                                             : fmt::format("predicted {:.3g} J +-{:.0f} % by {}", *points[k].predicted_energy_j,
                                                           points[k].margin * 100, origin[k].predictor);
        std::fprintf(settings.progress, "  next: %s %s (%s)\n", item.model.name.c_str(), item.config.describe().c_str(),
                     why.c_str());
      }
    }
    std::vector<SweepItem> round;
    for (size_t k : plan.measure_next) {
      attempted.insert(origin[k].item);
      round.push_back(items[origin[k].item]);
    }
    add(result.outcome, measure(round));
    if (result.outcome.interrupted) break;
  }
  return result;
}

void write_skipped(std::FILE* out, const FrontierSweepResult& result) {
  if (!result.settled) return;
  const size_t measured = result.planned - result.skipped.size();
  std::fprintf(out, "frontier settled after %zu round(s): %zu of %zu grid point(s) stored, %zu left unmeasured\n",
               result.rounds, measured, result.planned, result.skipped.size());
  for (const auto& s : result.skipped) {
    std::fprintf(out, "  PREDICTED %-44s top-1 %5.2f %%  %s/inference +-%.0f %%  (%s; %s)\n", s.label.c_str(), s.top1,
                 fmt::format("{:.3g} J", s.predicted_energy_j).c_str(), s.margin * 100, s.why.c_str(), s.model.c_str());
  }
}

}  // namespace edgejoule
