#include "platform/memory.h"

#include <fstream>
#include <sstream>

namespace edgejoule {

bool reset_peak_rss(const std::string& proc_self) {
  std::ofstream out(proc_self + "/clear_refs");
  if (!out) return false;
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

std::optional<double> peak_rss_mb(const std::string& proc_self) {
  std::ifstream in(proc_self + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) != 0) continue;
    std::istringstream fields(line.substr(6));
    double kib = 0;
    std::string unit;
    if (fields >> kib >> unit && unit == "kB" && kib > 0) return kib / 1024.0;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace edgejoule
