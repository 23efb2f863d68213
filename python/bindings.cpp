// The Python package's C++ half (edgejoule._edgejoule): the library's meters, store, recommender
// and profiler, bound as they are. Everything is computed by the library; this file converts
// types (JSON to Python objects), releases the GIL around long calls, and turns the library's
// errors into Python exceptions carrying the same sentences.

#include <dlfcn.h>
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "engines/registry.h"
#include "meters/meter.h"
#include "meters/monitor.h"
#include "orchestrate/answers.h"
#include "orchestrate/profile_run.h"
#include "report/writers.h"
#include "store/store.h"

namespace py = pybind11;
using namespace edgejoule;

namespace {

// The exception types, made once at import (edgejoule.Error and its subclasses).
PyObject* g_error = nullptr;
PyObject* g_meter_error = nullptr;
PyObject* g_unsupported_error = nullptr;
PyObject* g_connection_lost_error = nullptr;

// A meter that cannot be opened or read: edgejoule.MeterError.
class MeterUnavailable : public Error {
 public:
  explicit MeterUnavailable(const Error& e) : Error(e.what(), e.exit_code()) {}
};

void raise(PyObject* type, const Error& e) {
  PyObject* instance = PyObject_CallFunction(type, "s", e.what());
  if (!instance) return;  // the call set its own error
  PyObject* code = PyLong_FromLong(e.exit_code());
  PyObject_SetAttrString(instance, "exit_code", code);
  Py_XDECREF(code);
  PyErr_SetObject(type, instance);
  Py_DECREF(instance);
}

py::object to_python(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return py::none();
    case nlohmann::json::value_t::boolean: return py::bool_(j.get<bool>());
    case nlohmann::json::value_t::number_integer: return py::int_(j.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: return py::int_(j.get<uint64_t>());
    case nlohmann::json::value_t::number_float: return py::float_(j.get<double>());
    case nlohmann::json::value_t::string: return py::str(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      py::list out;
      for (const auto& v : j) out.append(to_python(v));
      return std::move(out);
    }
    case nlohmann::json::value_t::object: {
      py::dict out;
      for (auto it = j.begin(); it != j.end(); ++it) out[py::str(it.key())] = to_python(it.value());
      return std::move(out);
    }
    default: return py::none();
  }
}

// Rows as the flat exports have them (CSV, Markdown): the flat fields of row_fields(), in order.
py::tuple rows_to_python(const std::vector<ResultRow>& rows) {
  py::list columns;
  std::vector<const RowField*> fields;
  for (const auto& f : row_fields()) {
    if (!f.flat) continue;
    fields.push_back(&f);
    columns.append(f.name);
  }
  py::list values;
  for (const auto& row : rows) {
    py::list one;
    for (const auto* f : fields) one.append(to_python(f->value(row)));
    values.append(one);
  }
  return py::make_tuple(columns, values);
}

py::dict window_to_python(const EnergyWindow& w) {
  py::dict d;
  d["name"] = w.name;
  d["start_s"] = w.start_s;
  d["duration_s"] = w.duration_s;
  d["energy_j"] = w.energy_j;
  d["mean_power_w"] = w.mean_power_w;
  d["meter"] = w.meter;
  d["covers"] = w.covers;
  d["provenance"] = w.provenance;
  d["measured"] = w.measured;
  d["updates"] = w.updates;
  d["update_period_s"] = w.update_period_s;
  d["too_short"] = w.too_short;
  d["too_short_reason"] = w.too_short_reason;
  return d;
}

py::dict meter_info_to_python(const MeterInfo& m) {
  py::dict d;
  d["name"] = m.name;
  d["covers"] = m.covers;
  d["provenance"] = m.provenance;
  d["measured"] = m.measured;
  d["update_period_s"] = m.update_period_s;
  return d;
}

class PyMonitor {
 public:
  PyMonitor(const std::string& meter, const std::string& device, const std::string& sysfs_root,
            double periods_per_window) {
    MonitorOptions o;
    o.meter = meter;
    o.device = device;
    o.sysfs_root = sysfs_root;
    o.periods_per_window = periods_per_window;
    // Opening waits for the meter's first reading: other Python threads (one may be what feeds
    // the sensor, as in the tests) run meanwhile.
    py::gil_scoped_release release;
    try {
      monitor_ = std::make_unique<Monitor>(o);
    } catch (const Error& e) {
      throw MeterUnavailable(e);
    }
  }
  void begin(const std::string& name) {
    py::gil_scoped_release release;  // a reading is taken (the Pi's PMIC runs vcgencmd)
    live().begin(name);
  }
  py::dict end(const std::string& name) {
    EnergyWindow w;
    {
      // Waits for the meter's next update past the end: other Python threads run meanwhile.
      py::gil_scoped_release release;
      try {
        w = live().end(name);
      } catch (const Error& e) {
        if (e.exit_code() == exit_code::kFailure) throw MeterUnavailable(e);
        throw;
      }
    }
    return window_to_python(w);
  }
  void cancel(const std::string& name) { live().cancel(name); }
  std::vector<std::string> open_windows() { return live().open_windows(); }
  py::dict meter_info() { return meter_info_to_python(live().meter_info()); }
  void close() { monitor_.reset(); }

