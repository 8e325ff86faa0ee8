// The claim_history projection's stored value: claim_change_value writes the common (ASCII) case
// directly, and must give exactly the bytes of the nlohmann::json object it replaced
// (claim_change_json), or every stored projection and digest would change.
#include <catch2/catch.hpp>

#include <climits>
#include <string>
#include <vector>

#include "projections/claim_history.h"

using namespace grantledger;
using namespace grantledger::projections;

TEST_CASE("claim_history: a change's stored value is byte for byte the JSON object's dump", "[projections][claims]") {
  std::string every_ascii;
  for (int c = 1; c < 0x80; ++c) every_ascii += static_cast<char>(c);
  const std::vector<std::string> texts = {"",
                                          "NKS-2013-000001",
                                          "ineligible: \"quoted\" and back\\slash",
                                          std::string("tab\there, newline\nthere, \b\f\r, bell \x07, escape \x1b, delete \x7f"),
                                          every_ascii,
                                          "ikke støttet: kurset er ikke en sygefraværsindsats",  // the general path
                                          "æøå \"Å\" \x01"};
  const std::vector<int64_t> amounts = {0, 1, -1, 123456789, INT64_MAX, INT64_MIN};
  const std::vector<int32_t> dates = {0, 15340, -1, INT32_MIN, INT32_MAX};
  size_t checked = 0;
  for (ClaimStatus state : kClaimStatuses)
    for (const std::string& text : texts)
      for (size_t i = 0; i < amounts.size(); ++i) {
        ClaimChange c;
        c.event_index = i;
        c.effective_date = dates[i % dates.size()];
        c.commit_sequence = i == 0 ? UINT64_MAX : i * 1000;
        c.state = state;
        c.text = text;
        c.programme = i % 2 ? "SYGEFRAVAER-2019-SAERLIG" : text;
        c.payment_id = i % 3 ? "BET-S-101-" + std::to_string(i) : text;
        c.amount_ore = Ore{amounts[i]};
        INFO("state " << claim_status_name(state) << ", text \"" << text << "\", case " << i);
        CHECK(claim_change_value(c) == claim_change_json(c));
        ++checked;
      }
  CHECK(checked == std::size(kClaimStatuses) * texts.size() * amounts.size());
}
