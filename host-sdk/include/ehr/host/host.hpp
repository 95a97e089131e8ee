// The C++ host SDK in one include.
#pragma once

#include "ehr/host/audit_log.hpp"
#include "ehr/host/hooks.hpp"
#include "ehr/host/host_services.hpp"
#include "ehr/host/host_types.hpp"
#include "ehr/host/key_store.hpp"
#include "ehr/host/manifest.hpp"
#include "ehr/host/messaging_channel.hpp"
#include "ehr/host/plugin_info.hpp"
#include "ehr/host/plugin_manager.hpp"
#include "ehr/host/principal.hpp"
#include "ehr/host/registry.hpp"
#include "ehr/host/role_store.hpp"
#include "ehr/host/roles_section.hpp"
#include "ehr/host/settings_pages.hpp"
#include "ehr/host/status.hpp"