 private:
  Monitor& live() {
    if (!monitor_) throw Error("this Monitor is closed: make a new one");
    return *monitor_;
  }
  std::unique_ptr<Monitor> monitor_;
};

py::list meter_sources(const std::string& sysfs_root) {
  py::list out;
  for (const auto& s : list_meter_sources(sysfs_root)) {
    py::dict d;
    d["name"] = s.name;
    d["available"] = s.available;
    d["covers"] = s.covers;
    d["why_unavailable"] = s.why_unavailable.empty() ? py::object(py::none()) : py::object(py::str(s.why_unavailable));
    d["meter_flag"] = s.spec;
    out.append(d);
  }
  return out;
}

py::tuple store_points(const std::string& uri, const std::string& model, const std::string& status) {
  std::vector<ResultRow> rows;
  std::string location;
  {
    py::gil_scoped_release release;
    auto store = open_store(uri, OpenMode::kReadOnly);
    location = store->location();
    RowFilter filter;
    filter.model = model;
    if (!status.empty()) {
      filter.status = verdict_from_string(status);
      if (!filter.status) throw Error("unknown status '" + status + "': choose VALID, INVALID or UNSUPPORTED");
    }
    rows = store->rows(filter);
  }
  return rows_to_python(rows);
}

std::string store_location(const std::string& uri) {
  py::gil_scoped_release release;
  return open_store(uri, OpenMode::kReadOnly)->location();
}

CandidateQuery candidate_query(const std::string& db, const std::string& dataset, const std::string& host,
                               const std::string& device, const std::string& energy_source,
                               std::optional<double> rate_qps) {
  CandidateQuery q;
  q.db = db;
  q.filter.accuracy_dataset = dataset;
  q.filter.hostname = host;
  q.filter.device = device;
  q.energy_source = energy_source;
  q.rate_qps = rate_qps;
  return q;
}

py::tuple recommend_answer(const std::string& db, double energy_budget_j, std::optional<double> latency_ms_p99,
                           std::optional<double> min_accuracy, std::optional<double> max_memory_mb,
                           const std::string& objective, const std::string& dataset, const std::string& host,
                           const std::string& device, const std::string& energy_source, std::optional<double> rate_qps,
                           std::optional<double> power_budget_w, bool predict, const std::string& zoo, int runners_up,
                           bool mix) {
  RecommendQuery q;
  q.candidates = candidate_query(db, dataset, host, device, energy_source, rate_qps);
  q.energy_budget_j = energy_budget_j;
  q.latency_ms_p99 = latency_ms_p99;
  q.min_accuracy = min_accuracy;
  q.max_memory_mb = max_memory_mb;
  q.objective = objective;
  q.power_budget_w = power_budget_w;
  q.predict = predict;
  q.zoo_dir = zoo;
  q.runners_up = runners_up;
  q.mix = mix;
  nlohmann::json j;
  std::ostringstream text;
  {
    py::gil_scoped_release release;
    const RecommendAnswer answer = answer_recommend(q);
    j = recommendation_json(answer);
    write_recommendation(text, answer);
  }
  return py::make_tuple(to_python(j), text.str());
}

py::tuple frontier_answer(const std::string& db, const std::string& x, const std::string& dataset,
                          const std::string& host, const std::string& device, const std::string& energy_source,
                          std::optional<double> rate_qps) {
  if (x != "energy" && x != "latency") throw Error("unknown axis '" + x + "': choose energy or latency");
  nlohmann::json j;
  std::ostringstream text;
  {
    py::gil_scoped_release release;
    const FrontierAnswer answer = answer_frontier(candidate_query(db, dataset, host, device, energy_source, rate_qps),
                                                  x == "latency" ? FrontierAxis::kLatency : FrontierAxis::kEnergy);
    j = frontier_json(answer);
    write_frontier(text, answer);
  }
  return py::make_tuple(to_python(j), text.str());
}

// The profiler's progress, handed to a Python callable as (event, dict). Runs with the GIL
// taken for the call only; a KeyboardInterrupt pending in Python stops the sweep after the
// current window, as Ctrl-C does for the CLI.
class PythonListener final : public ProfileListener {
 public:
  PythonListener(py::object callback, std::atomic<bool>* stop) : callback_(std::move(callback)), stop_(stop) {}
  void on_sweep_start(size_t points) override { call("sweep_start", {{"points", points}}); }
  void on_point_skipped(const PointContext& c, const std::string& why) override {
    call("point_skipped", with(c, {{"why", why}}));
  }
  void on_point_start(const PointContext& c) override { call("point_start", with(c, {})); }
  void on_point_end(const PointContext& c, const PointRecord& r) override {
    nlohmann::json j = {{"status", to_string(r.result.verdict)}, {"reason", r.result.reason}};
    if (r.result.latency_ms.count > 0) j["latency_ms_p50"] = r.result.latency_ms.p50;
    call("point_end", with(c, j));
  }
  void on_point_failed(const PointContext& c, const std::string& message) override {
    call("point_failed", with(c, {{"message", message}}));
  }
  void on_sweep_end(bool interrupted) override { call("sweep_end", {{"interrupted", interrupted}}); }

