#include "platform/sysfs.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/strings.h"

namespace edgejoule {

SysfsValue read_sysfs_u64(const std::string& path) {
  // open/read/close rather than a stream: meters call this every few milliseconds.
  SysfsValue out;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    out.permission_denied = errno == EACCES || errno == EPERM;
    out.error = out.permission_denied ? "permission denied" : (errno == ENOENT ? "missing" : std::strerror(errno));
    return out;
  }
  char buffer[64];
  ssize_t n;
  do {
    n = ::read(fd, buffer, sizeof(buffer) - 1);
  } while (n < 0 && errno == EINTR);
  const int read_errno = errno;
  ::close(fd);
  if (n < 0) {
    out.permission_denied = read_errno == EACCES || read_errno == EPERM;
    out.error = out.permission_denied ? "permission denied" : std::strerror(read_errno);
    return out;
  }
  return parse_sysfs_u64(std::string_view(buffer, static_cast<size_t>(n)));
}

SysfsValue parse_sysfs_u64(std::string_view text) {
  SysfsValue out;
  const std::string t = trim(text);
  if (t.empty() || t.find_first_not_of("0123456789") != std::string::npos || t.size() > 20) {
    out.error = "not a number: '" + t.substr(0, 32) + "'";
    return out;
  }
  errno = 0;
  const unsigned long long v = std::strtoull(t.c_str(), nullptr, 10);
  if (errno == ERANGE) {
    out.error = "out of range: '" + t + "'";
    return out;
  }
  out.value = v;
  return out;
}

std::optional<std::string> read_sysfs_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::string text;
  std::getline(in, text);
  return trim(text);
}

}  // namespace edgejoule
