#pragma once
// The process's resident memory, for the tests that check an engine gives back what it took.

#include <unistd.h>

#include <fstream>

namespace edgejoule {

inline double rss_mb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1 << 20);
}

}  // namespace edgejoule
