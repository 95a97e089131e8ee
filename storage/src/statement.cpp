#include "storage/statement.hpp"

#include <stdexcept>
#include <utility>

namespace ehr::storage {

Statement::~Statement() {
  // Still inside its transaction: the compiled statement goes back to its connection's cache now,
  // so that the next prepare of the same SQL in this transaction reuses it.
  if (slot_) slot_->backend.reset();
}

StatementBackend& Statement::backend() const {
  if (!slot_ || !slot_->backend) {
    throw std::logic_error("a statement was used after its transaction ended");
  }
  return *slot_->backend;
}

Statement& Statement::bind(int index, std::string_view text) {
  backend().bind_text(index, text);
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  backend().bind_blob(index, bytes);
  return *this;
}

Statement& Statement::bind(int index, int64_t value) {
  backend().bind_int64(index, value);
  return *this;
}

Statement& Statement::bind_null(int index) {
  backend().bind_null(index);
  return *this;
}

Statement& Statement::send() {
  backend().send();
  return *this;
}

bool Statement::step() {
  return backend().step();
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  backend().reset();
}

int64_t Statement::int64(int column) const {
  return backend().int64(column);
}

std::string Statement::text(int column) const {
  return backend().text(column);
}

bool Statement::is_null(int column) const {
  return backend().is_null(column);
}

int64_t Statement::changes() const {
  return backend().changes();
}

}  // namespace ehr::storage