 private:
  static nlohmann::json with(const PointContext& c, nlohmann::json j) {
    j["index"] = c.index;
    j["total"] = c.total;
    j["model"] = c.model ? c.model->name : "";
    j["configuration"] = c.config ? c.config->describe() : "";
    return j;
  }
  void call(const char* event, const nlohmann::json& details) {
    py::gil_scoped_acquire acquire;
    if (PyErr_CheckSignals() != 0) {
      PyErr_Clear();
      interrupted_by_python = true;
      stop_->store(true);
    }
    if (callback_.is_none()) return;
    try {
      callback_(event, to_python(details));
    } catch (py::error_already_set& e) {
      // A progress bar's own failure must not lose the sweep: it stops it, keeping what is stored.
      if (e.matches(PyExc_KeyboardInterrupt)) interrupted_by_python = true;
      stop_->store(true);
    }
  }
  py::object callback_;
  std::atomic<bool>* stop_;

 public:
  bool interrupted_by_python = false;
};

py::dict profile(const ProfileRequest& request, py::object progress) {
  std::atomic<bool> stop{false};
  PythonListener listener(std::move(progress), &stop);
  ProfileHooks hooks;
  hooks.listener = &listener;
  hooks.stop = &stop;
  ProfileResult result;
  {
    py::gil_scoped_release release;
    result = run_profile(request, hooks);
  }
  if (listener.interrupted_by_python) {
    // Ctrl-C in Python: what finished is stored, as with the CLI.
    PyErr_SetNone(PyExc_KeyboardInterrupt);
    throw py::error_already_set();
  }
  py::dict out;
  out["measured"] = result.outcome.measured;
  out["unsupported"] = result.outcome.unsupported;
  out["skipped"] = result.outcome.skipped;
  out["failures"] = result.outcome.failures;
  out["interrupted"] = result.outcome.interrupted;
  out["store"] = result.store_location;
  out["rows"] = rows_to_python(result.rows);
  return out;
}

// The folder of this module's shared library: the package folder, where its engine plugins lie.
std::string module_dir() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&module_dir), &info) == 0 || !info.dli_fname) return {};
  return std::filesystem::path(info.dli_fname).parent_path().string();
}

}  // namespace

