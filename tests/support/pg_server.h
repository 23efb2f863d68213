#pragma once
// The throw-away PostgreSQL server of the tests (scripts/pg-test-server.sh): ctest starts it
// once per run as the fixture 'pg_server' and stops it at the end; a test binary run by hand
// starts it on first use (it then keeps running: stop it with the script's 'stop').

#include <cstdio>
#include <string>

namespace edgejoule::testing {

// Why PostgreSQL tests cannot run here, or "" when they can.
inline std::string pg_unavailable_reason() {
#ifndef EDGEJOULE_HAVE_POSTGRESQL
  return "this build has no PostgreSQL fleet store (libpq-dev was not found at configure time)";
#else
  return "";
#endif
}

// Runs the test server's script with `args`; returns its first line of output, or "" on failure
// (its stderr goes to the test's).
inline std::string pg_server_script(const std::string& args) {
  const std::string command = std::string(EDGEJOULE_SOURCE_DIR) + "/scripts/pg-test-server.sh " + args;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return "";
  std::string out;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe)) out += buffer;
  if (pclose(pipe) != 0) return "";
  return out.substr(0, out.find('\n'));
}

// A fresh, empty database on the test server (dropped first when it exists); its URI, for
// the trusted superuser 'edgejoule' over the Unix socket. "" when the server cannot start.
inline std::string fresh_pg_database(const std::string& name) {
  return pg_server_script(std::string("createdb ") + EDGEJOULE_TEST_PG_INSTANCE + " " + name);
}

// Runs SQL as the superuser in database `db`; returns the first line of its output.
inline std::string pg_sql(const std::string& db, const std::string& sql) {
  std::string quoted = "'";
  for (char c : sql) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  quoted += "'";
  return pg_server_script(std::string("psql ") + EDGEJOULE_TEST_PG_INSTANCE + " " + db + " " + quoted);
}

}  // namespace edgejoule::testing
