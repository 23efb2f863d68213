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

}  // namespace edgejoule
