// The web console and patient portal of the reference host: one handler per page, each answering
// a JSON view model that the same route shows as HTML (a mustache template) and, under /api/v1/,
// as JSON. Every request is authenticated, checked for its audience (staff or portal) and, when it
// changes something, for its CSRF token, before a handler runs; the plugin and the host check the
// rest (roles, care teams, contacts) on every call.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "ehr/host/status.hpp"
#include "password_store.hpp"
#include "sample_host.hpp"
#include "sessions.hpp"

namespace httplib {
class Server;
struct Request;
}  // namespace httplib

namespace ehr::sample::web {

using Json = nlohmann::json;

enum class Audience { staff, portal };

struct Request {
  const httplib::Request& http;
  const Session& session;
  bool api;   // under /api/v1/: JSON in and out
  Json body;  // the JSON body of an API call, else null

  // A form field, query parameter or JSON body member; empty when absent.
  [[nodiscard]] std::string param(const std::string& name) const;
  [[nodiscard]] bool has(const std::string& name) const;
  // Every value of a repeated field (a multi-select, check boxes of one name).
  [[nodiscard]] std::vector<std::string> params(const std::string& name) const;
  [[nodiscard]] std::string path(std::size_t index) const;  // the pattern's capture groups, from 1
  [[nodiscard]] const ehr::host::Principal& who() const { return session.who; }
};

struct Reply {
  int status = 200;
  std::string view;      // the template showing `model` as HTML
  Json model;            // the API's answer
  std::string redirect;  // HTML only: where the browser goes after a successful change
};

[[nodiscard]] Reply page(std::string view, Json model, int status = 200);
[[nodiscard]] Reply see_other(std::string location, Json model);

// A refusal on its way to the browser: an HTTP status and the SDK's words
// ({"error": {"status", "reason", "field", "message"}}).
class WebError : public std::runtime_error {
 public:
  WebError(int http_status, Json error);
  [[nodiscard]] int http_status() const { return http_status_; }
  [[nodiscard]] const Json& error() const { return error_; }

 private:
  int http_status_;
  Json error_;
};

[[noreturn]] void refuse(const ehr::host::Status& status);
[[noreturn]] void refuse(int http_status, const std::string& status_word, const std::string& message);
[[nodiscard]] int http_status_of(const ehr::host::Status& status);
// {"status", "reason", "field", "message"} of a refusal, for a page that shows it next to a field.
[[nodiscard]] Json error_json(const ehr::host::Status& status);

template <class T>
T need(ehr::host::Result<T> result) {
  if (!result) refuse(result.status());
  return std::move(*result);
}
inline void need(const ehr::host::Status& status) {
  if (!status) refuse(status);
}

struct WebOptions {
  std::filesystem::path web_root;  // templates/ and static/
  bool tls = false;
  std::chrono::seconds idle_timeout{15 * 60};
};

class WebApp {
 public:
  using Handler = std::function<Reply(Request&)>;

  WebApp(cli::SampleHost& host, WebOptions options);
  [[nodiscard]] cli::SampleHost& host() { return host_; }

  // `pattern` is a regular expression on the path; it is served as HTML and under /api/v1.
  void get(const std::string& pattern, Audience audience, Handler handler);
  void post(const std::string& pattern, Audience audience, Handler handler);
  void install(httplib::Server& server);

 private:
  struct Route {
    bool post;
    std::string pattern;
    Audience audience;
    Handler handler;
  };
  void add_sign_in(httplib::Server& server, Audience audience);
  std::string render(const std::string& view, const Json& model, const Session* session);
  std::string render_page(const std::string& view, Json model, const Session* session);

  cli::SampleHost& host_;
  WebOptions options_;
  PasswordStore passwords_;
  SessionStore sessions_;
  LoginThrottle throttle_;
  std::map<std::string, std::string> templates_;
  std::vector<Route> routes_;
};

void add_staff_pages(WebApp& app);
void add_portal_pages(WebApp& app);

// Display helpers the pages share.
[[nodiscard]] std::string display_time(std::int64_t unix_ms);
[[nodiscard]] Json thread_list_json(cli::SampleHost& host, const ehr::host::ThreadList& list);
[[nodiscard]] Json thread_json(cli::SampleHost& host, const ehr::host::Principal& reader,
                               std::int64_t thread_id);
[[nodiscard]] std::int64_t thread_id(const std::string& text);
// The practice a portal page about this chart names (the plugin's brand rules); null when the
// plugin does not offer chart brands.
[[nodiscard]] Json chart_brand_json(cli::SampleHost& host, const ehr::host::Principal& reader,
                                    const std::string& patient_id);

}  // namespace ehr::sample::web
