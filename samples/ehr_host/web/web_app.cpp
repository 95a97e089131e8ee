#include "web_app.hpp"

#include <httplib.h>

#include <cctype>
#include <fstream>
#include <kainjow/mustache.hpp>
#include <memory>
#include <sstream>
#include <unordered_map>

#include "command_line.hpp"
#include "output.hpp"

namespace ehr::sample::web {

namespace host = ehr::host;
namespace mustache = kainjow::mustache;

namespace {

constexpr const char* kSessionCookie = "ehr_session";
constexpr const char* kApiPrefix = "/api/v1";
constexpr const char* kJson = "application/json";
constexpr const char* kHtml = "text/html; charset=utf-8";

// Controls, C1 controls and bidi formatting characters are shown as [U+XXXX]: a message body
// cannot reorder or hide the text around it (R-SEC-1, R-WEB-4). Runs after the library's escaping.
std::string make_controls_visible(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  const auto code = [&](unsigned value) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "[U+%04X]", value);
    out += buffer;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if ((byte < 0x20 && byte != '\n' && byte != '\t') || byte == 0x7F) {
      code(byte);
      continue;
    }
    if (byte == 0xC2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) {
        code(next);
        ++i;
        continue;
      }
    }
    if (byte == 0xD8 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x9C) {
      code(0x061C);
      ++i;
      continue;
    }
    if (byte == 0xE2 && i + 2 < text.size()) {
      const unsigned value = 0x2000u | ((static_cast<unsigned char>(text[i + 1]) & 0x3Fu) << 6) |
                             (static_cast<unsigned char>(text[i + 2]) & 0x3Fu);
      const bool bidi = value == 0x200E || value == 0x200F || (value >= 0x202A && value <= 0x202E) ||
                        (value >= 0x2066 && value <= 0x2069);
      if (bidi) {
        code(value);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

mustache::data to_data(const Json& value) {
  switch (value.type()) {
    case Json::value_t::object: {
      mustache::data object{mustache::data::type::object};
      for (const auto& [key, member] : value.items()) object.set(key, to_data(member));
      return object;
    }
    case Json::value_t::array: {
      mustache::data list{mustache::data::type::list};
      for (const Json& item : value) list.push_back(to_data(item));
      return list;
    }
    case Json::value_t::boolean:
      return mustache::data{value.get<bool>()};
    case Json::value_t::string:
      // An empty string is false in a section, as in other mustache implementations.
      if (value.get_ref<const std::string&>().empty()) return mustache::data{false};
      return mustache::data{value.get<std::string>()};
    case Json::value_t::null:
      return mustache::data{false};
    default:
      return mustache::data{value.dump()};
  }
}

std::string session_cookie(const httplib::Request& http) {
  const std::string cookies = http.get_header_value("Cookie");
  std::istringstream in(cookies);
  std::string item;
  while (std::getline(in, item, ';')) {
    const auto start = item.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    item.erase(0, start);
    const std::string prefix = std::string(kSessionCookie) + "=";
    if (item.starts_with(prefix)) return item.substr(prefix.size());
  }
  return {};
}

Json error_object(const std::string& status, const std::string& message) {
  return {{"status", status}, {"reason", ""}, {"field", ""}, {"message", message}};
}

// "Alex Morgan" -> "AM", "Dr. Grace Lee" -> "GL": the button of the user menu.
std::string initials(const std::string& name) {
  std::istringstream words(name);
  std::string word;
  std::string letters;
  while (words >> word && letters.size() < 2) {
    if (word.ends_with('.') || !std::isalpha(static_cast<unsigned char>(word[0]))) continue;
    letters += static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
  }
  return letters.empty() ? "?" : letters;
}

// Browsers send a text area's line breaks as CR LF (HTML form submission); what is stored has LF.
std::string from_form(std::string value) {
  std::string::size_type at = 0;
  while ((at = value.find("\r\n", at)) != std::string::npos) value.erase(at, 1);
  return value;
}

const char* home_of(const host::Principal& who) {
  return who.kind == host::PrincipalKind::portal_user ? "/portal" : "/messages";
}

}  // namespace

std::string Request::param(const std::string& name) const {
  if (body.is_object()) {
    const auto found = body.find(name);
    if (found == body.end() || found->is_null()) return {};
    if (found->is_string()) return found->get<std::string>();
    if (found->is_boolean()) return found->get<bool>() ? "on" : "";
    return found->dump();
  }
  return from_form(http.get_param_value(name));
}

bool Request::has(const std::string& name) const {
  if (body.is_object()) return body.contains(name) && !body[name].is_null() && body[name] != false;
  return http.has_param(name);
}

std::vector<std::string> Request::params(const std::string& name) const {
  std::vector<std::string> values;
  if (body.is_object()) {
    const auto found = body.find(name);
    if (found == body.end()) return values;
    if (found->is_array()) {
      for (const Json& item : *found)
        if (item.is_string()) values.push_back(item.get<std::string>());
    } else if (found->is_string()) {
      values.push_back(found->get<std::string>());
    }
    return values;
  }
  const std::size_t count = http.get_param_value_count(name);
  for (std::size_t i = 0; i < count; ++i) values.push_back(from_form(http.get_param_value(name, i)));
  return values;
}

std::string Request::path(std::size_t index) const {
  return index < http.matches.size() ? std::string(http.matches[index]) : std::string();
}

Reply page(std::string view, Json model, int status) {
  return Reply{status, std::move(view), std::move(model), {}};
}

Reply see_other(std::string location, Json model) {
  return Reply{200, {}, std::move(model), std::move(location)};
}

WebError::WebError(int http_status, Json error)
    : std::runtime_error(error.value("message", std::string("refused"))),
      http_status_(http_status),
      error_(std::move(error)) {}

int http_status_of(const host::Status& status) {
  switch (status.code()) {
    case EHR_STATUS_NOT_FOUND:
      return 404;
    case EHR_STATUS_FORBIDDEN:
      return 403;
    case EHR_STATUS_INVALID_ARGUMENT:
    case EHR_STATUS_REJECTED:
      return 422;
    case EHR_STATUS_CONFLICT:
      return 409;
    case EHR_STATUS_DISABLED:
    case EHR_STATUS_UNSUPPORTED:
      return 503;
    default:
      return 500;
  }
}

Json error_json(const host::Status& status) {
  return {{"status", status.code_name()},
          {"reason", cli::deny_reason_name(status.deny_reason())},
          {"field", status.field()},
          {"message", status.message().empty() ? std::string(status.code_name()) : status.message()}};
}

void refuse(const host::Status& status) {
  throw WebError(http_status_of(status), error_json(status));
}

void refuse(int http_status, const std::string& status_word, const std::string& message) {
  throw WebError(http_status, error_object(status_word, message));
}

std::string display_time(std::int64_t unix_ms) {
  std::string text = cli::format_time(unix_ms);  // 2026-11-25T15:04:05Z
  if (text.size() >= 16) text = text.substr(0, 10) + " " + text.substr(11, 5) + " UTC";
  return text;
}

std::int64_t thread_id(const std::string& text) {
  std::int64_t id = 0;
  try {
    id = std::stoll(text);
  } catch (const std::exception&) {
    id = 0;
  }
  if (id <= 0 || std::to_string(id) != text) refuse(404, "not found", "no thread '" + text + "'");
  return id;
}

WebApp::WebApp(cli::SampleHost& host, WebOptions options)
    : host_(host),
      options_(std::move(options)),
      passwords_(host.paths().data_directory),
      sessions_(options_.idle_timeout),
      throttle_(5, 50, std::chrono::minutes(15)) {
  const std::filesystem::path directory = options_.web_root / "templates";
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    if (entry.path().extension() != ".mustache") continue;
    std::ifstream in(entry.path());
    std::ostringstream text;
    text << in.rdbuf();
    templates_[entry.path().stem().string()] = text.str();
  }
  if (error || !templates_.contains("layout")) {
    throw cli::CommandError(cli::kExitError, "no web templates in " + directory.string() +
                                                 " (set EHR_HOST_WEB to the folder holding templates/)");
  }
}

void WebApp::get(const std::string& pattern, Audience audience, Handler handler) {
  routes_.push_back({false, pattern, audience, std::move(handler)});
}

void WebApp::post(const std::string& pattern, Audience audience, Handler handler) {
  routes_.push_back({true, pattern, audience, std::move(handler)});
}

namespace {

// Parsing a template costs more than rendering it, so each server thread keeps the templates it
// has parsed, keyed by their text (kainjow's render is not const: a parsed template is never
// shared between threads).
mustache::mustache& parsed(const std::string& text) {
  thread_local std::unordered_map<std::string, std::unique_ptr<mustache::mustache>> cache;
  std::unique_ptr<mustache::mustache>& engine = cache[text];
  if (!engine) {
    engine = std::make_unique<mustache::mustache>(text);
    engine->set_custom_escape(
        [](const std::string& value) { return make_controls_visible(mustache::html_escape(value)); });
  }
  return *engine;
}

}  // namespace

std::string WebApp::render(const std::string& view, const Json& model, const Session* session) {
  const auto found = templates_.find(view);
  if (found == templates_.end()) throw std::logic_error("no template '" + view + "'");
  mustache::data data = to_data(model);
  if (session != nullptr) data.set("csrf", session->csrf);
  // Partials are the templates named "_*", so that they cannot shadow a model's member.
  for (const auto& [name, text] : templates_) {
    if (!name.starts_with('_')) continue;
    const std::string* partial_text = &text;
    data.set(name, mustache::data{mustache::partial{[partial_text] { return *partial_text; }}});
  }
  mustache::mustache& engine = parsed(found->second);
  std::string html = engine.render(data);
  if (!engine.is_valid()) throw std::logic_error("template " + view + ": " + engine.error_message());
  return html;
}

std::string WebApp::render_page(const std::string& view, Json model, const Session* session) {
  Json layout = {{"title", model.value("title", std::string("ehr-host"))}, {"signed_in", session != nullptr}};
  if (session != nullptr) {
    const bool portal = session->who.kind == host::PrincipalKind::portal_user;
    layout["is_portal"] = portal;
    layout["is_staff"] = !portal;
    layout["me"] = host_.display_name(session->who);
    layout["initials"] = initials(layout["me"].get<std::string>());
    std::uint64_t badge = 0;
    if (model.contains("unread_total")) {
      // An inbox page already holds the badge (its list's totals): the plugin is not asked twice.
      badge = model["unread_total"].get<std::uint64_t>();
    } else {
      try {
        auto unread = host_.channel().unread_total(session->who);
        if (unread) badge = *unread;
      } catch (const cli::CommandError&) {
        // No messaging plugin loaded: no badge to show.
      }
    }
    layout["badge"] = badge;
    layout["has_badge"] = badge > 0;
  }
  layout["content"] = render(view, model, session);
  return render("layout", layout, session);
}

void WebApp::add_sign_in(httplib::Server& server, Audience audience) {
  const bool portal = audience == Audience::portal;
  const std::string path = portal ? "/portal/login" : "/login";
  const Json form = {
      {"title", portal ? "Sign in to the patient portal" : "Sign in"}, {"action", path}, {"portal", portal}};
  server.Get(path, [this, form](const httplib::Request&, httplib::Response& res) {
    res.set_content(render_page("login", form, nullptr), kHtml);
  });
  const auto sign_in = [this, form, portal](const httplib::Request& http, httplib::Response& res, bool api) {
    Json body;
    if (api) body = Json::parse(http.body, nullptr, false);
    const auto field = [&](const char* name) {
      if (api)
        return body.is_object() && body.contains(name) && body[name].is_string()
                   ? body[name].get<std::string>()
                   : std::string();
      return http.get_param_value(name);
    };
    const std::string user = field("user");
    const std::string password = field("password");
    const auto fail = [&](int status, const std::string& word, const std::string& message) {
      res.status = status;
      if (api) {
        res.set_content(Json{{"error", error_object(word, message)}}.dump(), kJson);
      } else {
        Json model = form;
        model["error"] = message;
        model["user"] = user;
        res.set_content(render_page("login", model, nullptr), kHtml);
      }
    };
    if (!throttle_.allowed(user, http.remote_addr)) {
      fail(429, "too many attempts", "Too many failed sign-ins. Wait 15 minutes, then try again.");
      return;
    }
    std::optional<host::Principal> who;
    if (portal) {
      const PortalUser* found = host_.practice().find_portal_user(user);
      if (found != nullptr && found->active) who = host::Principal::portal_user(found->id);
    } else {
      const StaffUser* found = host_.practice().find_user(user);
      if (found != nullptr && found->active) who = host::Principal::staff(found->id);
    }
    const std::string account = portal ? "portal:" + user : user;
    // verify() runs even for an unknown user, so that timing does not reveal who exists.
    const bool matches = passwords_.verify(account, password);
    if (!who || !matches) {
      throttle_.failed(account, http.remote_addr);
      fail(401, "unauthenticated", "The user name or password is not right.");
      return;
    }
    throttle_.succeeded(account);
    const Session session = sessions_.open(*who);
    res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + session.id +
                                     "; Path=/; HttpOnly; SameSite=Strict" +
                                     (options_.tls ? "; Secure" : ""));
    if (api) {
      res.set_content(Json{{"principal", cli::principal_text(*who)}, {"csrf", session.csrf}}.dump(), kJson);
    } else {
      res.set_redirect(home_of(*who), 303);
    }
  };
  server.Post(path,
              [sign_in](const httplib::Request& http, httplib::Response& res) { sign_in(http, res, false); });
  server.Post(kApiPrefix + path,
              [sign_in](const httplib::Request& http, httplib::Response& res) { sign_in(http, res, true); });
}

