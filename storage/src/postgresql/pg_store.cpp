#include "storage/postgresql/pg_store.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/postgresql/pg_migrations.hpp"
#include "storage/postgresql/pg_sql.hpp"
#include "storage/postgresql/pg_transaction.hpp"

namespace ehr::storage::pg {

namespace {

// REPEATABLE READ: the snapshot is taken by the transaction's first statement, which BEGIN travels
// with (store.hpp: a read sees what was committed before its first statement, and nothing after).
Begin begin_read() {
  return Begin{{"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"}, {}, /*deferred=*/true};
}
// READ COMMITTED whatever the server's default: each statement after the lock then sees the last
// committed write, where a snapshot taken before the wait (REPEATABLE READ) would not. The key is
// a number of the code's (PgStoreOptions), never a value a user typed. Both are sent with the
// transaction's first statement: the server still takes the lock before it runs that statement
// (it runs a pipeline's commands in order), so no statement of a write runs without the lock;
// only the client no longer waits in begin() for it.
std::vector<std::string> begin_write(std::int64_t write_lock_key) {
  return {"BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE",
          "SELECT pg_advisory_xact_lock(" + std::to_string(write_lock_key) + ")"};
}

// The lock is the only command of a write's BEGIN that waits: a statement timeout in it says so.
std::string write_lock_timeout(const std::string& store_name, std::chrono::milliseconds statement_timeout) {
  return "a write on " + store_name + " waited longer than the statement timeout of " +
         std::to_string(statement_timeout.count()) +
         " ms for another write to finish (another host's, or a transaction left open)";
}

PoolOptions pool_options(const PgStoreOptions& options,
                         std::shared_ptr<std::atomic<std::uint64_t>> round_trips) {
  PoolOptions pool;
  pool.connection.round_trips = std::move(round_trips);
  pool.connection.conninfo = options.conninfo;
  pool.connection.statement_timeout = options.statement_timeout;
  pool.size = options.pool_size;
  pool.acquire_timeout = options.acquire_timeout;
  return pool;
}

// A bound parameter, held until the statement runs (the caller's text may not live that long).
struct Parameter {
  enum class Kind { null, text, int64, bytes } kind = Kind::null;
  std::string bytes;
  std::int64_t number = 0;
};

class PgStatement final : public StatementBackend {
 public:
  // Prepared on the server now, not when first run: statements prepared one after another and
  // then sent travel together even the first time a session runs them.
  PgStatement(Connection& connection, const TranslatedSql& sql)
      : connection_(connection), sql_(sql), parameters_(static_cast<std::size_t>(sql.parameters)) {
    (void)connection_.prepare(Query{sql_.name, sql_.sql});
  }

  void bind_text(int index, std::string_view text) override { set(index, Parameter::Kind::text, text, 0); }
  void bind_int64(int index, std::int64_t value) override { set(index, Parameter::Kind::int64, {}, value); }
  void bind_blob(int index, std::string_view bytes) override { set(index, Parameter::Kind::bytes, bytes, 0); }
  void bind_null(int index) override { set(index, Parameter::Kind::null, {}, 0); }

  void send() override {
    if (rows_ || ticket_ != 0) return;
    ticket_ = connection_.send(Query{sql_.name, sql_.sql}, values());
  }

  bool step() override {
    if (!rows_) {
      run();
      row_ = -1;
    }
    if (row_ < rows_->size()) ++row_;
    return row_ < rows_->size();
  }

  void reset() override {
    forget();
    rows_.reset();
    row_ = -1;
  }

  ~PgStatement() override { forget(); }
  PgStatement(const PgStatement&) = delete;
  PgStatement& operator=(const PgStatement&) = delete;

  // As SQLite's: a NULL reads 0 and "".
  [[nodiscard]] std::int64_t int64(int column) const override {
    check_column(column);
    return rows_->is_null(row_, column) ? 0 : rows_->int64(row_, column);
  }
  [[nodiscard]] std::string text(int column) const override {
    check_column(column);
    return rows_->is_null(row_, column) ? std::string() : rows_->text(row_, column);
  }
  [[nodiscard]] bool is_null(int column) const override {
    check_column(column);
    return rows_->is_null(row_, column);
  }
  [[nodiscard]] std::int64_t changes() const override { return changes_; }

