#include "ehr/host/status.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace ehr::host {
namespace {

int g_released = 0;
void count_release(ehr_error*) {
  ++g_released;
}

TEST(Status, DefaultIsOkAndFalseOnlyOnFailure) {
  Status ok;
  EXPECT_TRUE(ok);
  EXPECT_EQ(ok.code(), EHR_STATUS_OK);
  EXPECT_EQ(ok.to_string(), "ok");
  Status refused = Status::forbidden("user drlee lacks the role", EHR_DENY_STAFF_LACKS_ROLE);
  EXPECT_FALSE(refused);
  EXPECT_EQ(refused.deny_reason(), EHR_DENY_STAFF_LACKS_ROLE);
}

TEST(Status, PrintsCodeMessageAndField) {
  std::ostringstream out;
  out << Status::invalid_argument("audience", "audience must be care_team_only or selected_users");
  EXPECT_EQ(out.str(),
            "invalid argument: audience must be care_team_only or selected_users [field: audience]");
}

TEST(Status, FromCTakesTheErrorAndReleasesItThroughItsOwnFunction) {
  g_released = 0;
  ehr_error error{};
  error.struct_type = EHR_STRUCT_ERROR;
  error.struct_size = sizeof error;
  error.code = EHR_STATUS_FORBIDDEN;
  error.reason = EHR_DENY_NOT_ON_CARE_TEAM;
  error.message = ehr_str{"not on the care team", 20};
  error.field = ehr_str{"staff_user_id", 13};
  error.release = count_release;
  Status status = Status::from_c(EHR_STATUS_FORBIDDEN, &error);
  EXPECT_EQ(g_released, 1);
  EXPECT_EQ(status.code(), EHR_STATUS_FORBIDDEN);
  EXPECT_EQ(status.message(), "not on the care team");
  EXPECT_EQ(status.field(), "staff_user_id");
  EXPECT_EQ(status.deny_reason(), EHR_DENY_NOT_ON_CARE_TEAM);
}

TEST(Status, FromCWithoutAnErrorStillSaysSomething) {
  Status status = Status::from_c(EHR_STATUS_STORAGE, nullptr);
  EXPECT_EQ(status.code(), EHR_STATUS_STORAGE);
  EXPECT_FALSE(status.message().empty());
}

TEST(Status, FromCIgnoresAnErrorTooSmallToTrustButReleasesIt) {
  g_released = 0;
  ehr_error error{};
  error.struct_type = EHR_STRUCT_ERROR;
  error.struct_size = 8;  // claims to hold nothing beyond its header
  error.message = ehr_str{"garbage", 7};
  error.release = count_release;
  Status status = Status::from_c(EHR_STATUS_INTERNAL, &error);
  EXPECT_EQ(g_released, 1);
  EXPECT_NE(status.message(), "garbage");
}

TEST(Result, HoldsAValueOrAFailure) {
  Result<int> good = 42;
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, 42);
  EXPECT_TRUE(good.status());
  Result<int> bad = Status::not_found("unknown patient", "patient_id");
  EXPECT_FALSE(bad);
  EXPECT_EQ(bad.status().field(), "patient_id");
  EXPECT_EQ(bad.value_or(7), 7);
  EXPECT_THROW((void)bad.value(), BadResultAccess);
}

TEST(Result, AnOkStatusWithoutAValueBecomesAnInternalError) {
  Result<int> odd = Status();
  EXPECT_FALSE(odd);
  EXPECT_EQ(odd.status().code(), EHR_STATUS_INTERNAL);
}

}  // namespace
}  // namespace ehr::host
