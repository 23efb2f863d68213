#pragma once
// Facts about the machine a point was measured on. The store keys points by host, so another
// BLAS or another machine is a different host and is measured anew. Engine versions are not part
// of the host: each point keys its own engine's version, so building one more engine in changes
// no host (store schema v5 re-keyed the hosts of older stores).

#include <cstdint>
#include <string>

namespace edgejoule {

struct BlasInfo {
  std::string name;        // "openblas-openmp", "openblas-pthread", "reference", "mkl", "unknown"
  std::string library;     // resolved path of the BLAS shared library loaded in this process
  bool is_reference = false;
};

struct HostInfo {
  std::string hostname;
  std::string cpu_model;
  int cpu_cores = 0;          // logical CPUs online
  int64_t memory_mb = 0;
  std::string os;
  std::string kernel;
  std::string gpu_name;       // empty when none is used
  std::string gpu_driver;
  std::string engine_versions;  // e.g. "torchscript=libtorch 1.13.0" (information only)
  BlasInfo blas;
  std::string fingerprint() const;  // sha256 over every field above but engine_versions
  // What makes devices interchangeable for a shared sweep (the fleet queue) and one device type
  // in fleet views: "CPU MODEL, N CPUs, M GiB" (+ ", GPU" when one is used). Not the host name,
  // OS or kernel: ten identical boards are one class.
  std::string device_class() const;
};

}  // namespace edgejoule
