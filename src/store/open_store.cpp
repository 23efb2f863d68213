// open_store: a --db value to the backend that keeps it. SQLite is always built in; the
// PostgreSQL fleet store where libpq was found at configure time (EDGEJOULE_HAVE_POSTGRESQL).
#include <algorithm>
#include <cctype>

#include "common/error.h"
#include "common/strings.h"
#include "store/fleet.h"
#include "store/store.h"

namespace edgejoule {

#ifdef EDGEJOULE_HAVE_POSTGRESQL
std::unique_ptr<Store> open_postgres_store(const std::string& uri, OpenMode mode);  // postgres_store.cpp
std::unique_ptr<FleetQueue> open_postgres_queue(const std::string& uri);
#endif

namespace {

#ifdef EDGEJOULE_HAVE_POSTGRESQL
constexpr bool kPostgres = true;
#else
constexpr bool kPostgres = false;
#endif

// The scheme of a --db value ("sqlite", "postgresql"; "postgres" is libpq's other spelling), or
// "" for a plain path. A scheme is letters before ':'; a file name with a colon in it is a path.
std::string scheme_of(const std::string& uri) {
  const auto colon = uri.find(':');
  if (colon == std::string::npos || colon == 0) return "";
  const std::string scheme = uri.substr(0, colon);
  const bool letters = std::all_of(scheme.begin(), scheme.end(), [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '+';
  });
  if (!letters) return "";
  if (scheme == "postgres") return "postgresql";
  for (const auto& b : store_backends()) {
    if (b.scheme == scheme) return scheme;
  }
  return "";
}

[[noreturn, maybe_unused]] void not_built(const std::string& uri) {
  const auto& pg = store_backends().back();
  throw Error("cannot open --db " + redact_uri(uri) + ": " + pg.build_hint + "; use an SQLite file (" +
              store_backends().front().example + ")");
}

}  // namespace

const std::vector<StoreBackend>& store_backends() {
  static const std::vector<StoreBackend> backends = {
      {"sqlite", "sqlite:edgejoule.db (or just a path)", true, ""},
      {"postgresql", "postgresql://user@host:5432/db (password from PGPASSWORD or ~/.pgpass)", kPostgres,
       kPostgres ? "" : "this edgejoule was built without the PostgreSQL fleet store (libpq-dev was not found "
                        "at configure time: 'make deps' installs it, then build again)"},
  };
  return backends;
}

std::unique_ptr<Store> open_store(const std::string& uri, OpenMode mode) {
  const std::string scheme = scheme_of(uri);
  if (scheme.empty()) return open_sqlite_store(uri, mode);
  if (scheme == "sqlite") {
    std::string path = uri.substr(uri.find(':') + 1);
    if (starts_with(path, "//")) path = path.substr(2);  // sqlite://PATH as well as sqlite:PATH
    if (path.empty()) throw Error("--db sqlite: needs a file path after 'sqlite:', e.g. sqlite:edgejoule.db");
    return open_sqlite_store(path, mode);
  }
#ifdef EDGEJOULE_HAVE_POSTGRESQL
  return open_postgres_store(uri, mode);
#else
  not_built(uri);
#endif
}

bool is_fleet_store(const std::string& uri) { return scheme_of(uri) == "postgresql"; }

std::unique_ptr<FleetQueue> open_fleet_queue(const std::string& uri) {
  if (!is_fleet_store(uri)) {
    throw Error("--db " + redact_uri(uri) + " is an SQLite file: shared sweeps (queues and workers) need the "
                "PostgreSQL fleet store, --db postgresql://USER@HOST/DB (docs/fleet.md)");
  }
#ifdef EDGEJOULE_HAVE_POSTGRESQL
  return open_postgres_queue(uri);
#else
  not_built(uri);
#endif
}

}  // namespace edgejoule
