#include "core/records.h"

#include <ctime>

#include <nlohmann/json.hpp>

#include "core/result_row.h"

namespace edgejoule {

void to_json(nlohmann::json& j, const ProtocolSettings& p) {
  j = {{"warmup_s", p.warmup_s},
       {"warmup_min_iterations", p.warmup_min_iterations},
       {"min_time_s", p.min_time_s},
       {"min_window_iterations", p.min_window_iterations},
       {"repetitions", p.repetitions},
       {"max_cv", p.max_cv},
       {"meter_periods_per_window", p.meter_periods_per_window},
       {"idle_baseline", p.idle_baseline},
       {"arrival_seed", p.arrival_seed}};
}

void to_json(nlohmann::json& j, const EffectiveSettings& e) {
  j = {{"engine", e.engine},       {"engine_version", e.engine_version},
       {"device", e.device},       {"device_name", e.device_name},
       {"precision", e.precision}, {"threads", e.threads},
       {"backend", e.backend},     {"requests", e.requests},
       {"threads_per_request", e.threads_per_request}};
  for (const auto& field : config_fields()) {
    if (const auto it = e.knobs.find(field.name); it != e.knobs.end()) j[field.name] = knob_json(field, it->second);
  }
}

void from_json(const nlohmann::json& j, ProtocolSettings& p) {
  j.at("warmup_s").get_to(p.warmup_s);
  j.at("warmup_min_iterations").get_to(p.warmup_min_iterations);
  j.at("min_time_s").get_to(p.min_time_s);
  j.at("min_window_iterations").get_to(p.min_window_iterations);
  j.at("repetitions").get_to(p.repetitions);
  j.at("max_cv").get_to(p.max_cv);
  j.at("meter_periods_per_window").get_to(p.meter_periods_per_window);
  j.at("idle_baseline").get_to(p.idle_baseline);
  // Settings stored before the server scenario existed have no seed: they never drew arrivals.
  if (const auto it = j.find("arrival_seed"); it != j.end()) it->get_to(p.arrival_seed);
}

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::kValid: return "VALID";
    case Verdict::kInvalid: return "INVALID";
    case Verdict::kUnsupported: return "UNSUPPORTED";
    case Verdict::kPredicted: return "PREDICTED";
  }
  return "?";
}

std::optional<Verdict> verdict_from_string(const std::string& text) {
  if (text == "VALID") return Verdict::kValid;
  if (text == "INVALID") return Verdict::kInvalid;
  if (text == "UNSUPPORTED") return Verdict::kUnsupported;
  return std::nullopt;
}

std::string utc_now_iso8601() { return utc_iso8601(static_cast<double>(std::time(nullptr))); }

std::string utc_iso8601(double unix_s) {
  const auto t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace edgejoule
