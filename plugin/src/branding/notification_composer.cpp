#include "branding/notification_composer.hpp"

#include "settings/settings_service.hpp"

namespace ehr::portal {

namespace {

std::string escape_html(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

NotificationComposer::NotificationComposer(SettingsService& settings) : settings_(settings) {}

std::string NotificationComposer::render(std::string_view text,
                                         const std::map<std::string, std::string>& values, bool html) {
  std::string out;
  size_t at = 0;
  while (true) {
    const size_t open = text.find("{{", at);
    const size_t close = open == std::string_view::npos ? open : text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      out += text.substr(at);
      return out;
    }
    out += text.substr(at, open - at);
    auto value = values.find(std::string(text.substr(open + 2, close - open - 2)));
    if (value != values.end()) out += html ? escape_html(value->second) : value->second;
    at = close + 2;
  }
}

Notification NotificationComposer::compose(TemplateKind kind, const Principal& recipient, Delivery delivery,
                                           std::string_view recipient_first_name, const Brand& brand) const {
  const std::string prefix = kind == TemplateKind::new_message ? "new_message_" : "invitation_";
  const std::map<std::string, std::string> values = {
      {"brand_name", brand.name},
      {"brand_phone", brand.phone},
      {"brand_address", brand.address},
      {"sign_in_link", brand.sign_in_link},
      {"recipient_first_name", std::string(recipient_first_name)},
  };
  Notification notification;
  notification.kind =
      kind == TemplateKind::new_message ? NotificationKind::new_message : NotificationKind::portal_invitation;
  notification.delivery = delivery;
  notification.recipient = recipient;
  notification.subject = render(settings_.general_value(prefix + "subject"), values, false);
  notification.text = render(settings_.general_value(prefix + "text"), values, false);
  notification.html = render(settings_.general_value(prefix + "html"), values, true);
  notification.brand_name = brand.name;
  return notification;
}

}  // namespace ehr::portal
