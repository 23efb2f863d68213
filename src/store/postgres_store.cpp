// The fleet store: the store on a PostgreSQL server that many devices write to, with the queue
// of shared sweeps (store/fleet.h). The only file that includes libpq's header. The SQL that
// saves and reads points is SQLite's (store/sql_store.h); this file adds the connection, the
// schema in PostgreSQL's dialect (store/postgres_schema.h) and the queue.
//
// Passwords come only from PGPASSWORD or ~/.pgpass: a --db carrying one is refused, and every
// message names the server by its URI with any password masked (redact_uri).
#include <libpq-fe.h>

#include <cstdlib>
#include <chrono>
#include <random>
#include <thread>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "common/error.h"
#include "common/strings.h"
#include "store/fleet.h"
#include "store/postgres_schema.h"
#include "store/sql_store.h"
#include "store/store.h"

namespace edgejoule {
namespace {

std::string first_line(const std::string& text) {
  std::string line = trim(text.substr(0, text.find('\n')));
  return line.empty() ? "no detail from the server" : line;
}

// A deadlock or serialisation failure: the transaction is run again.
struct Retryable {
  std::string detail;
};

// One sentence for a failed command, by its SQLSTATE, naming the store and what to do.
[[noreturn]] void fail(const std::string& where, PGconn* conn, const PGresult* res) {
  const char* state_field = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const std::string state = state_field ? state_field : "";
  const std::string detail = first_line(res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res)
                                                                          : PQerrorMessage(conn));
  if (state == "40001" || state == "40P01") throw Retryable{detail};
  // 57P01-03: the server is shutting down or starting up (a restart or failover): as lost. An
  // error without a SQLSTATE is libpq's own, not the server's: the connection broke ("server
  // closed the connection unexpectedly") before libpq marked it bad.
  if (PQstatus(conn) == CONNECTION_BAD || state.empty() || starts_with(state, "08") || state == "57P01" ||
      state == "57P02" || state == "57P03") {
    throw ConnectionLostError("lost the connection to the fleet store " + where + " (" + detail +
                              "): check the server and run again; points stored before this one are kept");
  }
  if (state == "42501") {
    throw Error("the user in --db may not do this in the fleet store " + where + " (" + detail +
                "): grant it the privilege (the database's owner can), or use the owner's account");
  }
  if (state == "53100") {
    throw Error("the fleet store's server is out of disk space (" + where + ", " + detail +
                "): free space on the server and run again; points stored before this one are kept",
                exit_code::kFailure);
  }
  if (starts_with(state, "57")) {
    throw Error("the fleet store's server is shutting down or refused the command (" + where + ", " + detail +
                "): run again when it is back; points stored before this one are kept");
  }
  throw Error("PostgreSQL error on the fleet store " + where + " (" + (state.empty() ? "" : state + ": ") +
                  detail + ")",
              exit_code::kFailure);
}

void ignore_notice(void*, const char*) {}

// A BIGINT[] parameter as text: "{1,2,3}".
std::string id_array(const std::vector<int64_t>& ids) {
  std::string out = "{";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + "}";
}

// "postgresql://user:secret@host/db" or "...?password=secret": a password on the command line is
// visible to every user of the machine (ps), so it is refused, and the message masks it.
void refuse_password_in_uri(const std::string& uri) {
  const std::string masked = redact_uri(uri);
  if (masked != uri) {
    throw Error("--db " + masked + " carries a password: put it in PGPASSWORD or ~/.pgpass instead "
                "(a command line is visible to every user of this machine)");
  }
}

// The connection SqlStore runs its SQL on. Statements are prepared once per connection (by
// their text) and run with their parameters as text; PostgreSQL infers each one's type.
class PgStatement;
struct PgDb {
  PGconn* conn = nullptr;
  std::string where;  // the URI without a password, for messages
  std::map<std::string, std::string> prepared;  // SQL (with $N) -> prepared statement name

