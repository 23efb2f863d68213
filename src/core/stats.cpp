#include "core/stats.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

namespace edgejoule {

double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double rank = q * static_cast<double>(sorted.size() - 1);
  const auto lower = static_cast<size_t>(std::floor(rank));
  const auto upper = std::min(lower + 1, sorted.size() - 1);
  const double fraction = rank - static_cast<double>(lower);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction;
}

double student_t_975(int df) {
  static constexpr std::array<double, 30> kTable = {
      12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
      2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
      2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  if (df <= 0) return std::nan("");
  if (df <= 30) return kTable[static_cast<size_t>(df - 1)];
  if (df <= 60) return 2.000 + (2.042 - 2.000) * (60.0 - df) / 30.0;
  if (df <= 120) return 1.980 + (2.000 - 1.980) * (120.0 - df) / 60.0;
  return 1.960;
}

Summary summarize(std::vector<double> values) {
  Summary s;
  s.count = values.size();
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  s.min = values.front();
  s.max = values.back();
  s.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(s.count);
  s.p50 = percentile(values, 0.50);
  s.p90 = percentile(values, 0.90);
  s.p99 = percentile(values, 0.99);
  if (s.count >= 2) {
    double sum_sq = 0;
    for (double v : values) sum_sq += (v - s.mean) * (v - s.mean);
    const double stddev = std::sqrt(sum_sq / static_cast<double>(s.count - 1));
    s.stddev = stddev;
    if (s.mean != 0) s.cv = stddev / s.mean;
    s.ci95_half_width =
        student_t_975(static_cast<int>(s.count - 1)) * stddev / std::sqrt(double(s.count));
  }
  return s;
}

}  // namespace edgejoule
