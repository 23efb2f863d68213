// The estimate's per-core power from the CPU model: the vendor's rated power divided by its cores,
// for the CPUs users profile on. What one fully busy core may draw at most, its share of the
// uncore (and, on Jetson modules, of the GPU and memory) included: an upper bound, which is what an
// estimate for an energy budget should err towards. Every figure carries its source; a CPU not
// here keeps the estimate's default (10 W per busy core).
//
// x86 TDP / processor base power and core counts: the vendors' specification pages (Intel ARK,
// AMD's processor specifications), as also collected in CodeCarbon's cpu_power.csv (checked
// against it, 2026-12). Jetson: the module's highest standard power mode and CPU cores from
// NVIDIA's Jetson module data sheets (a power mode caps the whole module).

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "common/strings.h"
#include "meters/rapl.h"
#include "platform/host.h"
#include "platform/sysfs.h"

namespace edgejoule {
namespace {

struct CpuPowerEntry {
  const char* part;    // as the CPU model or the device-tree model names it
  double rated_w;      // TDP / processor base power, or the module's power mode
  int cores;           // physical cores the rating covers
  const char* source;  // where the two figures come from
};

constexpr const char* kIntel = "Intel ARK (TDP / processor base power, cores)";
constexpr const char* kAmd = "AMD processor specifications (default TDP, cores)";
constexpr const char* kJetson = "NVIDIA Jetson module data sheet (highest standard power mode, CPU cores)";

// x86, matched in /proc/cpuinfo's "model name" (with (R)/(TM) removed).
constexpr CpuPowerEntry kCpus[] = {
    {"Xeon Platinum 8480+", 350, 56, kIntel},
    {"Xeon Platinum 8380", 270, 40, kIntel},
    {"Xeon Gold 6338", 205, 32, kIntel},
    {"Xeon Gold 6248R", 205, 24, kIntel},
    {"Xeon CPU E5-2690 v4", 135, 14, kIntel},
    {"Xeon CPU E5-2680 v4", 120, 14, kIntel},
    {"Core i9-13900K", 125, 24, kIntel},
    {"EPYC 9654", 360, 96, kAmd},
    {"EPYC 7763", 280, 64, kAmd},
    {"EPYC 7742", 225, 64, kAmd},
    {"EPYC 7543", 225, 32, kAmd},
    {"Ryzen 9 7950X", 170, 16, kAmd},
    {"Ryzen 9 5950X", 105, 16, kAmd},
    {"Ryzen 7 5800X", 105, 8, kAmd},
};

// Arm modules, matched in /proc/device-tree/model (Arm's /proc/cpuinfo names no model).
constexpr CpuPowerEntry kModules[] = {
    {"Jetson AGX Orin", 60, 12, kJetson},   // 64 GB: 15-60 W, 12 Cortex-A78AE
    {"Jetson Orin NX", 25, 8, kJetson},     // 16 GB: 10-25 W, 8 Cortex-A78AE
    {"Jetson Orin Nano", 15, 6, kJetson},   // 8 GB: 7-15 W, 6 Cortex-A78AE
    {"Jetson Xavier NX", 20, 6, kJetson},   // 10-20 W, 6 Carmel
    {"Jetson-AGX", 30, 8, kJetson},         // AGX Xavier: 10-30 W, 8 Carmel
    {"Jetson AGX Xavier", 30, 8, kJetson},
};

std::string without_marks(std::string s) {
  for (const char* mark : {"(R)", "(TM)", "(tm)", "(r)"}) {
    for (auto at = s.find(mark); at != std::string::npos; at = s.find(mark)) s.erase(at, std::string(mark).size());
  }
  std::string out;
  for (char c : s) {
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out += c;
  }
  return trim(out);
}

// `part` as a whole word of `text`: "EPYC 7763" in "AMD EPYC 7763 64-Core Processor", not in
// "EPYC 77630"; "Xeon Platinum 8380" not in "... 8380H".
bool names_part(const std::string& text, const std::string& part) {
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
    const size_t end = at + part.size();
    const bool starts = at == 0 || !std::isalnum(static_cast<unsigned char>(text[at - 1]));
    const bool ends = end == text.size() || !(std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '+');
    if (starts && ends) return true;
  }
  return false;
}

}  // namespace

std::optional<CpuPower> cpu_power_for(const std::string& cpu_model, const std::string& board_model) {
  auto found = [](const CpuPowerEntry& e) {
    CpuPower p;
    p.part = e.part;
    p.core_w = e.rated_w / e.cores;
    p.basis = fmt::format("{} {:g} W / {} cores, {}", e.part, e.rated_w, e.cores, e.source);
    return p;
  };
  const std::string cpu = without_marks(cpu_model);
  for (const auto& e : kCpus) {
    if (names_part(cpu, e.part)) return found(e);
  }
  for (const auto& e : kModules) {
    if (names_part(board_model, e.part)) return found(e);
  }
  return std::nullopt;
}

std::optional<CpuPower> cpu_power_of_machine(const std::string& sysfs_root) {
  const HostInfo host = probe_host(sysfs_root);
  std::string board = read_sysfs_text(under_root(sysfs_root, "/proc/device-tree/model")).value_or("");
  board.erase(std::remove(board.begin(), board.end(), '\0'), board.end());  // device-tree strings end in NUL
  return cpu_power_for(host.cpu_model, board);
}

}  // namespace edgejoule
