#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edgejoule {

std::string trim(std::string_view text);
std::vector<std::string> split(std::string_view text, char separator);
// The parts with `separator` between them ("" for none).
std::string join(const std::vector<std::string>& parts, std::string_view separator);
bool starts_with(std::string_view text, std::string_view prefix);
bool ends_with(std::string_view text, std::string_view suffix);
// ASCII case conversion (sysfs labels, device names, file extensions).
std::string to_upper(std::string text);
std::string to_lower(std::string text);

// Strict number parsing: the whole text must be the number (no trailing junk, no overflow).
std::optional<int64_t> parse_int(std::string_view text);
std::optional<double> parse_double(std::string_view text);

// "1x3x224x224" <-> {1,3,224,224}. Throws Error naming `what` on bad text.
std::vector<int64_t> parse_shape(std::string_view text, std::string_view what);
std::string format_shape(const std::vector<int64_t>& shape);

// `absolute_path` read under `root` ("/" normally; tests and --sysfs-root point elsewhere).
std::string under_root(const std::string& root, const std::string& absolute_path);

// Reads a whole file; std::nullopt when it cannot be opened.
std::optional<std::string> read_file(const std::string& path);

// A URI fit to print: "scheme://user:secret@host/db" -> "scheme://user:***@host/db", and a
// "password=..." parameter masked the same way. Anything else is returned as it is.
std::string redact_uri(const std::string& uri);

}  // namespace edgejoule
