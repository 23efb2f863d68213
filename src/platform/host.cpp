#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "common/sha256.h"
#include "common/strings.h"
#include "platform/host.h"

namespace edgejoule {
namespace {

std::string cpuinfo_model(const std::string& text) {
  for (const auto& line : split(text, '\n')) {
    // x86: "model name"; ARM (Jetson, Pi): "Model" or "Hardware".
    for (const char* key : {"model name", "Model", "Hardware"}) {
      if (starts_with(line, key)) {
        const auto colon = line.find(':');
        if (colon != std::string::npos) return trim(line.substr(colon + 1));
      }
    }
  }
  return "unknown";
}

int count_cpus(const std::string& text) {
  int n = 0;
  for (const auto& line : split(text, '\n')) {
    if (starts_with(line, "processor")) ++n;
  }
  return n;
}

int64_t meminfo_total_mb(const std::string& text) {
  for (const auto& line : split(text, '\n')) {
    if (starts_with(line, "MemTotal:")) {
      const auto fields = split(trim(line.substr(9)), ' ');
      if (auto kb = parse_int(fields.front())) return *kb / 1024;
    }
  }
  return 0;
}

std::string os_pretty_name(const std::string& text) {
  for (const auto& line : split(text, '\n')) {
    if (starts_with(line, "PRETTY_NAME=")) {
      std::string value = trim(line.substr(12));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return value;
    }
  }
  return "unknown";
}

}  // namespace

HostInfo probe_host(const std::string& root) {
  HostInfo host;
  const auto cpuinfo = read_file(under_root(root, "/proc/cpuinfo")).value_or("");
  host.cpu_model = cpuinfo_model(cpuinfo);
  host.cpu_cores = count_cpus(cpuinfo);
  if (host.cpu_cores == 0) host.cpu_cores = static_cast<int>(std::thread::hardware_concurrency());
  host.memory_mb = meminfo_total_mb(read_file(under_root(root, "/proc/meminfo")).value_or(""));
  host.os = os_pretty_name(read_file(under_root(root, "/etc/os-release")).value_or(""));
  if (root == "/") {
    char name[256] = {};
    if (gethostname(name, sizeof(name) - 1) == 0) host.hostname = name;
    utsname uts{};
    if (uname(&uts) == 0) host.kernel = std::string(uts.sysname) + " " + uts.release;
  } else {
    host.hostname = trim(read_file(under_root(root, "/etc/hostname")).value_or("unknown"));
    host.kernel = trim(read_file(under_root(root, "/proc/sys/kernel/osrelease")).value_or(""));
  }
  // A device's own name where gethostname is not it (containers), or several simulated devices
  // on one machine (tests, the fleet quick start).
  if (const char* name = std::getenv("EDGEJOULE_HOSTNAME"); name && *name) host.hostname = name;
  host.blas = detect_blas();
  return host;
}

}  // namespace edgejoule
