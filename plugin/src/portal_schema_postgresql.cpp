#include "audit/audit_schema_postgresql.hpp"
#include "messaging/conversation_schema_postgresql.hpp"
#include "portal_schema.hpp"
#include "settings/settings_schema_postgresql.hpp"
#include "webhook/webhook_schema_postgresql.hpp"

namespace ehr::portal {

namespace {

// A PL/pgSQL function because no built-in one raises an error on a value only known when the
// statement runs; VOLATILE so that the planner never evaluates it early, on a constant. EXECUTE
// is granted to PUBLIC, as for any new function: the least-privileged role needs no grant.
constexpr Migration kSharedSteps[] = {
    {6, "writes on a guess: the guard that refuses one whose guess no longer held", R"sql(
CREATE FUNCTION portal_guess_held(held boolean) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF held IS NOT TRUE THEN
    RAISE EXCEPTION 'the guess this write was made on no longer held' USING ERRCODE = 'PMG01';
  END IF;
  RETURN true;
END
$$;
)sql"},
};

}  // namespace

std::span<const Migration> shared_postgresql_steps() {
  return kSharedSteps;
}

std::span<const Migration> portal_postgresql_steps() {
  static const std::vector<Migration> steps =
      assemble_steps({audit_postgresql_steps(), settings_postgresql_steps(), conversations_postgresql_steps(),
                      webhook_postgresql_steps(), shared_postgresql_steps()});
  return steps;
}

}  // namespace ehr::portal
