#include "audit/audit_schema_postgresql.hpp"
#include "messaging/conversation_schema_postgresql.hpp"
#include "portal_schema.hpp"
#include "settings/settings_schema_postgresql.hpp"
#include "webhook/webhook_schema_postgresql.hpp"

namespace ehr::portal {

std::span<const Migration> portal_postgresql_steps() {
  static const std::vector<Migration> steps =
      assemble_steps({audit_postgresql_steps(), settings_postgresql_steps(), conversations_postgresql_steps(),
                      webhook_postgresql_steps()});
  return steps;
}

}  // namespace ehr::portal
