#pragma once
// The configuration fields beyond the fixed axes (engine, device, precision, batch, threads,
// shape, meter, platform), described once, as llama-bench describes its parameters: one entry
// per knob in core/config_fields.cpp drives profile's sweep flag and its help, the expansion
// of the sweep, the configuration key, the store's column, the result row, the outputs (JSON,
// CSV, Markdown, table labels, HTML) and which engines honour it.
//
// Adding a knob = one entry there + the engine that honours it (reading it from
// EngineOptions::knob and reporting what it applied in EffectiveSettings::knobs).

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace edgejoule {

struct ConfigField {
  std::string name;  // configuration member, key fragment, store column, output name
  std::string flag;  // profile's sweep flag, e.g. "--memory-format"
  std::string help;  // for the flag
  // The values it takes; the first is the default. A configuration at the default leaves the
  // field out of its key, so keys from before the field existed still match.
  std::vector<std::string> values;
  // In a configuration's short form when not at the default: "opt", "cl", "qengine={}" ({} is
  // replaced by the value).
  std::string label;
  // An off/on switch: stored as INTEGER 0/1 and written to JSON as false/true; other fields are
  // stored as text.
  bool is_switch = false;
  // It may change what the model computes (not only how fast): accuracy is measured per value,
  // and the cost model treats each value as its own level.
  bool changes_outputs = false;
  // The engines that honour it; another engine given a value other than the default stores the
  // point UNSUPPORTED with the reason. Empty: every engine (the harness applies it, as the
  // scenario).
  std::vector<std::string> engines;
  // What a value may be beyond `values`: only those (kChoice), or also a positive integer
  // (requests in flight) or a positive number (a rate). Numbers are written to JSON as numbers.
  enum class Accepts { kChoice, kPositiveInteger, kPositiveNumber };
  Accepts accepts = Accepts::kChoice;
  // The field applies only where field `applies_with` takes one of `applies_with_values` (the
  // arrival rate: only in the server scenario); elsewhere a sweep leaves it at its default.
  std::string applies_with;
  std::vector<std::string> applies_with_values;

  const std::string& default_value() const { return values.front(); }
  std::string label_for(const std::string& value) const;  // "" at the default
  bool honoured_by(const std::string& engine) const;
  // `text` checked and in canonical form ("15.0" -> "15"); throws Error (exit 2) naming the flag
  // and what it takes.
  std::string parse_value(const std::string& text) const;
  // The value as a number where it is one ("auto", "none" and choices: nullopt).
  std::optional<double> number(const std::string& value) const;
};

// Every configuration field, in key order.
const std::vector<ConfigField>& config_fields();
// The field called `name`; throws Error for an unknown name.
const ConfigField& config_field(const std::string& name);

// A configuration's knob values by field name; a field absent is at its default.
using KnobValues = std::map<std::string, std::string>;
// The value of `name` in `knobs`, or the field's default.
std::string knob_value(const KnobValues& knobs, const std::string& name);
// " opt cl qengine=fbgemm": the labels of the knobs not at their defaults, each after a space.
std::string knob_labels(const KnobValues& knobs, bool outputs_only = false);
// Whether `field` applies to a configuration with these knobs (its applies_with condition).
bool field_applies(const ConfigField& field, const KnobValues& knobs);
// The knob's value as a number, or nullopt where it has none (rate "none", concurrency "auto").
std::optional<double> knob_number(const KnobValues& knobs, const std::string& name);

// The knobs not at their default that `engine` does not honour ("--optimize on"), for the
// UNSUPPORTED reason.
std::vector<std::string> knobs_not_honoured(const KnobValues& knobs, const std::string& engine);

}  // namespace edgejoule