  ~PgDb() {
    if (conn) PQfinish(conn);
  }
  PgStatement prepare(const std::string& sql);
  void exec(const std::string& sql) {
    PGresult* res = PQexec(conn, sql.c_str());
    const auto status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::unique_ptr<PGresult, decltype(&PQclear)> owned(res, PQclear);
      fail(where, conn, res);
    }
    PQclear(res);
  }
  // Reconnects with the same parameters (libpq's PQreset); the server forgot the prepared
  // statements with the old session. False while the server is still unreachable.
  bool reconnect() {
    PQreset(conn);
    if (PQstatus(conn) != CONNECTION_OK) return false;
    PQsetNoticeProcessor(conn, ignore_notice, nullptr);
    prepared.clear();
    return true;
  }
  void begin_write() { exec("BEGIN"); }
  // A snapshot for several SELECTs: every statement of the transaction sees the same commits.
  void begin_read() { exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }
  void commit() { exec("COMMIT"); }
  void rollback() noexcept { PQclear(PQexec(conn, "ROLLBACK")); }
  std::vector<std::string> columns_of(const std::string& table);

  // SQLite's ?N placeholders as PostgreSQL's $N (the shared SQL has no '?' anywhere else).
  static std::string dollar_placeholders(const std::string& sql) {
    std::string out = sql;
    for (size_t i = 0; i + 1 < out.size(); ++i) {
      if (out[i] == '?' && std::isdigit(static_cast<unsigned char>(out[i + 1]))) out[i] = '$';
    }
    return out;
  }
  const std::string& statement_name(const std::string& sql) {
    const std::string text = dollar_placeholders(sql);
    auto it = prepared.find(text);
    if (it != prepared.end()) return it->second;
    const std::string name = "ej" + std::to_string(prepared.size());
    PGresult* res = PQprepare(conn, name.c_str(), text.c_str(), 0, nullptr);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
      std::unique_ptr<PGresult, decltype(&PQclear)> owned(res, PQclear);
      fail(where, conn, res);
    }
    PQclear(res);
    return prepared.emplace(text, name).first->second;
  }
};

class PgStatement {
 public:
  PgStatement(PgDb& db, const std::string& name) : db_(db), name_(name) {}
  ~PgStatement() {
    if (res_) PQclear(res_);
  }
  PgStatement(const PgStatement&) = delete;
  PgStatement& operator=(const PgStatement&) = delete;

  PgStatement& bind(int i, const std::string& v) { return set(i, v); }
  PgStatement& bind(int i, const char* v) { return set(i, std::string(v)); }
  PgStatement& bind(int i, int64_t v) { return set(i, std::to_string(v)); }
  PgStatement& bind(int i, int v) { return set(i, std::to_string(v)); }
  PgStatement& bind(int i, double v) { return set(i, fmt::format("{}", v)); }
  template <typename T>
  PgStatement& bind(int i, const std::optional<T>& v) {
    if (v) return bind(i, *v);
    return set(i, std::nullopt);
  }

  bool step() {
    if (!res_) execute();
    return ++row_ < PQntuples(res_);
  }
  void run() { execute(); }

  std::string text(int col) const { return PQgetvalue(res_, row_, col); }
  int64_t int64(int col) const { return std::strtoll(PQgetvalue(res_, row_, col), nullptr, 10); }
  double real(int col) const { return std::strtod(PQgetvalue(res_, row_, col), nullptr); }
  bool is_null(int col) const { return PQgetisnull(res_, row_, col) == 1; }
  std::optional<double> opt_real(int col) const {
    return is_null(col) ? std::nullopt : std::optional<double>(real(col));
  }
  std::optional<int64_t> opt_int64(int col) const {
    return is_null(col) ? std::nullopt : std::optional<int64_t>(int64(col));
  }
  int column_count() const { return PQnfields(res_); }
  std::string column_name(int col) const { return PQfname(res_, col); }
  // The server's text for the value reads back exactly (shortest round-trip floats).
  std::optional<std::string> raw(int col) const {
    return is_null(col) ? std::nullopt : std::optional<std::string>(text(col));
  }

