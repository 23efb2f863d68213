#include "core/host.h"

#include "common/sha256.h"

namespace edgejoule {

std::string HostInfo::fingerprint() const {
  Sha256 hash;
  for (const std::string& field :
       {hostname, cpu_model, std::to_string(cpu_cores), std::to_string(memory_mb), os, kernel,
        gpu_name, gpu_driver, blas.name, blas.library}) {
    hash.update(field);
    hash.update("\x1f", 1);
  }
  return hash.hex_digest();
}

std::string HostInfo::device_class() const {
  // MemTotal differs by a few MB between boards of one model: whole GiB, rounded.
  const int64_t gib = (memory_mb + 512) / 1024;
  std::string out = (cpu_model.empty() ? "unknown CPU" : cpu_model) + ", " + std::to_string(cpu_cores) + " CPUs, " +
                    std::to_string(gib) + " GiB";
  if (!gpu_name.empty()) out += ", " + gpu_name;
  return out;
}

}  // namespace edgejoule
