// The sample integrator hook: card numbers are refused before they are stored (R-HOOK-1).
#include "card_number_guard.hpp"

#include <gtest/gtest.h>

namespace ehr::sample {
namespace {

TEST(CardNumberGuard, FindsCardNumbersWrittenTheWaysPeopleWriteThem) {
  EXPECT_TRUE(contains_card_number("my card is 4111111111111111 exp 12/28"));
  EXPECT_TRUE(contains_card_number("4111 1111 1111 1111"));
  EXPECT_TRUE(contains_card_number("card: 5500-0000-0000-0004."));
  EXPECT_TRUE(contains_card_number("Amex 378282246310005"));
}

TEST(CardNumberGuard, LeavesOrdinaryNumbersAlone) {
  EXPECT_FALSE(contains_card_number("Call +1 555 0100 on 2026-11-25 at 10:30"));
  EXPECT_FALSE(contains_card_number("4111 1111 1111 1112"));   // fails Luhn
  EXPECT_FALSE(contains_card_number("MRN 123456789012"));      // 12 digits
  EXPECT_FALSE(contains_card_number("12345678901234567890"));  // 20 digits
  EXPECT_FALSE(contains_card_number(""));
}

TEST(CardNumberGuard, RejectsOnlyBeforeStore) {
  ehr::host::HookEvent event;
  event.point = ehr::host::HookPoint::before_store;
  event.body = "pay with 4111 1111 1111 1111";
  const ehr::host::Status refused = card_number_guard(event);
  EXPECT_FALSE(refused.is_ok());
  EXPECT_NE(refused.message().find("payment card number"), std::string::npos);
  EXPECT_EQ(refused.message().find("4111"), std::string::npos);  // the refusal does not echo it
  event.body = "see you tomorrow";
  EXPECT_TRUE(card_number_guard(event).is_ok());
  event.subject = "4111111111111111";
  EXPECT_FALSE(card_number_guard(event).is_ok());
  event.point = ehr::host::HookPoint::after_store;
  EXPECT_TRUE(card_number_guard(event).is_ok());
}

}  // namespace
}  // namespace ehr::sample
