#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "storage/store.hpp"

namespace ehr::storage {

// The backend statement a Transaction lends out. The transaction ends every borrow when it ends
// (the backend gives its compiled statement back to its connection's cache), after which a
// Statement still holding the slot sees none.
struct StatementSlot {
  std::unique_ptr<StatementBackend> backend;
};

// A prepared statement borrowed from its Transaction, for the life of that transaction, whichever
// backend runs it. Values are only ever bound, never spliced into SQL text. Parameters are
// numbered from 1 (written ?1 ?2 ... in the SQL: store.hpp), columns from 0.
class Statement {
 public:
  Statement(Statement&& other) noexcept = default;
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

  // Starts the statement without waiting for its rows (store.hpp): statements sent together
  // before any is stepped cost one round trip on a server. step() then reads the rows.
  Statement& send();
  // Advances; true while a row is ready to read.
  [[nodiscard]] bool step();
  // Runs a statement that returns no rows (or whose rows are not wanted) to completion.
  void run();
  // Rewinds so the statement can run again with new bindings.
  void reset();

  [[nodiscard]] int64_t int64(int column) const;
  [[nodiscard]] std::string text(int column) const;
  [[nodiscard]] bool is_null(int column) const;
  // Rows the last run inserted, updated or deleted.
  [[nodiscard]] int64_t changes() const;

 private:
  friend class Transaction;
  explicit Statement(std::shared_ptr<StatementSlot> slot) : slot_(std::move(slot)) {}
  [[nodiscard]] StatementBackend& backend() const;

  std::shared_ptr<StatementSlot> slot_;
};

}  // namespace ehr::storage