PYBIND11_MODULE(_edgejoule, m) {
  m.doc() = "edgejoule's C++ library (meters, store, recommender, profiler); use the edgejoule package";
  m.attr("__version__") = EDGEJOULE_VERSION;
  if (const std::string dir = module_dir(); !dir.empty()) add_engine_plugin_dir(dir);

  g_error = PyErr_NewExceptionWithDoc(
      "edgejoule.Error",
      "What edgejoule cannot do and what to do about it, in one sentence; exit_code is the CLI's "
      "(2: the input, 1: a failure at run time).",
      PyExc_RuntimeError, nullptr);
  g_meter_error = PyErr_NewExceptionWithDoc("edgejoule.MeterError",
                                            "The energy meter cannot be opened or read (why, as 'edgejoule meters' says)",
                                            g_error, nullptr);
  g_unsupported_error = PyErr_NewExceptionWithDoc(
      "edgejoule.UnsupportedError", "An engine, device and precision that cannot run together", g_error, nullptr);
  g_connection_lost_error = PyErr_NewExceptionWithDoc(
      "edgejoule.ConnectionLostError", "The store's server went away and did not come back in time", g_error, nullptr);
  m.attr("Error") = py::handle(g_error);
  m.attr("MeterError") = py::handle(g_meter_error);
  m.attr("UnsupportedError") = py::handle(g_unsupported_error);
  m.attr("ConnectionLostError") = py::handle(g_connection_lost_error);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InterruptedError&) {
      PyErr_SetNone(PyExc_KeyboardInterrupt);
    } catch (const MeterUnavailable& e) {
      raise(g_meter_error, e);
    } catch (const UnsupportedError& e) {
      raise(g_unsupported_error, e);
    } catch (const ConnectionLostError& e) {
      raise(g_connection_lost_error, e);
    } catch (const Error& e) {
      raise(g_error, e);
    }
  });

  m.def("meters", &meter_sources, py::arg("sysfs_root") = "/");
  py::class_<PyMonitor>(m, "Monitor")
      .def(py::init<const std::string&, const std::string&, const std::string&, double>(), py::arg("meter"),
           py::arg("device"), py::arg("sysfs_root"), py::arg("periods_per_window"))
      .def("begin", &PyMonitor::begin)
      .def("end", &PyMonitor::end)
      .def("cancel", &PyMonitor::cancel)
      .def("open_windows", &PyMonitor::open_windows)
      .def("meter_info", &PyMonitor::meter_info)
      .def("close", &PyMonitor::close);
  m.def("store_points", &store_points, py::arg("uri"), py::arg("model"), py::arg("status"));
  m.def("store_location", &store_location, py::arg("uri"));
  m.def("recommend", &recommend_answer, py::arg("db"), py::arg("energy_budget_j"), py::arg("latency_ms_p99"),
        py::arg("min_accuracy"), py::arg("max_memory_mb"), py::arg("objective"), py::arg("dataset"), py::arg("host"),
        py::arg("device"), py::arg("energy_source"), py::arg("rate_qps"), py::arg("power_budget_w"),
        py::arg("predict"), py::arg("zoo"), py::arg("runners_up"), py::arg("mix"));
  m.def("frontier", &frontier_answer, py::arg("db"), py::arg("x"), py::arg("dataset"), py::arg("host"),
        py::arg("device"), py::arg("energy_source"), py::arg("rate_qps"));

  py::class_<ProtocolSettings>(m, "ProtocolSettings")
      .def(py::init<>())
      .def_readwrite("warmup_s", &ProtocolSettings::warmup_s)
      .def_readwrite("warmup_min_iterations", &ProtocolSettings::warmup_min_iterations)
      .def_readwrite("min_time_s", &ProtocolSettings::min_time_s)
      .def_readwrite("min_window_iterations", &ProtocolSettings::min_window_iterations)
      .def_readwrite("repetitions", &ProtocolSettings::repetitions)
      .def_readwrite("max_cv", &ProtocolSettings::max_cv)
      .def_readwrite("meter_periods_per_window", &ProtocolSettings::meter_periods_per_window)
      .def_readwrite("idle_baseline", &ProtocolSettings::idle_baseline);
  py::class_<ProfileRequest>(m, "ProfileRequest")
      .def(py::init<>())
      .def_readwrite("model_files", &ProfileRequest::model_files)
      .def_readwrite("zoo_dir", &ProfileRequest::zoo_dir)
      .def_readwrite("models_filter", &ProfileRequest::models_filter)
      .def_readwrite("engines", &ProfileRequest::engines)
      .def_readwrite("devices", &ProfileRequest::devices)
      .def_readwrite("precisions", &ProfileRequest::precisions)
      .def_readwrite("batches", &ProfileRequest::batches)
      .def_readwrite("threads", &ProfileRequest::threads)
      .def_readwrite("knobs", &ProfileRequest::knobs)
      .def_readwrite("input_shape", &ProfileRequest::input_shape)
      .def_readwrite("meter", &ProfileRequest::meter)
      .def_readwrite("cross_check_meter", &ProfileRequest::cross_check_meter)
      .def_readwrite("dataset", &ProfileRequest::dataset)
      .def_readwrite("db", &ProfileRequest::db)
      .def_readwrite("sysfs_root", &ProfileRequest::sysfs_root)
      .def_readwrite("protocol", &ProfileRequest::protocol)
      .def_readwrite("force", &ProfileRequest::force)
      .def_readwrite("retry_invalid", &ProfileRequest::retry_invalid)
      .def_readwrite("strategy", &ProfileRequest::strategy)
      .def_readwrite("budgets", &ProfileRequest::budgets)
      .def_readwrite("round_size", &ProfileRequest::round_size)
      .def_readwrite("tolerance", &ProfileRequest::tolerance);
  m.def("profile", &profile, py::arg("request"), py::arg("progress"));
  m.def("configuration_fields", [] {
    py::list out;
    for (const auto& f : config_fields()) {
      py::dict d;
      d["name"] = f.name;
      d["flag"] = f.flag;
      d["default"] = f.default_value();
      d["help"] = f.help;
      out.append(d);
    }
    return out;
  });
  m.def("engines", [] {
    py::list out;
    for (const auto& e : engine_registry()) {
      py::dict d;
      d["name"] = e.name;
      d["library"] = e.library;
      d["built_in"] = e.built_in();
      out.append(d);
    }
    return out;
  });
}
