#include "support/subprocess.h"

#include "common/process.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace edgejoule::testing {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

pid_t spawn(const std::string& binary, const std::vector<std::string>& args,
            const std::string& out_path, const std::string& err_path) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int in = open("/dev/null", O_RDONLY);
    dup2(out, 1);
    dup2(err, 2);
    dup2(in, 0);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) { return wait_exit_status(pid); }

ProcessResult run(const std::string& binary, const std::vector<std::string>& args) {
  char out_template[] = "/tmp/edgejoule-test-out-XXXXXX";
  char err_template[] = "/tmp/edgejoule-test-err-XXXXXX";
  close(mkstemp(out_template));
  close(mkstemp(err_template));
  ProcessResult result;
  result.exit_code = wait_exit(spawn(binary, args, out_template, err_template));
  result.out = slurp(out_template);
  result.err = slurp(err_template);
  std::remove(out_template);
  std::remove(err_template);
  return result;
}

}  // namespace edgejoule::testing
