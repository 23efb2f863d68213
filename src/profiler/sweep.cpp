#include "profiler/sweep.h"

#include <algorithm>

#include "common/error.h"
#include "common/strings.h"

namespace edgejoule {
namespace {

constexpr size_t kMaxListLength = 4096;
constexpr int64_t kMaxValue = 1 << 20;

[[noreturn]] void bad_list(std::string_view flag, std::string_view text, const std::string& why) {
  throw Error("invalid value '" + std::string(text) + "' for " + std::string(flag) + ": " + why +
              " (examples: 1,8,32  1-4  1-64*2  8-32+8)");
}

int64_t parse_positive(std::string_view flag, std::string_view text, std::string_view token) {
  const auto value = parse_int(token);
  if (!value) bad_list(flag, text, "'" + std::string(token) + "' is not an integer");
  if (*value <= 0) bad_list(flag, text, "values must be positive");
  if (*value > kMaxValue) bad_list(flag, text, "values must be at most " + std::to_string(kMaxValue));
  return *value;
}

// Every combination of the configuration fields' swept values, the table's last field innermost.
std::vector<KnobValues> knob_combinations(const SweepLists& lists) {
  std::vector<KnobValues> out{KnobValues{}};
  for (const auto& field : config_fields()) {
    const auto it = lists.knobs.find(field.name);
    const std::vector<std::string> values =
        it == lists.knobs.end() || it->second.empty() ? std::vector<std::string>{field.default_value()} : it->second;
    std::vector<KnobValues> next;
    for (const auto& partial : out) {
      // A field that does not apply here (the rate outside the server scenario) stays at its
      // default: one configuration, not one per value.
      const bool applies = field_applies(field, partial);
      for (const auto& value : values) {
        KnobValues k = partial;
        if (applies && value != field.default_value()) k[field.name] = value;
        if (std::find(next.begin(), next.end(), k) == next.end()) next.push_back(std::move(k));
      }
    }
    out = std::move(next);
  }
  return out;
}

// A field given values it never takes (the rate without the server scenario), or a server
// without a rate: the user's to fix, before anything runs.
void check_fields(const SweepLists& lists, const std::vector<KnobValues>& combinations) {
  for (const auto& [name, values] : lists.knobs) {
    const ConfigField& field = config_field(name);
    const bool given = std::any_of(values.begin(), values.end(),
                                   [&](const std::string& v) { return v != field.default_value(); });
    if (!given || field.applies_with.empty()) continue;
    const bool used = std::any_of(combinations.begin(), combinations.end(),
                                  [&](const KnobValues& k) { return field_applies(field, k); });
    if (!used) {
      std::vector<std::string> with;
      for (const auto& v : field.applies_with_values) with.push_back(config_field(field.applies_with).flag + " " + v);
      throw Error(field.flag + " applies only with " + join(with, " or ") + ": add it, or drop " + field.flag);
    }
  }
  for (const auto& k : combinations) {
    if (knob_value(k, "scenario") == "server" && !knob_number(k, "rate")) {
      throw Error("--scenario server needs --rate R, the queries per second arriving (e.g. --rate 15)");
    }
  }
}

}  // namespace

std::vector<int> parse_int_list(std::string_view text, std::string_view flag) {
  if (trim(text).empty()) bad_list(flag, text, "the list is empty");
  std::vector<int> values;
  auto push = [&](int64_t v) {
    if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(int(v));
    if (values.size() > kMaxListLength) bad_list(flag, text, "the list is too long");
  };
  for (const auto& raw : split(text, ',')) {
    const std::string item = trim(raw);
    const auto dash = item.find('-', 1);
    if (dash == std::string::npos) {
      push(parse_positive(flag, text, item));
      continue;
    }
    const int64_t first = parse_positive(flag, text, item.substr(0, dash));
    std::string rest = item.substr(dash + 1);
    char op = '+';
    int64_t step = 1;
    if (const auto pos = rest.find_first_of("*+"); pos != std::string::npos) {
      op = rest[pos];
      step = parse_positive(flag, text, rest.substr(pos + 1));
      rest = rest.substr(0, pos);
    }
    const int64_t last = parse_positive(flag, text, rest);
    if (last < first) bad_list(flag, text, "a range must go upwards");
    if (op == '*' && step < 2) bad_list(flag, text, "a geometric step must be at least 2");
    for (int64_t v = first; v <= last; v = (op == '*') ? v * step : v + step) push(v);
  }
  return values;
}

std::vector<std::string> parse_name_list(std::string_view text, std::string_view flag,
                                         const std::vector<std::string>& allowed) {
  std::vector<std::string> names;
  for (const auto& raw : split(text, ',')) {
    const std::string name = trim(raw);
    if (name.empty()) {
      throw Error("invalid value '" + std::string(text) + "' for " + std::string(flag) +
                  ": empty item in the list");
    }
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      throw Error("unknown value '" + name + "' for " + std::string(flag) + ": choose from " +
                  join(allowed, ", "));
    }
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

std::vector<std::string> parse_field_list(std::string_view text, const ConfigField& field) {
  std::vector<std::string> values;
  for (const auto& raw : split(text, ',')) {
    if (trim(raw).empty()) {
      throw Error("invalid value '" + std::string(text) + "' for " + field.flag + ": empty item in the list");
    }
    const std::string value = field.parse_value(raw);
    if (std::find(values.begin(), values.end(), value) == values.end()) values.push_back(value);
  }
  return values;
}

std::vector<Configuration> expand(const SweepLists& lists, const std::vector<int64_t>& sample_shape) {
  const std::vector<KnobValues> combinations = knob_combinations(lists);
  check_fields(lists, combinations);
  std::vector<Configuration> configs;
  for (const auto& platform : lists.platforms)
    for (const auto& engine : lists.engines)
      for (const auto& device : lists.devices)
        for (const auto& precision : lists.precisions)
          for (int batch : lists.batches)
            for (int threads : lists.threads)
              for (const auto& knobs : combinations) {
                Configuration c;
                c.platform = platform;
                c.engine = engine;
                c.device = device;
                c.precision = precision;
                c.batch = batch;
                c.threads = threads;
                c.knobs = knobs;
                c.sample_shape = sample_shape;
                configs.push_back(std::move(c));
              }
  return configs;
}

}  // namespace edgejoule
