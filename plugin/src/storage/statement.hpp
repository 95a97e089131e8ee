#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

struct sqlite3_stmt;

namespace ehr::portal {

class Database;

// The compiled statement a Transaction lends out. The transaction owns it and gives it back to
// the connection's cache when it ends, after which any Statement still holding it sees nullptr.
struct StatementSlot {
  std::string sql;
  sqlite3_stmt* handle = nullptr;
};

// A prepared statement borrowed from its Database for the life of one Transaction. Values are
// only ever bound, never spliced into SQL text. Columns and parameters are numbered as SQLite
// numbers them: parameters from 1, columns from 0.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, uint32_t value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, static_cast<int64_t>(value ? 1 : 0)); }
  Statement& bind_null(int index);
  // Bytes, stored as a BLOB (text() reads them back).
  Statement& bind_blob(int index, std::string_view bytes);

  // Binds each argument to parameters 1, 2, ... in order.
  template <typename... Args>
  Statement& bind_all(const Args&... args) {
    int index = 0;
    (bind(++index, args), ...);
    return *this;
  }

  // Advances; true while a row is ready to read.
  [[nodiscard]] bool step();
  // Runs a statement that returns no rows (or whose rows are not wanted) to completion.
  void run();
  // Rewinds so the statement can run again with new bindings.
  void reset();

  [[nodiscard]] int64_t int64(int column) const;
  [[nodiscard]] std::string text(int column) const;
  [[nodiscard]] bool is_null(int column) const;

 private:
  friend class Transaction;
  Statement(Database& db, std::shared_ptr<StatementSlot> slot);
  [[nodiscard]] sqlite3_stmt* handle() const;
  void check(int rc) const;

  Database* db_;
  std::shared_ptr<StatementSlot> slot_;
};

}  // namespace ehr::portal
