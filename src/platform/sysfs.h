#pragma once
// Reading sysfs values under a root directory, with the reason when it fails.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/strings.h"  // under_root

namespace edgejoule {

struct SysfsValue {
  std::optional<unsigned long long> value;
  std::string error;  // "permission denied", "missing", "not a number: 'abc'"
  bool permission_denied = false;
};

// Reads one unsigned integer from a sysfs-style file ("12345\n").
SysfsValue read_sysfs_u64(const std::string& path);
// The parsing part: surrounding whitespace allowed, digits only, fits 64 bits.
SysfsValue parse_sysfs_u64(std::string_view text);
std::optional<std::string> read_sysfs_text(const std::string& path);

}  // namespace edgejoule
