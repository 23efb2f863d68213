#pragma once
// List-valued settings (llama-bench style): every sweep flag takes a list, "1,8,32", a range
// "1-4" (step 1), "1-64*2" (geometric) or "8-32+8" (arithmetic), and the sweep runs every
// combination.

#include <cstdint>
#include <string>
#include <string_view>
#include <map>
#include <vector>

#include "core/configuration.h"

namespace edgejoule {

// Throws Error naming `flag` on bad syntax, non-positive values or absurdly long lists.
std::vector<int> parse_int_list(std::string_view text, std::string_view flag);
// Comma-separated, trimmed, de-duplicated (first occurrence wins); each must be in `allowed`
// when `allowed` is not empty.
std::vector<std::string> parse_name_list(std::string_view text, std::string_view flag,
                                         const std::vector<std::string>& allowed = {});

// A configuration field's list ("1,auto", "5,10.5"), each value checked and canonical
// (ConfigField::parse_value); throws Error naming the flag.
std::vector<std::string> parse_field_list(std::string_view text, const ConfigField& field);

struct SweepLists {
  std::vector<std::string> engines{kDefaultEngine};
  std::vector<std::string> devices{"cpu"};
  std::vector<std::string> precisions{"fp32"};
  std::vector<int> batches{1};
  std::vector<int> threads{1};
  // Per configuration field (core/config_fields.h): the values to sweep; a field absent is
  // swept at its default only.
  std::map<std::string, std::vector<std::string>> knobs;
  std::vector<std::string> platforms{""};  // canonical platform settings, "" = as it is
};

// Expands the lists for one model (platform outermost, then engine, device, precision, batch,
// threads, then the configuration fields in the table's order, the last innermost). A field
// that does not apply to a combination (core/config_fields.h, applies_with) stays at its default
// there. Throws Error (exit 2) for a field given only where it never applies (--rate without
// --scenario server) and for a server scenario without a rate.
std::vector<Configuration> expand(const SweepLists& lists, const std::vector<int64_t>& sample_shape);

}  // namespace edgejoule
