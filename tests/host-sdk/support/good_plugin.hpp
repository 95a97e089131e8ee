// The well-behaved fixture plugin (tests/fixtures/plugins/good.c), loaded through the real
// PluginManager, for the wrapper tests.
#pragma once

#include <memory>

#include "ehr/host/plugin_manager.hpp"
#include "support/scratch.hpp"
#include "support/test_host.hpp"

namespace ehr::host::testing {

class GoodPlugin {
 public:
  GoodPlugin();
  TestHost& host() { return host_; }
  PluginManager& manager() { return *manager_; }
  const Registry& registry() { return manager_->registry(); }

 private:
  ScratchDir scratch_;
  TestHost host_;
  std::unique_ptr<PluginManager> manager_;
};

}  // namespace ehr::host::testing
