#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/strings.h"
#include "core/records.h"
#include "store/schema.h"
#include "store/sql_store.h"
#include "store/store.h"

namespace edgejoule {
namespace {

// Turns an SQLite failure into one sentence that names the file and says what to do.
[[noreturn]] void fail(const std::string& path, int rc, const std::string& detail) {
  const int primary = rc & 0xff;
  const std::string where = "database '" + path + "'";
  switch (primary) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      throw Error(where + " is corrupt or not an SQLite file (" + detail +
                  "): move it aside and profile again, or pass another --db; it was not modified");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      throw Error(where + " is locked by another process (" + detail +
                  "): wait for it to finish, or pass another --db");
    case SQLITE_READONLY:
      throw Error(where + " is read-only (" + detail +
                  "): check its permissions and those of its directory, or pass another --db");
    case SQLITE_CANTOPEN:
      throw Error("cannot open " + where + " (" + detail +
                  "): check that its directory exists and is writable, or pass another --db");
    case SQLITE_FULL:
      throw Error("the disk is full writing " + where + ": free space and run again; "
                  "points stored before this one are kept", exit_code::kFailure);
    case SQLITE_IOERR:
      throw Error("I/O error on " + where + " (" + detail + "): check the disk and run again", exit_code::kFailure);
    default:
      throw Error("SQLite error on " + where + " (" + detail + ")", exit_code::kFailure);
  }
}

class Statement {
 public:
  Statement(sqlite3* db, const std::string& path, const char* sql) : db_(db), path_(path) {
    const int rc = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
    if (rc != SQLITE_OK) fail(path_, rc, sqlite3_errmsg(db));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, const std::string& v) {
    check(sqlite3_bind_text(stmt_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& bind(int i, const char* v) { return bind(i, std::string(v)); }
  Statement& bind(int i, int64_t v) { check(sqlite3_bind_int64(stmt_, i, v)); return *this; }
  Statement& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
  Statement& bind(int i, double v) { check(sqlite3_bind_double(stmt_, i, v)); return *this; }
  template <typename T>
  Statement& bind(int i, const std::optional<T>& v) {
    if (v) return bind(i, *v);
    check(sqlite3_bind_null(stmt_, i));
    return *this;
  }

  // True while a row is available.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(path_, rc, sqlite3_errmsg(db_));
  }
  void run() { while (step()) {} }

  // Columns are read through their sqlite3_value: one lookup of the column where the type and
  // then the value took two (a listing reads some forty columns of each of 100,000 points). The
  // value is the unprotected kind, which is safe here: a Store's connection is opened NOMUTEX
  // and used by one thread at a time.
  std::string text(int col) const {
    sqlite3_value* v = value(col);
    const auto* p = sqlite3_value_text(v);  // before the length, which it may change
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_value_bytes(v))) : "";
  }
  int64_t int64(int col) const { return sqlite3_value_int64(value(col)); }
  double real(int col) const { return sqlite3_value_double(value(col)); }
  bool is_null(int col) const { return sqlite3_value_type(value(col)) == SQLITE_NULL; }
  int column_count() const { return sqlite3_column_count(stmt_); }
  std::string column_name(int col) const { return sqlite3_column_name(stmt_, col); }
  // The value as text that reads back exactly (numbers in their shortest round-trip form).
  std::optional<std::string> raw(int col) const {
    switch (sqlite3_column_type(stmt_, col)) {
      case SQLITE_NULL: return std::nullopt;
      case SQLITE_INTEGER: return std::to_string(int64(col));
      case SQLITE_FLOAT: return fmt::format("{}", real(col));
      default: return text(col);
    }
  }
  std::optional<double> opt_real(int col) const {
    sqlite3_value* v = value(col);
    return sqlite3_value_type(v) == SQLITE_NULL ? std::nullopt : std::optional<double>(sqlite3_value_double(v));
  }
  std::optional<int64_t> opt_int64(int col) const {
    sqlite3_value* v = value(col);
    return sqlite3_value_type(v) == SQLITE_NULL ? std::nullopt : std::optional<int64_t>(sqlite3_value_int64(v));
  }