 private:
  void set(int index, Parameter::Kind kind, std::string_view bytes, std::int64_t number) {
    if (index < 1 || index > sql_.parameters)
      throw Error(EHR_STATUS_INTERNAL, "parameter " + std::to_string(index) + " bound to statement " +
                                           sql_.name + ", which has " + std::to_string(sql_.parameters));
    Parameter& parameter = parameters_[static_cast<std::size_t>(index - 1)];
    parameter.kind = kind;
    parameter.bytes.assign(bytes);
    parameter.number = number;
  }

  // A sent statement whose answer will not be read: the connection drops it.
  void forget() noexcept {
    if (ticket_ != 0) connection_.forget(ticket_);
    ticket_ = 0;
  }

  void run() {
    send();
    const std::uint64_t ticket = ticket_;
    ticket_ = 0;
    rows_.emplace(connection_.receive(ticket));
    changes_ = rows_->affected();
  }

  [[nodiscard]] std::vector<Value> values() const {
    std::vector<Value> values;
    values.reserve(parameters_.size());
    for (const Parameter& parameter : parameters_) {
      switch (parameter.kind) {
        case Parameter::Kind::null:
          values.emplace_back(std::monostate{});
          break;
        case Parameter::Kind::text:
          values.emplace_back(std::string_view(parameter.bytes));
          break;
        case Parameter::Kind::int64:
          values.emplace_back(parameter.number);
          break;
        case Parameter::Kind::bytes:
          values.emplace_back(Bytes{parameter.bytes});
          break;
      }
    }
    return values;
  }

  void check_column(int column) const {
    if (!rows_ || row_ < 0 || row_ >= rows_->size())
      throw Error(EHR_STATUS_INTERNAL, "statement " + sql_.name + " read with no row ready");
    if (column < 0 || column >= rows_->columns())
      throw Error(EHR_STATUS_INTERNAL, "statement " + sql_.name + " has no column " + std::to_string(column));
  }

  Connection& connection_;
  const TranslatedSql& sql_;
  std::vector<Parameter> parameters_;
  std::optional<Rows> rows_;
  std::uint64_t ticket_ = 0;  // sent, its answer not received yet
  int row_ = -1;
  std::int64_t changes_ = 0;
};

class PgTransaction final : public TransactionBackend {
 public:
  PgTransaction(Pool::Lease lease, Begin begin) : lease_(std::move(lease)), tx_(*lease_, std::move(begin)) {}

  [[nodiscard]] std::unique_ptr<StatementBackend> prepare(std::string_view sql) override {
    return std::make_unique<PgStatement>(*lease_, translate(sql));
  }
  void execute_script(std::string_view sql) override { lease_->run_command(sql); }
  void commit() override { tx_.commit(); }
  void send_commit() override { tx_.send_commit(); }
  [[nodiscard]] bool commit_sent() override { return tx_.commit_sent(); }
  [[nodiscard]] bool failed_to_open() const noexcept override { return tx_.failed_to_open(); }
  [[nodiscard]] bool connection_lost() const noexcept override { return !lease_->healthy(); }

 private:
  Pool::Lease lease_;  // declared first: the transaction ends (ROLLBACK) before the lease goes back
  Transaction tx_;
};

}  // namespace

PgStore::PgStore(const PgStoreOptions& options)
    : round_trips_(std::make_shared<std::atomic<std::uint64_t>>(0)),
      pool_(pool_options(options, round_trips_)),
      name_("PostgreSQL " + pool_.acquire()->server()),
      migrations_table_(options.migrations_table),
      schema_owner_(options.schema_owner),
      begin_write_(begin_write(options.write_lock_key)),
      write_lock_timeout_(write_lock_timeout(name_, options.statement_timeout)) {}

std::unique_ptr<TransactionBackend> PgStore::begin(TransactionMode mode) {
  if (mode == TransactionMode::read) return std::make_unique<PgTransaction>(pool_.acquire(), begin_read());
  return std::make_unique<PgTransaction>(pool_.acquire(),
                                         Begin{begin_write_, write_lock_timeout_, /*deferred=*/true});
}

int PgStore::migrate(std::span<const Migration> steps) {
  auto lease = pool_.acquire();
  return pg::migrate(*lease, steps, migrations_table_, schema_owner_);
}

}  // namespace ehr::storage::pg
