#include "core/records.h"

#include <ctime>

namespace edgejoule {

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::kValid: return "VALID";
    case Verdict::kInvalid: return "INVALID";
    case Verdict::kUnsupported: return "UNSUPPORTED";
    case Verdict::kPredicted: return "PREDICTED";
  }
  return "?";
}

std::optional<Verdict> verdict_from_string(const std::string& text) {
  if (text == "VALID") return Verdict::kValid;
  if (text == "INVALID") return Verdict::kInvalid;
  if (text == "UNSUPPORTED") return Verdict::kUnsupported;
  return std::nullopt;
}

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace edgejoule