 private:
  sqlite3_value* value(int col) const { return sqlite3_column_value(stmt_, col); }
  void check(int rc) {
    if (rc != SQLITE_OK) fail(path_, rc, sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  const std::string& path_;
  sqlite3_stmt* stmt_ = nullptr;
};

// The connection SqlStore runs its SQL on.
struct SqliteDb {
  sqlite3* handle = nullptr;
  std::string path;
  ~SqliteDb() { sqlite3_close(handle); }
  Statement prepare(const std::string& sql) { return Statement(handle, path, sql.c_str()); }
  void exec(const char* sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(handle, sql, nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
      const std::string detail = message ? message : sqlite3_errstr(rc);
      sqlite3_free(message);
      fail(path, rc, detail);
    }
  }
  // The write lock from the start: the check for a stored point and the insert see one state.
  void begin_write() { exec("BEGIN IMMEDIATE"); }
  // A snapshot for several SELECTs (WAL readers see one state of the file until COMMIT).
  void begin_read() { exec("BEGIN"); }
  void commit() { exec("COMMIT"); }
  void rollback() noexcept { sqlite3_exec(handle, "ROLLBACK", nullptr, nullptr, nullptr); }
  std::vector<std::string> columns_of(const std::string& table) {
    std::vector<std::string> out;
    Statement q(handle, path, ("SELECT name FROM pragma_table_info('" + table + "')").c_str());
    while (q.step()) out.push_back(q.text(0));
    return out;
  }
};

class SqliteStore final : public SqlStore<SqliteDb> {
 public:
  SqliteStore(const std::string& path, OpenMode mode)
      : SqlStore(std::make_unique<SqliteDb>()), path_(path), sqlite_(db_->handle) {
    db_->path = path;
    namespace fs = std::filesystem;
    std::error_code ec;
    const bool exists = fs::exists(path, ec);
    if (mode == OpenMode::kReadOnly && !exists) {
      throw Error("no database at '" + path +
                  "': run 'edgejoule profile' first, or pass --db with the store to read");
    }
    if (exists && fs::is_directory(path, ec)) {
      throw Error("database path '" + path + "' is a directory: pass --db with a file name");
    }
    if (!exists) {
      const auto parent = fs::path(path).parent_path();
      if (!parent.empty() && !fs::is_directory(parent, ec)) {
        throw Error("cannot create database '" + path + "': directory '" + parent.string() +
                    "' does not exist; create it or pass another --db");
      }
    }
    // Readers open read-write without create, so an older schema can be migrated; a file they
    // cannot write is opened read-only instead.
    // One connection per Store, used from one thread at a time: no per-call mutex (a tenth of
    // the time of reading 10,000 rows went to locking).
    const int flags = (mode == OpenMode::kReadOnly ? SQLITE_OPEN_READWRITE
                                                   : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                      SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &sqlite_, flags, nullptr);
    if (mode == OpenMode::kReadOnly && rc != SQLITE_OK) {
      sqlite3_close(sqlite_);
      sqlite_ = nullptr;
      rc = sqlite3_open_v2(path.c_str(), &sqlite_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    }
    if (rc != SQLITE_OK) {
      const std::string detail = sqlite_ ? sqlite3_errmsg(sqlite_) : sqlite3_errstr(rc);
      sqlite3_close(sqlite_);
      sqlite_ = nullptr;
      fail(path_, rc, detail);
    }
    try {
      sqlite3_busy_timeout(sqlite_, 10000);
      if (mode == OpenMode::kReadWrite && sqlite3_db_readonly(sqlite_, "main") == 1) {
        fail(path_, SQLITE_READONLY, "opened read-only");
      }
      check_or_create_schema(mode, exists);
    } catch (...) {
      sqlite3_close(sqlite_);
      sqlite_ = nullptr;
      throw;
    }
  }

  std::string location() const override { return path_; }

 private:
  void exec(const char* sql) { db_->exec(sql); }

  int64_t scalar_int(const char* sql) {
    Statement q(sqlite_, path_, sql);
    return q.step() ? q.int64(0) : 0;
  }

  void check_or_create_schema(OpenMode mode, bool existed) {
    // The first read of a garbage file is where SQLite reports "file is not a database".
    const int64_t version = scalar_int("PRAGMA user_version");
    const int64_t tables = scalar_int("SELECT count(*) FROM sqlite_master WHERE type = 'table'");
    if (version == 0 && tables == 0) {
      if (mode == OpenMode::kReadOnly) {
        throw Error("database '" + path_ + "' is empty: run 'edgejoule profile' first");
      }
      exec("BEGIN IMMEDIATE");
      try {
        // Another process may have created it between our check and the lock.
        if (scalar_int("SELECT count(*) FROM sqlite_master WHERE type = 'table'") == 0) {
          exec(schema::kCreateV1);
          exec("PRAGMA user_version = 1");
        }
        exec("COMMIT");
      } catch (...) {
        sqlite3_exec(sqlite_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
      migrate();
    } else {
      const bool ours =
          scalar_int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'") ==
          1;
      if (!ours || version == 0) {
        throw Error("'" + path_ + "' is an SQLite database but not an edgejoule store: pass "
                    "another --db; it was not modified");
      }
      if (version > kSchemaVersion) {
        throw Error("database '" + path_ + "' was written by a newer edgejoule (schema " +
                    std::to_string(version) + ", this build knows " +
                    std::to_string(kSchemaVersion) + "): upgrade edgejoule or pass another --db");
      }
      if (version < kSchemaVersion) {
        if (sqlite3_db_readonly(sqlite_, "main") == 1) {
          throw Error("database '" + path_ + "' has schema " + std::to_string(version) +
                      " and must be upgraded to " + std::to_string(kSchemaVersion) +
                      ", but it is read-only here: make it writable and run again");
        }
        migrate();
      }
    }
    (void)existed;
    add_knob_columns(mode);
    if (mode == OpenMode::kReadWrite) {
      // WAL: readers never block the writer and never see a half-written point.
      exec("PRAGMA journal_mode = WAL");
      exec("PRAGMA synchronous = NORMAL");
    }
    exec("PRAGMA foreign_keys = ON");
  }

  // The configuration fields' columns of `configs` come from the field table: a field added
  // since the store was written gets its column (at the field's default) when a writer opens
  // it; a reader reads the default for it.
  void add_knob_columns(OpenMode mode) {
    read_config_columns();
    if (mode != OpenMode::kReadWrite) return;
    const auto missing = [&] {
      for (const auto& field : config_fields()) {
        if (!config_columns_.count(field.name)) return true;
      }
      return false;
    };
    if (!missing()) return;
    // Two writers opening the same older store both see the column missing; the write lock
    // and a second look under it let only the first add it.
    exec("BEGIN IMMEDIATE");
    try {
      read_config_columns();
      for (const auto& field : config_fields()) {
        if (config_columns_.count(field.name)) continue;
        const std::string sql = "ALTER TABLE configs ADD COLUMN " + field.name +
                                (field.is_switch ? " INTEGER NOT NULL DEFAULT 0"
                                                 : " TEXT NOT NULL DEFAULT '" + field.default_value() + "'");
        exec(sql.c_str());
        config_columns_.insert(field.name);
      }
      exec("COMMIT");
    } catch (...) {
      sqlite3_exec(sqlite_, "ROLLBACK", nullptr, nullptr, nullptr);
      read_config_columns();
      throw;
    }
  }

  void read_config_columns() {
    config_columns_.clear();
    Statement q(sqlite_, path_, "SELECT name FROM pragma_table_info('configs')");
    while (q.step()) config_columns_.insert(q.text(0));
  }

  // Applies every migration from the stored version up, each in its own transaction, so a
  // crash leaves the store at one version or the next, never between.
  void migrate() {
    while (true) {
      exec("BEGIN IMMEDIATE");
      try {
        const int64_t version = scalar_int("PRAGMA user_version");
        if (version >= kSchemaVersion) {
          exec("COMMIT");
          return;
        }
        exec(schema::kMigrations[version - 1]);
        if (version + 1 == 5) rekey_hosts();
        exec(("PRAGMA user_version = " + std::to_string(version + 1)).c_str());
        exec("COMMIT");
      } catch (...) {
        sqlite3_exec(sqlite_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
    }
  }

  // Schema v5: a host's fingerprint no longer includes the engine versions. Recomputes every
  // host's fingerprint from its stored fields; hosts that differed only by their engines become
  // one, keeping the newer of two copies of a point. Runs inside the migration's transaction.
  void rekey_hosts() {
    struct Row {
      int64_t id;
      std::string old_fingerprint, new_fingerprint;
    };
    std::vector<Row> hosts;
    {
      Statement q(sqlite_, path_, R"sql(
        SELECT id, fingerprint, hostname, cpu_model, cpu_cores, memory_mb, os, kernel, gpu_name, gpu_driver,
               blas, blas_library FROM hosts ORDER BY id)sql");
      while (q.step()) {
        HostInfo h;
        int i = 2;
        h.hostname = q.text(i++);
        h.cpu_model = q.text(i++);
        h.cpu_cores = static_cast<int>(q.int64(i++));
        h.memory_mb = q.int64(i++);
        h.os = q.text(i++);
        h.kernel = q.text(i++);
        h.gpu_name = q.text(i++);
        h.gpu_driver = q.text(i++);
        h.blas.name = q.text(i++);
        h.blas.library = q.text(i++);
        hosts.push_back({q.int64(0), q.text(1), h.fingerprint()});
      }
    }
    std::map<std::string, int64_t> survivor;  // new fingerprint -> the oldest host with it
    for (const auto& h : hosts) {
      auto [it, fresh] = survivor.emplace(h.new_fingerprint, h.id);
      if (!fresh) merge_host(h.id, it->second);
    }
    for (const auto& h : hosts) {
      if (survivor.at(h.new_fingerprint) != h.id) continue;
      Statement up(sqlite_, path_, "UPDATE hosts SET fingerprint = ?2 WHERE id = ?1");
      up.bind(1, h.id).bind(2, h.new_fingerprint).run();
    }
    for (const auto& h : hosts) {
      Statement up(sqlite_, path_, "UPDATE evaluation_runs SET host_fingerprint = ?2 WHERE host_fingerprint = ?1");
      up.bind(1, h.old_fingerprint).bind(2, h.new_fingerprint).run();
    }
  }

  // Moves host `from`'s points and model paths to host `into` and deletes `from`; of two copies
  // of a point, the one stored later stays. Foreign keys are off during migrations, so the
  // windows of a dropped copy are deleted here.
  void merge_host(int64_t from, int64_t into) {
    Statement older(sqlite_, path_, R"sql(
      SELECT CASE WHEN a.stored_at_utc >= b.stored_at_utc THEN b.id ELSE a.id END
      FROM points a JOIN points b ON a.model_id = b.model_id AND a.config_id = b.config_id
      WHERE a.host_id = ?1 AND b.host_id = ?2)sql");
    older.bind(1, from).bind(2, into);
    std::vector<int64_t> drop;
    while (older.step()) drop.push_back(older.int64(0));
    for (const int64_t id : drop) {
      Statement w(sqlite_, path_, "DELETE FROM windows WHERE point_id = ?1");
      w.bind(1, id).run();
      Statement e(sqlite_, path_, "UPDATE evaluations SET point_id = NULL WHERE point_id = ?1");
      e.bind(1, id).run();
      Statement o(sqlite_, path_, "UPDATE evaluations SET oracle_point_id = NULL WHERE oracle_point_id = ?1");
      o.bind(1, id).run();
      Statement p(sqlite_, path_, "DELETE FROM points WHERE id = ?1");
      p.bind(1, id).run();
    }
    Statement move(sqlite_, path_, "UPDATE points SET host_id = ?2 WHERE host_id = ?1");
    move.bind(1, from).bind(2, into).run();
    Statement paths(sqlite_, path_, "UPDATE OR IGNORE model_paths SET host_id = ?2 WHERE host_id = ?1");
    paths.bind(1, from).bind(2, into).run();
    Statement left(sqlite_, path_, "DELETE FROM model_paths WHERE host_id = ?1");
    left.bind(1, from).run();
    Statement del(sqlite_, path_, "DELETE FROM hosts WHERE id = ?1");
    del.bind(1, from).run();
  }

  std::string path_;
  sqlite3*& sqlite_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path, OpenMode mode) {
  return std::make_unique<SqliteStore>(path, mode);
}

}  // namespace edgejoule
