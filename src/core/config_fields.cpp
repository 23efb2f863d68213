// The table of configuration fields (see core/config_fields.h). One entry per knob.
#include "core/config_fields.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "common/error.h"
#include "common/strings.h"

namespace edgejoule {

const std::vector<ConfigField>& config_fields() {
  using Accepts = ConfigField::Accepts;
  constexpr Accepts kChoice = Accepts::kChoice, kPositiveInteger = Accepts::kPositiveInteger,
                    kPositiveNumber = Accepts::kPositiveNumber;
  static const std::vector<ConfigField> table = {
      {"optimize", "--optimize",
       "Graph optimisation to sweep: off, on (LibTorch: freeze + optimize_for_inference; it speeds up some "
       "models and slows others, so measure it per model)",
       {"off", "on"}, "opt", /*is_switch=*/true, /*changes_outputs=*/true, {"torchscript"}, kChoice, "", {}},
      {"memory_format", "--memory-format",
       "Memory formats to sweep: contiguous, channels_last (NHWC inputs and 4-D weights; LibTorch)",
       {"contiguous", "channels_last"}, "cl", false, /*changes_outputs=*/true, {"torchscript"}, kChoice, "", {}},
      {"qengine", "--qengine",
       "LibTorch's int8 kernel libraries to sweep: auto (FBGEMM, else oneDNN, else QNNPACK: what this LibTorch "
       "has), fbgemm, onednn, qnnpack; int8 only, others are UNSUPPORTED for fp32/bf16/fp16",
       {"auto", "fbgemm", "onednn", "qnnpack"}, "q:{}", false, /*changes_outputs=*/true, {"torchscript"}, kChoice, "",
       {}},
      {"ov_hint", "--ov-hint",
       "OpenVINO performance hints to sweep: latency (one request at a time, as edgejoule measures), throughput "
       "(parallel streams for many requests)",
       {"latency", "throughput"}, "hint:{}", false, false, {"openvino"}, kChoice, "", {}},
      {"ov_streams", "--ov-streams",
       "OpenVINO inference streams to sweep: auto (what the hint chooses), 1, 2, 4, 8",
       {"auto", "1", "2", "4", "8"}, "streams:{}", false, false, {"openvino"}, kChoice, "", {}},
      {"ort_graph_opt", "--ort-graph-opt",
       "ONNX Runtime graph optimisation levels to sweep: all (its default: layout and hardware-specific fusions "
       "too), extended, basic (constant folding, redundant nodes), disable",
       {"all", "extended", "basic", "disable"}, "gopt:{}", false, false, {"onnxruntime"}, kChoice, "", {}},
      {"ort_execution_mode", "--ort-execution-mode",
       "ONNX Runtime execution modes to sweep: sequential (one operator at a time, each over the intra-op "
       "threads), parallel (independent branches at once over --ort-inter-threads)",
       {"sequential", "parallel"}, "exec:{}", false, false, {"onnxruntime"}, kChoice, "", {}},
      {"ort_inter_threads", "--ort-inter-threads",
       "ONNX Runtime inter-op threads with --ort-execution-mode parallel: N or auto (the configuration's threads)",
       {"auto"}, "inter:{}", false, false, {"onnxruntime"}, kPositiveInteger, "ort_execution_mode", {"parallel"}},
      // How the device is used (MLPerf loadgen's scenarios, docs/protocol.md). Every engine runs
      // them: the harness issues the requests, the engine only runs them concurrently.
      {"scenario", "--scenario",
       "Scenarios to sweep: single-stream (one inference after another), offline (--concurrency requests in "
       "flight, back to back: samples/s and energy per sample), server (Poisson arrivals at --rate queries/s; "
       "latency from the arrival, queueing included; energy over the whole window, idle gaps included)",
       {"single-stream", "offline", "server"}, "{}", false, false, {}, kChoice, "", {}},
      {"concurrency", "--concurrency",
       "Offline and server: requests in flight, N or auto (the engine's own optimum, e.g. OpenVINO's "
       "optimal_number_of_infer_requests; the number of threads for LibTorch and OpenCV)",
       {"1", "auto"}, "x{}", false, false, {}, kPositiveInteger, "scenario",
       {"offline", "server"}},
      {"rate", "--rate", "Server: queries per second arriving (Poisson, seeded by --arrival-seed)", {"none"},
       "{}/s", false, false, {}, kPositiveNumber, "scenario", {"server"}},
      {"latency_bound_ms", "--latency-bound-ms",
       "Server: a point is VALID only if its p99 latency, queueing included, is within this many ms (MLPerf's "
       "Server rule)",
       {"none"}, "p99<={}ms", false, false, {}, kPositiveNumber, "scenario", {"server"}},
  };
  return table;
}

const ConfigField& config_field(const std::string& name) {
  const auto& table = config_fields();
  const auto it = std::find_if(table.begin(), table.end(), [&](const ConfigField& f) { return f.name == name; });
  if (it == table.end()) throw Error("unknown configuration field '" + name + "'", exit_code::kFailure);
  return *it;
}

std::string ConfigField::label_for(const std::string& value) const {
  if (value == default_value()) return "";
  std::string out = label;
  if (const auto pos = out.find("{}"); pos != std::string::npos) out.replace(pos, 2, value);
  return out;
}

bool ConfigField::honoured_by(const std::string& engine) const {
  return engines.empty() || std::find(engines.begin(), engines.end(), engine) != engines.end();
}

std::string ConfigField::parse_value(const std::string& raw) const {
  const std::string text = trim(raw);
  if (std::find(values.begin(), values.end(), text) != values.end()) return text;
  const std::string named = join(values, ", ");
  if (accepts == Accepts::kPositiveInteger) {
    const auto n = parse_int(text);
    if (!n || *n < 1 || *n > 4096) {
      throw Error("invalid value '" + text + "' for " + flag + ": give a whole number from 1 to 4096, or " + named);
    }
    return std::to_string(*n);
  }
  if (accepts == Accepts::kPositiveNumber) {
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v) || v <= 0) {
      throw Error("invalid value '" + text + "' for " + flag + ": give a number above 0 (e.g. 15 or 2.5)");
    }
    return fmt::format("{:g}", v);
  }
  throw Error("unknown value '" + text + "' for " + flag + ": choose from " + named);
}

