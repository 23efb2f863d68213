// CSV and Markdown exports: the flat fields of the one row schema (core/result_row.h), so both
// carry the same fields with the same names and units as the JSON and the HTML report.

#include <functional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "report/writers.h"

namespace edgejoule {
namespace {

// The flat columns of the one row schema (core/result_row.h), in its order.
std::vector<const RowField*> flat_fields() {
  std::vector<const RowField*> out;
  for (const auto& f : row_fields()) {
    if (f.flat) out.push_back(&f);
  }
  return out;
}

// RFC 4180: quote fields holding a comma, quote or line break; double the quotes.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string md_field(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

}  // namespace

void write_csv(std::ostream& out, const std::vector<ResultRow>& rows) {
  const auto cols = flat_fields();
  for (size_t i = 0; i < cols.size(); ++i) out << (i ? "," : "") << cols[i]->name;
  out << "\r\n";
  for (const auto& r : rows) {
    for (size_t i = 0; i < cols.size(); ++i) out << (i ? "," : "") << csv_field(flat_text(cols[i]->value(r)));
    out << "\r\n";
  }
}

void write_markdown(std::ostream& out, const std::vector<ResultRow>& rows) {
  const auto cols = flat_fields();
  out << "|";
  for (const auto* c : cols) out << " " << c->name << " |";
  out << "\n|";
  for (size_t i = 0; i < cols.size(); ++i) out << "---|";
  out << "\n";
  for (const auto& r : rows) {
    out << "|";
    for (const auto* c : cols) out << " " << md_field(flat_text(c->value(r))) << " |";
    out << "\n";
  }
}

}  // namespace edgejoule
