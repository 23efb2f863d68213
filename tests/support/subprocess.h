#pragma once
// Runs the edgejoule binary as a user would, capturing exit code, stdout and stderr.

#include <sys/types.h>

#include <string>
#include <vector>

namespace edgejoule::testing {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string out;
  std::string err;
};

// Runs `binary args...` to completion.
ProcessResult run(const std::string& binary, const std::vector<std::string>& args);

// Starts `binary args...` in the background with stdout/stderr to files; returns its pid.
pid_t spawn(const std::string& binary, const std::vector<std::string>& args,
            const std::string& out_path, const std::string& err_path);
// Waits for a spawned process; returns its exit code (128 + signal when killed).
int wait_exit(pid_t pid);

}  // namespace edgejoule::testing
