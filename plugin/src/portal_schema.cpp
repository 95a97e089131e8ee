#include "portal_schema.hpp"

#include <algorithm>

#include "audit/audit_schema.hpp"
#include "messaging/conversation_schema.hpp"
#include "settings/settings_schema.hpp"
#include "webhook/webhook_schema.hpp"

namespace ehr::portal {

std::vector<Migration> assemble_steps(std::initializer_list<std::span<const Migration>> features) {
  std::vector<Migration> steps;
  for (std::span<const Migration> feature : features)
    steps.insert(steps.end(), feature.begin(), feature.end());
  // Stable: two steps claiming one version stay side by side, for migrate() to name.
  std::stable_sort(steps.begin(), steps.end(),
                   [](const Migration& a, const Migration& b) { return a.version < b.version; });
  return steps;
}

std::span<const Migration> portal_sqlite_steps() {
  static const std::vector<Migration> steps = assemble_steps(
      {audit_sqlite_steps(), settings_sqlite_steps(), conversations_sqlite_steps(), webhook_sqlite_steps()});
  return steps;
}

}  // namespace ehr::portal