 private:
  PgStatement& set(int i, std::optional<std::string> v) {
    if (static_cast<int>(params_.size()) < i) params_.resize(i);
    params_[i - 1] = std::move(v);
    return *this;
  }
  void execute() {
    std::vector<const char*> values;
    for (const auto& p : params_) values.push_back(p ? p->c_str() : nullptr);
    if (res_) PQclear(res_);
    res_ = PQexecPrepared(db_.conn, name_.c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                          nullptr, 0);
    row_ = -1;
    const auto status = PQresultStatus(res_);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(db_.where, db_.conn, res_);
  }

  PgDb& db_;
  std::string name_;
  std::vector<std::optional<std::string>> params_;
  PGresult* res_ = nullptr;
  int row_ = -1;
};

PgStatement PgDb::prepare(const std::string& sql) { return PgStatement(*this, statement_name(sql)); }

std::vector<std::string> PgDb::columns_of(const std::string& table) {
  std::vector<std::string> out;
  auto q = prepare("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                   "AND table_name = ?1 ORDER BY ordinal_position");
  q.bind(1, table);
  while (q.step()) out.push_back(q.text(0));
  return out;
}

// Connects, turning libpq's failure into one sentence: wrong password, no such database,
// or a server that cannot be reached.
PGconn* connect(const std::string& uri, const std::string& where) {
  // Later keywords win: the URI (expanded from dbname) overrides these defaults.
  const char* keys[] = {"connect_timeout", "client_encoding", "fallback_application_name", "dbname", nullptr};
  const char* values[] = {"10", "UTF8", "edgejoule", uri.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  if (!conn) throw Error("out of memory connecting to the fleet store " + where, exit_code::kFailure);
  if (PQstatus(conn) == CONNECTION_OK) {
    PQsetNoticeProcessor(conn, ignore_notice, nullptr);
    return conn;
  }
  const std::string message = PQerrorMessage(conn);
  PQfinish(conn);
  const std::string detail = first_line(message.substr(0, message.find('\n')));
  if (message.find("password authentication failed") != std::string::npos ||
      message.find("no password supplied") != std::string::npos ||
      message.find("SCRAM") != std::string::npos) {
    throw Error("the fleet store " + where + " refused the login (" + detail +
                "): check the user in --db and its password in PGPASSWORD or ~/.pgpass");
  }
  if (message.find("database \"") != std::string::npos && message.find("does not exist") != std::string::npos) {
    throw Error("the fleet store's server has no such database (" + where + ", " + detail +
                "): create it (createdb NAME, as its owner) or fix the database name in --db");
  }
  if (message.find("invalid") != std::string::npos && message.find("URI") != std::string::npos) {
    throw Error("--db " + where + " is not a valid PostgreSQL URI (" + detail +
                "): write it as postgresql://USER@HOST:PORT/DATABASE");
  }
  throw Error("cannot reach the fleet store " + where + " (" + detail +
              "): check that the server runs and the host, port or socket in --db");
}

class PgStore final : public SqlStore<PgDb>, public FleetQueue {
 public:
  PgStore(const std::string& uri, OpenMode mode) : SqlStore(std::make_unique<PgDb>()) {
    refuse_password_in_uri(uri);
    db_->where = redact_uri(uri);
    db_->conn = connect(uri, db_->where);
    open_schema(mode);
  }

  std::string location() const override { return db_->where; }

  bool save_point(const PointRecord& record, const HostInfo& host, bool replace) override {
    return retrying([&] { return SqlStore::save_point(record, host, replace); });
  }
  MergeOutcome merge_point(const RawPoint& point, bool replace_newer) override {
    return retrying([&] { return SqlStore::merge_point(point, replace_newer); });
  }
  std::optional<StoredPoint> stored_point(const std::string& model_sha256, const std::string& config_key,
                                          const std::string& host_fingerprint) override {
    return retrying([&] { return SqlStore::stored_point(model_sha256, config_key, host_fingerprint); });
  }

  // ---- the queue ------------------------------------------------------------------------------
  int64_t enqueue(const std::string& queue, const std::string& device_class, const std::vector<QueueEntry>& entries,
                  bool requeue_invalid, int64_t* requeued) override {
    return retrying([&] {
      int64_t added = 0;
      transaction([&] {
        if (requeue_invalid) {
          auto q = db_->prepare(R"sql(
            UPDATE queue_items SET status = 'pending', attempts = 0, error = '', lease_until = NULL
            WHERE queue = ?1 AND device_class = ?2 AND status = 'done'
              AND point_id IN (SELECT id FROM points WHERE status = 'INVALID') RETURNING id)sql");
          q.bind(1, queue).bind(2, device_class);
          int64_t n = 0;
          while (q.step()) ++n;
          if (requeued) *requeued = n;
        }
        for (const auto& e : entries) {
          auto q = db_->prepare(R"sql(
            INSERT INTO queue_items (queue, device_class, model_name, model_sha256, config_key, spec_json)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING RETURNING id)sql");
          q.bind(1, queue).bind(2, device_class).bind(3, e.model_name).bind(4, e.model_sha256)
              .bind(5, e.config_key).bind(6, e.spec_json);
          if (q.step()) ++added;
        }
      });
      return added;
    });
  }

  std::optional<QueueItem> claim(const std::string& queue, const std::string& device_class,
                                 const std::string& worker, const std::string& host_fingerprint, double lease_s,
                                 int max_attempts, const std::vector<int64_t>& excluded) override {
    return retrying([&] {
      // A claim that ran out while the server restarted (claimed before the server's start) was
      // lost to the outage, not to the point: it is not an attempt, and counts as an outage loss.
      auto outage = db_->prepare(R"sql(
        UPDATE queue_items SET attempts = greatest(attempts - 1, 0), outage_losses = outage_losses + 1,
          claimed_at = now(), outage_claim_token = claim_token
        WHERE queue = ?1 AND device_class = ?2 AND status = 'claimed' AND lease_until < now()
          AND claimed_at < pg_postmaster_start_time())sql");
      outage.bind(1, queue).bind(2, device_class).run();
      // A point every claim of which ran out (the worker died on it each time) fails instead.
      auto give_up = db_->prepare(R"sql(
        UPDATE queue_items SET status = 'failed', lease_until = NULL,
          error = 'claimed ' || attempts || ' times without finishing: each lease expired (a worker killed, '
                  || 'unplugged or stuck on this point; the last was ' || worker || ')'
        WHERE queue = ?1 AND device_class = ?2 AND status = 'claimed' AND lease_until < now()
          AND attempts >= ?3)sql");
      give_up.bind(1, queue).bind(2, device_class).bind(3, max_attempts).run();
      auto q = db_->prepare(R"sql(
        UPDATE queue_items SET status = 'claimed', worker = ?3, host_fingerprint = ?4,
          claim_token = nextval('queue_claims'), lease_until = now() + CAST(?5 AS DOUBLE PRECISION) * interval '1 second',
          attempts = attempts + 1, claimed_at = now(), error = ''
        WHERE id = (SELECT id FROM queue_items
                    WHERE queue = ?1 AND device_class = ?2
                      AND (status = 'pending' OR (status = 'claimed' AND lease_until < now()))
                      AND NOT (id = ANY (CAST(?6 AS BIGINT[])))
                    ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id, claim_token, attempts, model_name, model_sha256, config_key, spec_json)sql");
      q.bind(1, queue).bind(2, device_class).bind(3, worker).bind(4, host_fingerprint).bind(5, lease_s).bind(6, id_array(excluded));
      if (!q.step()) return std::optional<QueueItem>();
      QueueItem item;
      item.id = q.int64(0);
      item.token = q.int64(1);
      item.attempts = static_cast<int>(q.int64(2));
      item.entry = {q.text(3), q.text(4), q.text(5), q.text(6)};
      return std::optional<QueueItem>(item);
    });
  }

  bool renew(const QueueItem& item, double lease_s) override {
    return retrying([&] {
      auto q = db_->prepare(R"sql(
        UPDATE queue_items SET lease_until = now() + CAST(?3 AS DOUBLE PRECISION) * interval '1 second'
        WHERE id = ?1 AND claim_token = ?2 AND status = 'claimed' RETURNING id)sql");
      q.bind(1, item.id).bind(2, item.token).bind(3, lease_s);
      return q.step();
    });
  }

  bool complete(const QueueItem& item, const PointRecord* record, const HostInfo& host,
                const std::string& config_key, bool replace) override {
    return retrying([&] {
      bool done = false;
      transaction([&] {
        if (!holds(item)) {
          // Done under this very claim: this transaction committed but its answer was lost with
          // the connection, and this is the retry. Otherwise claimed again by another worker,
          // whose copy is the one stored.
          auto q = db_->prepare("SELECT id FROM queue_items WHERE id = ?1 AND claim_token = ?2 AND status = 'done'");
          q.bind(1, item.id).bind(2, item.token);
          done = q.step();
          return;
        }
        std::optional<int64_t> point_id;
        if (record) point_id = write_point(*record, host, replace);
        if (!point_id) point_id = stored_point_id(item.entry.model_sha256, config_key, host.fingerprint());
        auto q = db_->prepare(R"sql(
          UPDATE queue_items SET status = 'done', point_id = ?2, done_at = now(), lease_until = NULL, error = ''
          WHERE id = ?1)sql");
        q.bind(1, item.id).bind(2, point_id).run();
        done = true;
      });
      return done;
    });
  }

  void lost_to_outage(const QueueItem& item) override {
    retrying([&] {
      // The worker's claim ran out while its connection was lost and the point went to another
      // claim (or failed for running out of attempts): that claim was not an attempt. Once per
      // claim: a server restart may have forgiven it already (claim()).
      auto q = db_->prepare(R"sql(
        UPDATE queue_items SET attempts = greatest(attempts - 1, 0), outage_losses = outage_losses + 1,
          status = CASE WHEN status = 'failed' AND error LIKE 'claimed % times without finishing%' THEN 'pending'
                        ELSE status END,
          error = CASE WHEN status = 'failed' AND error LIKE 'claimed % times without finishing%' THEN ''
                       ELSE error END,
          outage_claim_token = ?2
        WHERE id = ?1 AND outage_claim_token IS DISTINCT FROM ?2)sql");
      q.bind(1, item.id).bind(2, item.token).run();
      return 0;
    });
  }

  bool release(const QueueItem& item, bool failed, const std::string& reason) override {
    return retrying([&] {
      auto q = db_->prepare(R"sql(
        UPDATE queue_items SET status = ?3, error = ?4, lease_until = NULL
        WHERE id = ?1 AND claim_token = ?2 AND status = 'claimed' RETURNING id)sql");
      q.bind(1, item.id).bind(2, item.token).bind(3, failed ? "failed" : "pending").bind(4, reason);
      return q.step();
    });
  }

  int64_t unfinished(const std::string& queue, const std::string& device_class,
                     const std::vector<int64_t>& excluded) override {
    return retrying([&] { return count_unfinished(queue, device_class, excluded); });
  }
  int64_t count_unfinished(const std::string& queue, const std::string& device_class,
                           const std::vector<int64_t>& excluded) {
    auto q = db_->prepare(R"sql(
      SELECT count(*) FROM queue_items WHERE queue = ?1 AND device_class = ?2 AND status IN ('pending', 'claimed')
        AND NOT (id = ANY (CAST(?3 AS BIGINT[]))))sql");
    q.bind(1, queue).bind(2, device_class).bind(3, id_array(excluded));
    return q.step() ? q.int64(0) : 0;
  }

  std::vector<QueueCount> status(const std::string& queue) override {
    auto q = db_->prepare(R"sql(
      SELECT queue, device_class, CASE WHEN status = 'pending' THEN '' ELSE worker END,
             CASE WHEN status = 'claimed' AND lease_until < now() THEN 'expired' ELSE status END,
             count(*), coalesce(max(NULLIF(error, '')), ''), sum(outage_losses)
      FROM queue_items WHERE (CAST(?1 AS TEXT) = '' OR queue = ?1)
      GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4)sql");
    q.bind(1, queue);
    std::vector<QueueCount> out;
    while (q.step()) out.push_back({q.text(0), q.text(1), q.text(2), q.text(3), q.int64(4), q.text(5), q.int64(6)});
    return out;
  }

  Store& store() override { return *this; }

 private:
  // Runs `work` again (up to five times) when PostgreSQL broke a deadlock or a serialisation
  // conflict by aborting this transaction.
  template <typename F>
  auto retrying(F work) -> decltype(work()) {
    for (int attempt = 1;; ++attempt) {
      try {
        return work();
      } catch (const Retryable& r) {
        if (attempt == 5) {
          throw Error("the fleet store " + db_->where + " kept aborting a transaction (" + r.detail +
                      "): run again", exit_code::kFailure);
        }
      } catch (const ConnectionLostError& lost) {
        // The transaction in flight was rolled back with the session: reconnect, then run it again.
        reconnect_or_give_up(lost);
      }
    }
  }

  // Waits 0.2 s, doubling up to 5 s, each wait between 0.5x and 1.5x (so workers cut off together
  // do not come back together), reconnecting after each, until connected or `give_up_s_` passed.
  // Without a policy (give_up_s_ < 0) one immediate reconnect is tried, then the loss is thrown.
  void reconnect_or_give_up(const ConnectionLostError& lost) {
    if (give_up_s_ < 0) {
      db_->reconnect();
      throw lost;
    }
    const auto start = std::chrono::steady_clock::now();
    std::mt19937 jitter(std::random_device{}());
    double wait_s = 0.2;
    if (say_) say_("lost the connection to the fleet store " + db_->where + "; reconnecting");
    while (true) {
      std::this_thread::sleep_for(
          std::chrono::duration<double>(wait_s * std::uniform_real_distribution<double>(0.5, 1.5)(jitter)));
      wait_s = std::min(wait_s * 2, 5.0);
      const double waited_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (db_->reconnect()) {
        if (say_) say_(fmt::format("reconnected to the fleet store {} after {:.1f} s", db_->where, waited_s));
        return;
      }
      if (waited_s >= give_up_s_) {
        throw ConnectionLostError(fmt::format(
            "the fleet store {} stayed unreachable for {:.0f} s ({}): check the server, then run again; points "
            "stored before are kept",
            db_->where, waited_s, first_line(PQerrorMessage(db_->conn))));
      }
    }
  }

 public:
  void ride_out_outages(double give_up_s, std::function<void(const std::string&)> say) override {
    give_up_s_ = give_up_s;
    say_ = std::move(say);
  }

 private:
  double give_up_s_ = -1;
  std::function<void(const std::string&)> say_;
  template <typename F>
  void transaction(F work) {
    db_->begin_write();
    try {
      work();
      db_->commit();
    } catch (...) {
      db_->rollback();
      throw;
    }
  }

  // Inside a transaction: locks the item if this claim still holds it.
  bool holds(const QueueItem& item) {
    auto q = db_->prepare(
        "SELECT id FROM queue_items WHERE id = ?1 AND claim_token = ?2 AND status = 'claimed' FOR UPDATE");
    q.bind(1, item.id).bind(2, item.token);
    return q.step();
  }

  std::optional<int64_t> stored_point_id(const std::string& model_sha256, const std::string& config_key,
                                         const std::string& host_fingerprint) {
    auto q = db_->prepare(
        "SELECT p.id FROM points p JOIN models m ON m.id = p.model_id JOIN configs c ON c.id = p.config_id "
        "JOIN hosts h ON h.id = p.host_id WHERE m.content_sha256 = ?1 AND c.key = ?2 AND h.fingerprint = ?3");
    q.bind(1, model_sha256).bind(2, config_key).bind(3, host_fingerprint);
    return q.step() ? std::optional<int64_t>(q.int64(0)) : std::nullopt;
  }

  int64_t scalar_int(const std::string& sql) {
    auto q = db_->prepare(sql);
    return q.step() ? q.int64(0) : 0;
  }

  static_assert(pg_schema::kCreatedAt + pg_schema::kPgMigrationCount == kSchemaVersion,
                "a schema version without its PostgreSQL migration");
  // Applies the migrations from the stored version up, each in its own transaction under the
  // creation lock (several devices may open an older store at once; the version is read again
  // under the lock), so the store is at one version or the next, never between. Readers migrate
  // too, as SQLite readers do.
  void migrate() {
    for (;;) {
      bool done = false;
      transaction([&] {
        db_->exec("SELECT pg_advisory_xact_lock(7135201)");
        const int64_t version = scalar_int("SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'schema_version'");
        if (version >= kSchemaVersion) {
          done = true;
          return;
        }
        db_->exec(pg_schema::kPgMigrations[version - pg_schema::kCreatedAt]);
        db_->exec("UPDATE meta SET value = '" + std::to_string(version + 1) + "' WHERE key = 'schema_version'");
      });
      if (done) return;
    }
  }

  // Checks that the database is an edgejoule store (or empty: then a writer creates one), of a
  // schema this build knows, and adds the configuration fields' columns it lacks.
  void open_schema(OpenMode mode) {
    const auto tables = [&] {
      return scalar_int("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()");
    };
    if (tables() == 0) {
      if (mode == OpenMode::kReadOnly) {
        throw Error("the fleet store " + db_->where + " is empty: run 'edgejoule profile --db ...' or a worker first");
      }
      transaction([&] {
        // One creator when several devices open a new store at once.
        db_->exec("SELECT pg_advisory_xact_lock(7135201)");
        if (tables() == 0) db_->exec(pg_schema::kCreate);
      });
    }
    std::string application;
    int64_t version = 0;
    if (scalar_int("SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() AND "
                   "table_name = 'meta' AND column_name IN ('key', 'value')") == 2) {
      auto q = db_->prepare("SELECT key, value FROM meta WHERE key IN ('application', 'schema_version')");
      while (q.step()) {
        if (q.text(0) == "application") application = q.text(1);
        if (q.text(0) == "schema_version") version = std::strtoll(q.text(1).c_str(), nullptr, 10);
      }
    }
    if (application != "edgejoule" || version == 0) {
      throw Error("the database of " + db_->where + " holds another application's tables, not an edgejoule "
                  "store: pass another database in --db (an empty one becomes a store); it was not modified");
    }
    if (version > kSchemaVersion) {
      throw Error("the fleet store " + db_->where + " was written by a newer edgejoule (schema " +
                  std::to_string(version) + ", this build knows " + std::to_string(kSchemaVersion) +
                  "): upgrade edgejoule on this device");
    }
    if (version < pg_schema::kCreatedAt) {
      throw Error("the fleet store " + db_->where + " has schema " + std::to_string(version) +
                  ", older than any this build can upgrade", exit_code::kFailure);
    }
    if (version < kSchemaVersion) migrate();
    config_columns_.clear();
    {
      auto q = db_->prepare("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                            "current_schema() AND table_name = 'configs'");
      while (q.step()) config_columns_.insert(q.text(0));
    }
    if (mode != OpenMode::kReadWrite) return;
    std::vector<const ConfigField*> missing;
    for (const auto& field : config_fields()) {
      if (!config_columns_.count(field.name)) missing.push_back(&field);
    }
    if (missing.empty()) return;
    transaction([&] {
      db_->exec("SELECT pg_advisory_xact_lock(7135201)");
      for (const auto* field : missing) {
        db_->exec("ALTER TABLE configs ADD COLUMN IF NOT EXISTS " + field->name +
                  (field->is_switch ? " BIGINT NOT NULL DEFAULT 0"
                                    : " TEXT NOT NULL DEFAULT '" + field->default_value() + "'"));
        config_columns_.insert(field->name);
      }
    });
  }
};

}  // namespace

std::unique_ptr<Store> open_postgres_store(const std::string& uri, OpenMode mode) {
  return std::make_unique<PgStore>(uri, mode);
}

std::unique_ptr<FleetQueue> open_postgres_queue(const std::string& uri) {
  return std::make_unique<PgStore>(uri, OpenMode::kReadWrite);
}

}  // namespace edgejoule
