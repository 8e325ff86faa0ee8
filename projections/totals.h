// The totals projection: versioned per-day and per-month sums of every measure, the index that
// makes bitemporal as-of queries fast (spec/PROJECTIONS.md, "totals" and "Cost model").
//
// A measure is an account ("grant:P:recipient:R:paid") or a derived split of one: the postings a
// programme_closed event makes on an `available` account, and the postings a project_closed event
// makes on a project's `available` account, are also summed under "<account>#returned", so
// "returned to the pool" is a sum like any other. Account names are
// built and read by ledger/account.h; the "#returned" suffix by for_each_measure and
// parse_measure here.
//
// key   = measure || 0x00 || granularity ('D' day | 'M' month) || bucket (u32 BE, order-preserving)
//         || ~epoch (u64 BE)
// value = sum_ore (i64 BE) || count (i64 BE)
//
// The value is the bucket's cumulative sum as the ledger knew it at the end of `epoch` (events
// [epoch·K, (epoch+1)·K), K = kTotalsEpochEvents). A bucket gets a new version only in the epochs
// that touch it; the inverted epoch puts the newest version first. `count` is the number of
// postings, a reversal's counting -1 when it undoes its original and +1 when it restores it (a
// reversal of a reversal; projections/reversal_chain.h), so for a provider it is the number of
// live course payments.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "ledger/account.h"
#include "ledger/bytes.h"
#include "ledger/ledger_state.h"

namespace grantledger::projections {

// Events per epoch. A query "as known at" a past point reads the versions of the epoch before it
// and replays at most this many events from the log (spec/PROJECTIONS.md, "Cost model").
inline constexpr uint64_t kTotalsEpochEvents = 4096;

inline constexpr char kGranularityDay = 'D';
inline constexpr char kGranularityMonth = 'M';

struct TotalsValue {
  Ore sum_ore;
  int64_t count = 0;
};

// The month bucket of a day (months since year 0), and the first day of a month bucket.
uint32_t month_bucket(int32_t day);
int32_t first_day_of_month_bucket(uint32_t month);
uint32_t day_bucket(int32_t day);

// The key prefix of one measure and granularity; `bucket` appended gives the bucket's prefix.
Bytes totals_prefix(std::string_view measure, char granularity);
Bytes totals_bucket_prefix(std::string_view measure, char granularity, uint32_t bucket);
Bytes totals_key(std::string_view measure, char granularity, uint32_t bucket, uint64_t epoch);
// The smallest key greater than every key of `measure` (to skip to the next measure).
Bytes totals_after_measure(std::string_view measure);

struct TotalsKey {
  std::string measure;
  char granularity = 0;
  uint32_t bucket = 0;
  uint64_t epoch = 0;
};
bool decode_totals_key(std::string_view key, TotalsKey* out);
Bytes encode_totals_value(const TotalsValue& v);
bool decode_totals_value(std::string_view bytes, TotalsValue* out);

// Calls `fn(measure, sum_delta, count_delta)` for every measure one posting moves.
// `event_type` is the event's union ordinal (schema::Event::Body::Which); `count_delta` is the
// event's (ReversalChains::count_delta: +1, or -1 for a reversal that undoes its original).
void for_each_measure(const Posting& posting, uint16_t event_type, int64_t count_delta,
                      const std::function<void(const std::string&, Ore, int64_t)>& fn);

// A measure's name read back: its account, and whether it is the "#returned" split of that
// (`available`) account. nullopt for a name that is neither an account nor such a split.
struct Measure {
  Account account;
  bool returned = false;
};
std::optional<Measure> parse_measure(std::string_view measure);

}  // namespace grantledger::projections
