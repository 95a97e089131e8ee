#include "webhook/webhook_schema.hpp"

namespace ehr::portal {

namespace {

// The webhook outbox's step; its version is a place in the plugin's one sequence (portal_schema.hpp).
constexpr Migration kSqliteSteps[] = {
    // The webhook's outbox: a row per stored message, written in the message's own transaction,
    // so a message is durable exactly when its delivery is. Idempotency keys take the store id of
    // migration 6, which makes them unique across plugin databases.
    {7, "webhook: the delivery outbox", R"sql(
CREATE TABLE webhook_outbox (
  id              INTEGER PRIMARY KEY,
  message_id      INTEGER NOT NULL UNIQUE REFERENCES messages(id),
  thread_id       INTEGER NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  payload         TEXT,              -- the Communication; cleared once delivered
  state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,  -- unix ms
  created_at      INTEGER NOT NULL,
  delivered_at    INTEGER,
  last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_outbox_by_state ON webhook_outbox(state, thread_id, id);
)sql"},
};

}  // namespace

std::span<const Migration> webhook_sqlite_steps() {
  return kSqliteSteps;
}

}  // namespace ehr::portal
