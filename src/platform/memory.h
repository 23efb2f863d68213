#pragma once
// The process's peak resident memory, per point: Linux keeps a high-water mark (VmHWM) that
// writing "5" to /proc/self/clear_refs resets, so each point's peak excludes the ones before.

#include <optional>
#include <string>

namespace edgejoule {

// Resets the high-water mark; false where the kernel does not offer it (then the next peak
// includes everything before, and callers must not report it as the point's own).
bool reset_peak_rss(const std::string& proc_self = "/proc/self");

// VmHWM in MiB, or nullopt where /proc does not say.
std::optional<double> peak_rss_mb(const std::string& proc_self = "/proc/self");

}  // namespace edgejoule
