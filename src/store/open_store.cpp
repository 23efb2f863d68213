// open_store: a --db value to the backend that keeps it, through the table of backends (one
// entry each, its opener null when it is not built in). SQLite is always built in; the
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

// sqlite:PATH, sqlite://PATH or a plain path.
std::unique_ptr<Store> open_sqlite_uri(const std::string& uri, OpenMode mode) {
  const auto colon = uri.find(':');
  std::string path = uri.substr(colon + 1);
  if (starts_with(path, "//")) path = path.substr(2);
  if (path.empty()) throw Error("--db sqlite: needs a file path after 'sqlite:', e.g. sqlite:edgejoule.db");
  return open_sqlite_store(path, mode);
}

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

// The backend of a --db value; a plain path is SQLite's.
const StoreBackend& backend_of(const std::string& uri) {
  const std::string scheme = scheme_of(uri);
  for (const auto& b : store_backends()) {
    if (b.scheme == (scheme.empty() ? "sqlite" : scheme)) return b;
  }
  return store_backends().front();
}

[[noreturn]] void not_built(const std::string& uri, const StoreBackend& backend) {
  throw Error("cannot open --db " + redact_uri(uri) + ": " + backend.build_hint + "; use an SQLite file (" +
              store_backends().front().example + ")");
}

}  // namespace

const std::vector<StoreBackend>& store_backends() {
  static const std::vector<StoreBackend> backends = {
      {"sqlite", "sqlite:edgejoule.db (or just a path)", "", &open_sqlite_uri, nullptr},
      {"postgresql", "postgresql://user@host:5432/db (password from PGPASSWORD or ~/.pgpass)",
       "this edgejoule was built without the PostgreSQL fleet store (libpq-dev was not found at configure time: "
       "'make deps' installs it, then build again)",
#ifdef EDGEJOULE_HAVE_POSTGRESQL
       &open_postgres_store, &open_postgres_queue
#else
       nullptr, nullptr
#endif
      },
  };
  return backends;
}

std::unique_ptr<Store> open_store(const std::string& uri, OpenMode mode) {
  const StoreBackend& backend = backend_of(uri);
  if (!backend.built_in()) not_built(uri, backend);
  // A plain path has no scheme to strip: SQLite's opener takes it as sqlite:PATH.
  return backend.open(scheme_of(uri).empty() ? "sqlite:" + uri : uri, mode);
}

bool is_fleet_store(const std::string& uri) { return scheme_of(uri) == "postgresql"; }

std::unique_ptr<FleetQueue> open_fleet_queue(const std::string& uri) {
  const StoreBackend& backend = backend_of(uri);
  if (backend.scheme != "postgresql") {
    throw Error("--db " + redact_uri(uri) + " is an SQLite file: shared sweeps (queues and workers) need the "
                "PostgreSQL fleet store, --db postgresql://USER@HOST/DB (docs/fleet.md)");
  }
  if (!backend.open_queue) not_built(uri, backend);
  return backend.open_queue(uri);
}

}  // namespace edgejoule
