#include "storage/postgresql/pg_sql.hpp"

#include <cctype>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "storage/error.hpp"

namespace ehr::storage::pg {

namespace {

// PostgreSQL accepts at most 65535 parameters in one statement.
constexpr int kMaxParameter = 65535;

bool identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

[[noreturn]] void refuse(std::string_view sql, const std::string& why) {
  // The text holds no values (they are bound), so it may be quoted; a short start names it.
  constexpr std::size_t kExcerpt = 80;
  std::string excerpt(sql.substr(0, kExcerpt));
  if (sql.size() > kExcerpt) excerpt += "...";
  throw Error(EHR_STATUS_INTERNAL,
              "a statement cannot be sent to PostgreSQL: " + why + " (in \"" + excerpt + "\")");
}

// The index just past the quoted run starting at `begin` (a ' string or a " identifier; a doubled
// quote stands for itself).
std::size_t skip_quoted(std::string_view sql, std::size_t begin) {
  const char quote = sql[begin];
  for (std::size_t i = begin + 1; i < sql.size(); ++i) {
    if (sql[i] != quote) continue;
    if (i + 1 < sql.size() && sql[i + 1] == quote) {
      ++i;
      continue;
    }
    return i + 1;
  }
  refuse(sql,
         std::string("a ") + (quote == '\'' ? "string literal" : "quoted identifier") + " is not closed");
}

// Past a /* comment */, which PostgreSQL lets nest.
std::size_t skip_block_comment(std::string_view sql, std::size_t begin) {
  int depth = 0;
  for (std::size_t i = begin; i + 1 < sql.size(); ++i) {
    if (sql[i] == '/' && sql[i + 1] == '*') {
      ++depth;
      ++i;
    } else if (sql[i] == '*' && sql[i + 1] == '/') {
      ++i;
      if (--depth == 0) return i + 1;
    }
  }
  refuse(sql, "a /* comment is not closed");
}

// Past a $tag$ ... $tag$ string when one starts at `begin`, else `begin` itself.
std::size_t skip_dollar_quoted(std::string_view sql, std::size_t begin) {
  if (begin > 0 && identifier_char(sql[begin - 1])) return begin;  // part of a name, as in a$b
  std::size_t end = begin + 1;
  if (end < sql.size() && std::isdigit(static_cast<unsigned char>(sql[end])) != 0) return begin;  // $1
  while (end < sql.size() && sql[end] != '$' && identifier_char(sql[end])) ++end;
  if (end >= sql.size() || sql[end] != '$') return begin;
  const std::string_view tag = sql.substr(begin, end + 1 - begin);
  const std::size_t close = sql.find(tag, end + 1);
  if (close == std::string_view::npos)
    refuse(sql, "a dollar-quoted string " + std::string(tag) + " is not closed");
  return close + tag.size();
}

TranslatedSql translate_text(std::string_view sql) {
  TranslatedSql out{{}, {}, 0};
  out.sql.reserve(sql.size() + 8);
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    std::size_t next = i;
    if (c == '\'' || c == '"') {
      next = skip_quoted(sql, i);
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      next = sql.find('\n', i);
      if (next == std::string_view::npos) next = sql.size();
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      next = skip_block_comment(sql, i);
    } else if (c == '$') {
      next = skip_dollar_quoted(sql, i);
    } else if (c == '?') {
      std::size_t end = i + 1;
      int number = 0;
      while (end < sql.size() && std::isdigit(static_cast<unsigned char>(sql[end])) != 0) {
        number = std::min(number * 10 + (sql[end] - '0'), kMaxParameter + 1);
        ++end;
      }
      if (end == i + 1) refuse(sql, "a parameter ? has no number (write ?1, ?2, ...)");
      if (number < 1 || number > kMaxParameter)
        refuse(sql, "parameter ?" + std::string(sql.substr(i + 1, end - i - 1)) + " is out of range");
      out.sql += '$';
      out.sql += std::to_string(number);
      out.parameters = std::max(out.parameters, number);
      i = end;
      continue;
    }
    if (next == i) {
      out.sql += c;
      ++i;
    } else {
      out.sql.append(sql.substr(i, next - i));
      i = next;
    }
  }
  return out;
}

}  // namespace

const TranslatedSql& translate(std::string_view portable) {
  static std::mutex mutex;
  // Entries are never removed: the plugin's statements are a fixed set of texts, and a reference
  // handed out stays valid (the map's nodes do not move).
  static std::unordered_map<std::string, std::unique_ptr<TranslatedSql>> cache;
  std::lock_guard lock(mutex);
  auto found = cache.find(std::string(portable));
  if (found != cache.end()) return *found->second;
  auto translated = std::make_unique<TranslatedSql>(translate_text(portable));
  translated->name = "p" + std::to_string(cache.size() + 1);
  return *cache.emplace(std::string(portable), std::move(translated)).first->second;
}

}  // namespace ehr::storage::pg
