// Candidates for a device that serves a given arrival rate (recommend/frontier --rate): the
// server points measured at that rate, and for the configurations without one, the figure
// derived from a back-to-back point (single-stream or offline) and the idle power.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "recommend/recommend.h"

namespace edgejoule {
namespace {

bool is_server(const ResultRow& r) { return knob_value(r.knobs, "scenario") == "server"; }

}  // namespace

std::string served_configuration(const ResultRow& r) {
  Configuration c = configuration_of(r);
  for (const char* field : {"scenario", "concurrency", "rate", "latency_bound_ms"}) c.knobs.erase(field);
  return r.model_sha256 + "|" + r.host_fingerprint + "|" + c.key();
}

namespace {

bool same_rate(double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b)); }

}  // namespace

std::optional<double> derived_energy_at_rate_j(const ResultRow& r, double rate_qps) {
  if (!r.energy_above_idle_j_per_inference || !r.idle_power_w || !r.throughput_sps) return std::nullopt;
  if (rate_qps > *r.throughput_sps) return std::nullopt;
  return *r.energy_above_idle_j_per_inference + *r.idle_power_w / rate_qps;
}

RateCandidates candidates_for_rate(std::vector<Candidate> candidates, std::optional<double> rate_qps) {
  RateCandidates out;
  if (!rate_qps) {
    // In place: a fleet store holds 100,000s of points, and copying each is most of the cost.
    const auto first_server = std::stable_partition(candidates.begin(), candidates.end(),
                                                    [](const Candidate& c) { return !is_server(c.row); });
    const auto server = static_cast<size_t>(candidates.end() - first_server);
    candidates.erase(first_server, candidates.end());
    out.candidates = std::move(candidates);
    if (server) {
      out.notes.push_back(fmt::format(
          "{} server point(s) left out: each answers for its own arrival rate; pass --rate R to choose for a device "
          "serving R inferences/s",
          server));
    }
    return out;
  }
  const double rate = *rate_qps;
  std::set<std::string> measured_here;
  for (const auto& c : candidates) {
    const auto r = knob_number(c.row.knobs, "rate");
    if (is_server(c.row) && r && same_rate(*r, rate)) measured_here.insert(served_configuration(c.row));
  }
  size_t other_rate = 0, too_slow = 0, no_idle = 0, superseded = 0;
  for (auto& c : candidates) {
    if (is_server(c.row)) {
      const auto r = knob_number(c.row.knobs, "rate");
      if (r && same_rate(*r, rate)) {
        out.candidates.push_back(std::move(c));
        ++out.measured_at_rate;
      } else {
        ++other_rate;
      }
      continue;
    }
    if (c.predicted) continue;  // a prediction's energy above idle is not known
    if (measured_here.count(served_configuration(c.row))) {
      ++superseded;
      continue;
    }
    if (c.row.throughput_sps && rate > *c.row.throughput_sps) {
      ++too_slow;
      continue;
    }
    const auto energy = derived_energy_at_rate_j(c.row, rate);
    if (!energy) {
      ++no_idle;
      continue;
    }
    Candidate d = std::move(c);
    // The idle share scales the measurement's spread no further: its CI is the back-to-back one.
    d.energy_j_per_inference = *energy;
    d.row.energy_j_per_inference = *energy;
    d.row.energy_provenance = "derived:rate:" + d.row.energy_provenance;
    d.row.mean_power_w = *energy * rate;
    d.row.accuracy_per_joule = accuracy_per_joule(d.row.top1, *energy);
    out.candidates.push_back(std::move(d));
    ++out.derived;
  }
  if (out.derived) {
    out.notes.push_back(fmt::format(
        "{} point(s) at {:g}/s derived from back-to-back points: energy above idle + idle power / rate "
        "(derived:rate); their latency is the back-to-back one, without queueing",
        out.derived, rate));
  }
  if (superseded) out.notes.push_back(fmt::format("{} back-to-back point(s) not derived: a server point at {:g}/s of the same configuration is measured", superseded, rate));
  if (too_slow) out.notes.push_back(fmt::format("{} point(s) left out: their throughput is below {:g}/s", too_slow, rate));
  if (no_idle) {
    out.notes.push_back(fmt::format("{} point(s) left out: no idle power was measured with them (profiled with "
                                    "--no-idle-baseline or without a meter), so their energy at a rate is unknown",
                                    no_idle));
  }
  if (other_rate) out.notes.push_back(fmt::format("{} server point(s) at other rates left out", other_rate));
  return out;
}

}  // namespace edgejoule
