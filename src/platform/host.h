#pragma once
// Probing the machine a point is measured on (the HostInfo type is in core/host.h).

#include <string>

#include "core/host.h"

namespace edgejoule {

// Reads /proc and /etc under `root` ("/" normally; tests point it at a fake tree).
HostInfo probe_host(const std::string& root = "/");

// The BLAS this process has mapped, from /proc/self/maps (not the build's claim: Debian's
// LibTorch says "generic" and uses whatever libblas.so.3 the alternatives point to).
BlasInfo detect_blas(const std::string& proc_maps_path = "/proc/self/maps");
BlasInfo classify_blas_path(const std::string& resolved_path);

}  // namespace edgejoule