void WebApp::install(httplib::Server& server) {
  server.set_default_headers({
      {"Content-Security-Policy",
       "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Cache-Control", "no-store"},
  });
  server.set_mount_point("/static", (options_.web_root / "static").string());
  add_sign_in(server, Audience::staff);
  add_sign_in(server, Audience::portal);

  server.Get("/", [this](const httplib::Request& http, httplib::Response& res) {
    const std::optional<Session> session = sessions_.touch(session_cookie(http));
    res.set_redirect(session ? home_of(session->who) : "/login", 303);
  });

  for (const bool api : {false, true}) {
    const auto sign_out = [this, api](const httplib::Request& http, httplib::Response& res) {
      const std::string id = session_cookie(http);
      const std::optional<Session> session = sessions_.touch(id);
      const std::string token = api ? http.get_header_value("X-CSRF-Token") : http.get_param_value("csrf");
      if (session && !same_token(token, session->csrf)) {
        res.status = 403;
        res.set_content(Json{{"error", error_object("forbidden", "missing or wrong CSRF token")}}.dump(),
                        kJson);
        return;
      }
      const bool portal = session && session->who.kind == host::PrincipalKind::portal_user;
      sessions_.close(id);
      res.set_header("Set-Cookie",
                     std::string(kSessionCookie) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
      if (api) {
        res.set_content(Json{{"signed_out", true}}.dump(), kJson);
      } else {
        res.set_redirect(portal ? "/portal/login" : "/login", 303);
      }
    };
    server.Post(std::string(api ? kApiPrefix : "") + "/logout", sign_out);
  }

  for (const Route& route : routes_) {
    for (const bool api : {false, true}) {
      const auto handle = [this, route, api](const httplib::Request& http, httplib::Response& res) {
        const auto answer_error = [&](int status, const Json& error, const Session* session) {
          res.status = status;
          if (api) {
            res.set_content(Json{{"error", error}}.dump(), kJson);
          } else {
            Json model = {{"title", status == 404 ? "Not found" : "Refused"}, {"error", error}};
            res.set_content(render_page("error", model, session), kHtml);
          }
        };
        const std::optional<Session> session = sessions_.touch(session_cookie(http));
        if (!session) {
          if (api) {
            answer_error(401, error_object("unauthenticated", "sign in first"), nullptr);
          } else {
            res.set_redirect(route.audience == Audience::portal ? "/portal/login" : "/login", 303);
          }
          return;
        }
        const bool portal_user = session->who.kind == host::PrincipalKind::portal_user;
        if (portal_user != (route.audience == Audience::portal)) {
          answer_error(403,
                       error_object("forbidden", portal_user ? "This page is for the practice's staff."
                                                             : "This page is for portal users."),
                       &*session);
          return;
        }
        Request request{http, *session, api, nullptr};
        if (api && route.post && !http.body.empty() &&
            http.get_header_value("Content-Type").starts_with(kJson)) {
          request.body = Json::parse(http.body, nullptr, false);
          if (!request.body.is_object()) {
            answer_error(400, error_object("invalid argument", "the body is not a JSON object"), &*session);
            return;
          }
        }
        if (route.post) {
          const std::string token =
              api ? http.get_header_value("X-CSRF-Token") : http.get_param_value("csrf");
          if (!same_token(token, session->csrf)) {
            answer_error(
                403, error_object("forbidden", "missing or wrong CSRF token; reload the page and try again"),
                &*session);
            return;
          }
        }
        Reply reply;
        try {
          reply = route.handler(request);
        } catch (const WebError& error) {
          answer_error(error.http_status(), error.error(), &*session);
          return;
        } catch (const cli::CommandError& error) {
          const int status = error.exit_code() == cli::kExitNotFound  ? 404
                             : error.exit_code() == cli::kExitRefused ? 403
                                                                      : 500;
          Json object = error_object(error.status().empty() ? "error" : error.status(), error.what());
          object["field"] = error.field();
          object["reason"] = error.reason();
          answer_error(status, object, &*session);
          return;
        }
        if (api) {
          res.status = reply.status;
          res.set_content(reply.model.dump(), kJson);
        } else if (!reply.redirect.empty()) {
          res.set_redirect(reply.redirect, 303);
        } else {
          res.status = reply.status;
          res.set_content(render_page(reply.view, std::move(reply.model), &*session), kHtml);
        }
      };
      const std::string pattern = (api ? std::string(kApiPrefix) : std::string()) + route.pattern;
      if (route.post) {
        server.Post(pattern, handle);
      } else {
        server.Get(pattern, handle);
      }
    }
  }
}

}  // namespace ehr::sample::web
