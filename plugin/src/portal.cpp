#include "portal.hpp"

#include "audit/host_identity.hpp"
#include "common/error.hpp"
#include "common/storage.hpp"
#include "portal_schema.hpp"
#include "storage/postgresql/pg_store.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/storage_choice.hpp"
#include "storage/transaction.hpp"

namespace ehr::portal {

namespace {

const std::filesystem::path& require_directory(const std::filesystem::path& directory) {
  if (directory.empty())
    throw Error(EHR_STATUS_INVALID_ARGUMENT, "the host gave no data directory", "data_directory");
  std::error_code ec;
  if (!std::filesystem::is_directory(directory, ec)) {
    throw Error(EHR_STATUS_INVALID_ARGUMENT, "the data directory " + directory.string() + " does not exist",
                "data_directory");
  }
  return directory;
}

// The host's audit keys (R-SEC-3): none without a key service, or when the host keeps no audit
// key (the chain then stays unkeyed SHA-256, as before 1.1).
AuditKeySource audit_keys(const HostClient& host) {
  if (!host.supports_keys()) return {};
  return [&host](uint32_t key_id) -> std::optional<AuditKey> {
    try {
      const HostKey key = host.get_key(EHR_KEY_AUDIT, key_id);
      return AuditKey{key.id, std::string(reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size())};
    } catch (const Error& failed) {
      if (failed.code() == EHR_STATUS_NOT_FOUND) return std::nullopt;
      throw;
    }
  };
}

// The store the host admin chose (R-STORE-2). SQLite, the embedded default: portal.db in the
// plugin's data directory, created already migrated when missing (two fsyncs), else brought up to
// date. PostgreSQL: the shared database, migrated once under its migration lock whichever host
// starts first; the data directory still exists (the host gives one) but holds no database.
std::unique_ptr<Store> open_store(const PluginConfig& config, const std::filesystem::path& data_directory) {
  const StorageConfig choice = storage_choice(config);
  require_directory(data_directory);
  if (choice.backend == StorageConfig::Backend::postgresql) {
    auto store = std::make_unique<pg::PgStore>(choice.postgresql);
    store->migrate(portal_postgresql_steps());
    return store;
  }
  const std::span<const Migration> steps = portal_sqlite_steps();
  auto store = std::make_unique<SqliteStore>(
      create_database_if_missing(data_directory / Portal::kDatabaseFile, steps));
  store->migrate(steps);
  return store;
}

// This host's name in its audit checkpoint records (R-SEC-3). Only a shared store has several
// hosts on one chain; a SQLite chain belongs to its data directory, so it keeps the unnamed
// checkpoints it always had, and a first start costs no extra file and fsync.
std::string audit_host_id(const PluginConfig& config, const std::filesystem::path& data_directory) {
  if (storage_choice(config).backend != StorageConfig::Backend::postgresql) return {};
  return HostIdentity::load_or_create(data_directory);
}

}  // namespace

Portal::Portal(const PortalConfig& config)
    : host_(config.host),
      config_(config.config),
      webhook_settings_(WebhookSettings::from(config_)),
      at_rest_(host_, config_),
      schema_(SettingsSchema::load_file(config.settings_schema)),
      store_(open_store(config_, config.data_directory)),
      audit_(*store_, host_, audit_keys(host_), "portal-messaging",
             audit_host_id(config_, config.data_directory)),
      hooks_(host_),
      settings_(schema_, *store_, host_, audit_, hooks_),
      notifier_(host_, settings_, audit_),
      conversations_(*store_, host_, settings_, audit_, hooks_, at_rest_) {
  if (!at_rest_.encrypting())
    host_.log(LogLevel::warning,
              std::string("portal-messaging stores message subjects and bodies in clear: the "
                          "host has no key service and ") +
                  AtRest::kAllowPlaintextKey + " is true");
  audit_.start();
  conversations_.set_new_message_notifier(
      [this](const NewMessageNotice& notice) { notifier_.new_message(notice); });
  if (webhook_settings_) {
    load_webhook_keys();
    webhook_ = std::make_unique<WebhookDelivery>(*webhook_settings_, *store_, at_rest_);
    conversations_.set_webhook(webhook_.get());
  }
}

Portal::~Portal() = default;

void Portal::load_webhook_keys() {
  std::vector<uint32_t> keys;
  {
    Transaction tx(*store_, TransactionMode::read);
    keys = WebhookOutbox::payload_keys(tx);
  }
  for (uint32_t key_id : keys) at_rest_.preload_for_later(key_id);
}

}  // namespace ehr::portal
