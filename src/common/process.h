#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace edgejoule {

// Runs argv[0] (looked up in PATH) with the given arguments, no shell involved, and waits.
// Returns the exit status, 128 + signal when killed, or -1 when it could not be started.
// With `quiet`, its stdout and stderr go to /dev/null; otherwise they are inherited.
int run_process(const std::vector<std::string>& argv, bool quiet = false);

// As run_process, with stdout (and stderr) captured into `output`; stdin is /dev/null.
int run_process_capture(const std::vector<std::string>& argv, std::string* output);

// Waits for a child; returns its exit status, 128 + signal when killed, or -1.
int wait_exit_status(pid_t pid);

}  // namespace edgejoule