std::optional<double> ConfigField::number(const std::string& value) const {
  if (accepts == Accepts::kChoice) return std::nullopt;
  if (std::find(values.begin(), values.end(), value) != values.end() && !parse_int(value)) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(value.c_str(), &end);
  if (value.empty() || end != value.c_str() + value.size()) return std::nullopt;
  return v;
}

bool field_applies(const ConfigField& field, const KnobValues& knobs) {
  if (field.applies_with.empty()) return true;
  const std::string value = knob_value(knobs, field.applies_with);
  return std::find(field.applies_with_values.begin(), field.applies_with_values.end(), value) !=
         field.applies_with_values.end();
}

std::optional<double> knob_number(const KnobValues& knobs, const std::string& name) {
  const ConfigField& field = config_field(name);
  return field.number(knob_value(knobs, name));
}

std::string knob_value(const KnobValues& knobs, const std::string& name) {
  const auto it = knobs.find(name);
  return it == knobs.end() ? config_field(name).default_value() : it->second;
}

std::string knob_labels(const KnobValues& knobs, bool outputs_only) {
  std::string out;
  for (const auto& field : config_fields()) {
    if (outputs_only && !field.changes_outputs) continue;
    const auto it = knobs.find(field.name);
    if (it == knobs.end()) continue;  // at its default, which has no label
    const std::string label = field.label_for(it->second);
    if (!label.empty()) out += " " + label;
  }
  return out;
}

std::vector<std::string> knobs_not_honoured(const KnobValues& knobs, const std::string& engine) {
  std::vector<std::string> out;
  for (const auto& field : config_fields()) {
    const std::string value = knob_value(knobs, field.name);
    if (value == field.default_value()) continue;
    if (!field.honoured_by(engine)) {
      out.push_back(field.flag + " " + value + " (honoured by " + join(field.engines, ", ") + ")");
    }
  }
  return out;
}

}  // namespace edgejoule
