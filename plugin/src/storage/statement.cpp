#include "storage/statement.hpp"

#include <sqlite3.h>

#include <stdexcept>
#include <utility>

#include "storage/database.hpp"

namespace ehr::portal {

Statement::Statement(Database& db, std::shared_ptr<StatementSlot> slot) : db_(&db), slot_(std::move(slot)) {}

Statement::Statement(Statement&& other) noexcept : db_(other.db_), slot_(std::move(other.slot_)) {}

Statement::~Statement() {
  // Still inside its transaction: leave the statement ready for the next borrower.
  if (slot_ && slot_->handle != nullptr) {
    sqlite3_reset(slot_->handle);
    sqlite3_clear_bindings(slot_->handle);
  }
}

sqlite3_stmt* Statement::handle() const {
  if (!slot_ || slot_->handle == nullptr) {
    throw std::logic_error("a statement was used after its transaction ended");
  }
  return slot_->handle;
}

void Statement::check(int rc) const {
  if (rc != SQLITE_OK) db_->fail("cannot bind a value");
}

Statement& Statement::bind(int index, std::string_view text) {
  check(sqlite3_bind_text64(handle(), index, text.data() != nullptr ? text.data() : "", text.size(),
                            SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  check(sqlite3_bind_blob64(handle(), index, bytes.data() != nullptr ? bytes.data() : "", bytes.size(),
                            SQLITE_TRANSIENT));
  return *this;
}

Statement& Statement::bind(int index, int64_t value) {
  check(sqlite3_bind_int64(handle(), index, value));
  return *this;
}

Statement& Statement::bind_null(int index) {
  check(sqlite3_bind_null(handle(), index));
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(handle());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(slot_->handle);
  db_->fail("a statement failed");
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(handle());
}

int64_t Statement::int64(int column) const {
  return sqlite3_column_int64(handle(), column);
}

std::string Statement::text(int column) const {
  sqlite3_stmt* statement = handle();
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
  if (data == nullptr) return {};
  return std::string(data, static_cast<size_t>(sqlite3_column_bytes(statement, column)));
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(handle(), column) == SQLITE_NULL;
}

}  // namespace ehr::portal
