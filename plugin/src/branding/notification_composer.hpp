#pragma once

#include <map>
#include <string>
#include <string_view>

#include "branding/brand.hpp"
#include "host/host_records.hpp"

namespace ehr::portal {

class SettingsService;

enum class TemplateKind { new_message, portal_invitation };

// Fills the notification templates (the Notifications section of the settings schema, checked
// against their placeholder allow-list when saved) with a brand and a recipient. By construction
// it is never given a patient's name, a subject or a message body, so none can reach what the
// host sends (R-BRAND-4).
class NotificationComposer {
 public:
  explicit NotificationComposer(SettingsService& settings);

  [[nodiscard]] Notification compose(TemplateKind kind, const Principal& recipient, Delivery delivery,
                                     std::string_view recipient_first_name, const Brand& brand) const;

  // Replaces each {{name}} with values.at(name) (HTML-escaped when `html`); a name without a
  // value becomes empty text.
  [[nodiscard]] static std::string render(std::string_view text,
                                          const std::map<std::string, std::string>& values, bool html);

 private:
  SettingsService& settings_;
};

}  // namespace ehr::portal
