#include "card_number_guard.hpp"

#include <vector>

namespace ehr::sample {

namespace {

bool luhn_valid(const std::vector<int>& digits) {
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int digit = *it;
    if (twice) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    twice = !twice;
  }
  return sum % 10 == 0;
}

// A card number stands alone: a run of 13..19 digits, not a window inside a longer run (a long
// run of spaced numbers, dates and phone numbers would pass Luhn one time in ten).
bool run_is_card_number(const std::vector<int>& run) {
  return run.size() >= 13 && run.size() <= 19 && luhn_valid(run);
}

}  // namespace

bool contains_card_number(std::string_view text) {
  std::vector<int> run;
  char previous = '\0';
  for (const char c : text) {
    if (c >= '0' && c <= '9') {
      run.push_back(c - '0');
    } else if ((c == ' ' || c == '-') && previous >= '0' && previous <= '9') {
      // a separator inside a number keeps the run going
    } else {
      if (run_is_card_number(run)) return true;
      run.clear();
    }
    previous = c;
  }
  return run_is_card_number(run);
}

ehr::host::Status card_number_guard(const ehr::host::HookEvent& event) {
  if (event.point != ehr::host::HookPoint::before_store) return ehr::host::Status::ok();
  if (contains_card_number(event.body) || contains_card_number(event.subject)) {
    return ehr::host::Status::forbidden(
        "this message looks like it contains a payment card number; portal messages are not a safe place for "
        "card details, please call the office instead");
  }
  return ehr::host::Status::ok();
}

}  // namespace ehr::sample
