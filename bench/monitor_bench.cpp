// The cost of energy windows (meters/monitor.h), for each meter this machine can run: the
// estimate (this VM's only real one), and copies of real devices' sensor layouts
// (tests/fixtures/devices): a Jetson Orin Nano's INA3221 in hwmon, a Raspberry Pi 5's PMIC (each
// read runs its vcgencmd, here the fixture's script), a RAPL tree whose counter a writer thread
// advances every millisecond, an external power log.
//   BM_Window/<meter>:       begin + end of one window, wall time per window (end waits for the
//                            meter's next reading past the window's end)
//   BM_SamplingThread/<meter>: the sampling thread's CPU while the program sleeps, as a share of
//                            one core (children included: vcgencmd)

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "meters/monitor.h"

namespace edgejoule {
namespace {

const std::string kFixtures = EDGEJOULE_BENCH_FIXTURES;

// A RAPL package counter advancing at 20 W, written every millisecond as the kernel's updates.
class RaplTree {
 public:
  RaplTree() : root_(std::filesystem::temp_directory_path() / "edgejoule-bench-monitor-rapl") {
    const auto zone = root_ / "sys/class/powercap/intel-rapl:0";
    std::filesystem::create_directories(zone);
    std::ofstream(zone / "name") << "package-0\n";
    std::ofstream(zone / "max_energy_range_uj") << "262143328850\n";
    write(0);
    writer_ = std::thread([this] {
      unsigned long long uj = 0;
      while (!stop_) {
        uj += 20000;  // 20 W x 1 ms
        write(uj);
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
  }
  ~RaplTree() {
    stop_ = true;
    writer_.join();
    std::filesystem::remove_all(root_);
  }
  std::string root() const { return root_.string(); }

 private:
  void write(unsigned long long uj) {
    const auto file = root_ / "sys/class/powercap/intel-rapl:0/energy_uj";
    std::ofstream(file.string() + ".tmp") << uj << "\n";
    std::filesystem::rename(file.string() + ".tmp", file);
  }
  std::filesystem::path root_;
  std::atomic<bool> stop_{false};
  std::thread writer_;
};

// An external meter's log growing by a line every 10 ms.
class PowerLog {
 public:
  PowerLog() : path_(std::filesystem::temp_directory_path() / "edgejoule-bench-monitor-power.csv") {
    std::ofstream(path_) << "timestamp_s,power_w\n";
    writer_ = std::thread([this] {
      while (!stop_) {
        std::ofstream(path_, std::ios::app) << std::fixed << unix_now_s() << ",12.5\n";
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    });
  }
  ~PowerLog() {
    stop_ = true;
    writer_.join();
    std::filesystem::remove(path_);
  }
  std::string spec() const { return "log:" + path_.string(); }

 private:
  std::filesystem::path path_;
  std::atomic<bool> stop_{false};
  std::thread writer_;
};

MonitorOptions options_for(const std::string& meter, std::unique_ptr<RaplTree>& rapl, std::unique_ptr<PowerLog>& log) {
  MonitorOptions o;
  if (meter == "estimate") {
    o.meter = "estimate";
  } else if (meter == "hwmon-jetson") {
    o.sysfs_root = kFixtures + "/devices/jetson-orin-nano";
  } else if (meter == "rpi-pmic") {
    setenv("EDGEJOULE_VCGENCMD", (kFixtures + "/devices/raspberry-pi-5/vcgencmd").c_str(), 1);
    o.meter = "rpi-pmic";
  } else if (meter == "rapl") {
    rapl = std::make_unique<RaplTree>();
    o.sysfs_root = rapl->root();
    o.meter = "rapl";
  } else if (meter == "log") {
    log = std::make_unique<PowerLog>();
    o.meter = log->spec();
  }
  return o;
}

void BM_Window(benchmark::State& state, const std::string& meter) {
  std::unique_ptr<RaplTree> rapl;
  std::unique_ptr<PowerLog> log;
  Monitor monitor(options_for(meter, rapl, log));
  for (auto _ : state) {
    monitor.begin("w");
    benchmark::DoNotOptimize(monitor.end("w"));
  }
  state.SetLabel(monitor.meter_info().name);
}

double cpu_s(int who) {
  rusage u{};
  getrusage(who, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

void BM_SamplingThread(benchmark::State& state, const std::string& meter) {
  std::unique_ptr<RaplTree> rapl;
  std::unique_ptr<PowerLog> log;
  MonitorOptions o = options_for(meter, rapl, log);
  rapl.reset();  // a still counter: only the sampler's reads are counted
  if (meter == "rapl") {
    const auto zone = std::filesystem::temp_directory_path() / "edgejoule-bench-monitor-rapl-still/sys/class/powercap/intel-rapl:0";
    std::filesystem::create_directories(zone);
    std::ofstream(zone / "name") << "package-0\n";
    std::ofstream(zone / "max_energy_range_uj") << "262143328850\n";
    std::ofstream(zone / "energy_uj") << "123456\n";
    o.sysfs_root = zone.parent_path().parent_path().parent_path().parent_path().string();
  }
  const bool log_writer = static_cast<bool>(log);
  log.reset();
  if (log_writer) {
    const auto path = std::filesystem::temp_directory_path() / "edgejoule-bench-monitor-still.csv";
    std::ofstream(path) << "timestamp_s,power_w\n" << std::fixed << unix_now_s() << ",12.5\n";
    o.meter = "log:" + path.string();
  }
  // The meter alone (a Monitor would refuse the still counter as a sensor that stopped).
  auto sampler = make_meter(o.meter, o.sysfs_root, o.device);
  sampler->start();
  double share = 0;
  for (auto _ : state) {
    const double a = cpu_s(RUSAGE_SELF) + cpu_s(RUSAGE_CHILDREN);
    const auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const double b = cpu_s(RUSAGE_SELF) + cpu_s(RUSAGE_CHILDREN);
    share = (b - a) / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  state.counters["core_percent"] = share * 100;
  state.SetLabel(sampler->info().name);
  sampler->stop();
}

BENCHMARK_CAPTURE(BM_Window, estimate, std::string("estimate"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Window, hwmon_jetson, std::string("hwmon-jetson"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Window, rpi_pmic, std::string("rpi-pmic"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Window, rapl, std::string("rapl"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Window, log, std::string("log"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_SamplingThread, estimate, std::string("estimate"))->Iterations(2)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SamplingThread, hwmon_jetson, std::string("hwmon-jetson"))->Iterations(2)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SamplingThread, rpi_pmic, std::string("rpi-pmic"))->Iterations(2)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SamplingThread, rapl, std::string("rapl"))->Iterations(2)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SamplingThread, log, std::string("log"))->Iterations(2)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace edgejoule

BENCHMARK_MAIN();
