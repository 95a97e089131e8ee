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

// The snapshot is taken by the SELECT in the same round trip as BEGIN: PostgreSQL would otherwise
// take it at the transaction's first query, and the reader would see writes committed after it
// began (store.hpp: a read sees nothing committed after it began).
constexpr std::string_view kBeginRead = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT 1";
// READ COMMITTED whatever the server's default: each statement after the lock then sees the last
// committed write, where a snapshot taken before the wait (REPEATABLE READ) would not. The key is
// a number of the code's (PgStoreOptions), never a value a user typed.
std::string begin_write(std::int64_t write_lock_key) {
  return "BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE; SELECT pg_advisory_xact_lock(" +
         std::to_string(write_lock_key) + ")";
}

PoolOptions pool_options(const PgStoreOptions& options) {
  PoolOptions pool;
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
  PgStatement(Connection& connection, const TranslatedSql& sql)
      : connection_(connection), sql_(sql), parameters_(static_cast<std::size_t>(sql.parameters)) {}

  void bind_text(int index, std::string_view text) override { set(index, Parameter::Kind::text, text, 0); }
  void bind_int64(int index, std::int64_t value) override { set(index, Parameter::Kind::int64, {}, value); }
  void bind_blob(int index, std::string_view bytes) override { set(index, Parameter::Kind::bytes, bytes, 0); }
  void bind_null(int index) override { set(index, Parameter::Kind::null, {}, 0); }

  bool step() override {
    if (!rows_) {
      run();
      row_ = -1;
    }
    if (row_ < rows_->size()) ++row_;
    return row_ < rows_->size();
  }

  void reset() override {
    rows_.reset();
    row_ = -1;
  }

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

  void run() {
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
    rows_.emplace(connection_.run(Query{sql_.name, sql_.sql}, values));
    changes_ = rows_->affected();
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
  int row_ = -1;
  std::int64_t changes_ = 0;
};

class PgTransaction final : public TransactionBackend {
 public:
  PgTransaction(Pool::Lease lease, std::string_view begin) : lease_(std::move(lease)), tx_(*lease_, begin) {}

  [[nodiscard]] std::unique_ptr<StatementBackend> prepare(std::string_view sql) override {
    return std::make_unique<PgStatement>(*lease_, translate(sql));
  }
  void execute_script(std::string_view sql) override { lease_->run_command(sql); }
  void commit() override { tx_.commit(); }

 private:
  Pool::Lease lease_;  // declared first: the transaction ends (ROLLBACK) before the lease goes back
  Transaction tx_;
};

}  // namespace

PgStore::PgStore(const PgStoreOptions& options)
    : pool_(pool_options(options)),
      name_("PostgreSQL " + pool_.acquire()->server()),
      statement_timeout_(options.statement_timeout),
      migrations_table_(options.migrations_table),
      schema_owner_(options.schema_owner),
      begin_write_(begin_write(options.write_lock_key)) {}

std::unique_ptr<TransactionBackend> PgStore::begin(TransactionMode mode) {
  try {
    return std::make_unique<PgTransaction>(pool_.acquire(),
                                           mode == TransactionMode::read ? kBeginRead : begin_write_);
  } catch (const PgError& error) {
    // The only statement of BEGIN that waits is the write lock's.
    if (mode != TransactionMode::write || error.sqlstate() != "57014") throw;
    throw PgError(EHR_STATUS_STORAGE,
                  "a write on " + name_ + " waited longer than the statement timeout of " +
                      std::to_string(statement_timeout_.count()) +
                      " ms for another write to finish (another host's, or a transaction left open)",
                  error.sqlstate());
  }
}

int PgStore::migrate(std::span<const Migration> steps) {
  auto lease = pool_.acquire();
  return pg::migrate(*lease, steps, migrations_table_, schema_owner_);
}

}  // namespace ehr::storage::pg
