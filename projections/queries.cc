#include "projections/queries.h"

#include <algorithm>
#include <charconv>
#include <tuple>

#include "ledger/canonical.h"
#include "ledger/date.h"
#include "ledger/log_reader.h"
#include "ledger/stored_value.h"
#include "ledger/postings.h"
#include "projections/registry.h"
#include "projections/reversal_chain.h"
#include "projections/totals.h"

namespace grantledger::projections {

namespace {

using Which = schema::Event::Body::Which;

constexpr int64_t kNsPerSecond = 1000000000;
constexpr int64_t kNsPerDay = 86400 * kNsPerSecond;

Status bad_known_at(const std::string& text) {
  return Status::invalid_argument("--known-at \"" + text +
                                  "\": expected a commit sequence (0, 1, ...), YYYY-MM-DD or "
                                  "YYYY-MM-DDTHH:MM:SS[.fffffffff]Z (UTC)");
}

// The n decimal digits at text[pos, pos + n), exactly; false if any is not a digit.
bool parse_digits(std::string_view text, size_t pos, size_t n, int64_t* out) {
  if (pos + n > text.size()) return false;
  int64_t v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    v = v * 10 + (text[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

// Adds each (field, amount) pair, naming the field when a sum leaves the int64 range.
static Status add_fields(std::initializer_list<std::tuple<Ore*, Ore, const char*>> fields) {
  for (const auto& [field, amount, name] : fields) GL_RETURN_IF_ERROR(add_to_sum(field, amount, name));
  return Status::ok();
}

Status RecipientBalance::add(const RecipientBalance& o) {
  return add_fields({{&allocated, o.allocated, "allocated"}, {&reserved, o.reserved, "reserved"}, {&paid, o.paid, "paid"},
                     {&returned, o.returned, "returned"}, {&remaining, o.remaining, "remaining"}});
}

Status ProjectBalance::add(const ProjectBalance& o) {
  return add_fields({{&granted, o.granted, "granted"}, {&reported, o.reported, "reported"}, {&paid, o.paid, "paid"},
                     {&returned, o.returned, "returned"}, {&remaining, o.remaining, "remaining"}});
}

Result<int64_t> parse_known_at_time_ns(const std::string& text) {
  if (text.size() < 10) return bad_known_at(text);
  auto day = parse_date(std::string_view(text).substr(0, 10));
  if (!day) return bad_known_at(text);
  const int64_t day_start_ns = int64_t{*day} * kNsPerDay;
  if (text.size() == 10) return day_start_ns + kNsPerDay - 1;  // the end of that UTC day
  // "THH:MM:SS", an optional fraction of 1..9 digits, "Z".
  int64_t h = 0, m = 0, s = 0, fraction_ns = 0;
  if (text.size() < 20 || text[10] != 'T' || !parse_digits(text, 11, 2, &h) || text[13] != ':' ||
      !parse_digits(text, 14, 2, &m) || text[16] != ':' || !parse_digits(text, 17, 2, &s) || text.back() != 'Z' ||
      h > 23 || m > 59 || s > 59)
    return bad_known_at(text);
  if (text.size() > 20) {
    const size_t n = text.size() - 21;  // the digits between '.' and 'Z'
    if (text[19] != '.' || n < 1 || n > 9 || !parse_digits(text, 20, n, &fraction_ns)) return bad_known_at(text);
    for (size_t i = n; i < 9; ++i) fraction_ns *= 10;
  }
  return day_start_ns + ((h * 60 + m) * 60 + s) * kNsPerSecond + fraction_ns;
}

Result<uint64_t> resolve_known_at(Ledger& ledger, const std::string& text) {
  GL_ASSIGN_OR_RETURN(Head head, ledger.head());
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
    uint64_t seq = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), seq);
    if (ec != std::errc() || ptr != text.data() + text.size() || seq >= head.commit_count)
      return Status::invalid_argument("--known-at " + text + ": the log has commits 0.." + std::to_string(head.commit_count - 1));
    return seq + 1;
  }
  GL_ASSIGN_OR_RETURN(int64_t t, parse_known_at_time_ns(text));
  GL_ASSIGN_OR_RETURN(CommitRecord genesis, ledger.commit(0));
  if (t < genesis.info.recorded_at_ns)
    return Status::invalid_argument("--known-at " + text + " is before the log began (" +
                                    format_timestamp_ns(genesis.info.recorded_at_ns) + ")");
  // Recorded times never decrease: binary search for the commits recorded at or before t.
  uint64_t lo = 1, hi = head.commit_count;  // answer in [lo, hi]
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo + 1) / 2;
    GL_ASSIGN_OR_RETURN(CommitRecord c, ledger.commit(mid - 1));
    if (c.info.recorded_at_ns <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

namespace {
Result<std::map<std::string, RegistryRecord>> registry(const ProjectionStore& store, const std::string& prefix) {
  std::map<std::string, RegistryRecord> out;
  ProjectionCursor it = store.cursor(Cf::kProjRegistry);
  for (it.seek(prefix); it.valid() && it.key().starts_with(prefix); it.next()) {
    RegistryRecord r;
    if (!decode_registry(it.value(), &r))
      return Status::corruption("registry projection: malformed entry " + printable_stored_key(it.key()) + "; run projections rebuild");
    out[std::string(it.key().substr(prefix.size()))] = r;
  }
  GL_RETURN_IF_ERROR(it.status("scan registry"));
  return out;
}
}  // namespace

Result<std::map<std::string, RegistryRecord>> Queries::entities() { return registry(store_, "entity/"); }
Result<std::map<std::string, RegistryRecord>> Queries::programmes() { return registry(store_, "programme/"); }
Result<std::map<std::string, RegistryRecord>> Queries::projects() { return registry(store_, "project/"); }

Result<ProgrammeBalances> Queries::programme_balances(const std::string& programme, const AsOf& as_of) {
  GL_ASSIGN_OR_RETURN(auto all, programmes());
  auto found = all.find(programme);
  if (found == all.end()) return Status::not_found("programme " + programme + " is not registered");
  ProgrammeBalances out;
  out.code = programme;
  out.info = found->second;
  // Every measure of the programme: its pool, sector shares and recipient accounts, and the
  // "#returned" splits of the latter (projections/totals.h). A name that is not one is skipped.
  GL_ASSIGN_OR_RETURN(auto sums, totals(Account::grant_prefix(programme), as_of));
  for (const auto& entry : sums) {
    // Named, not a structured binding: the lambda below captures them (clang 14, the fuzz build,
    // cannot capture structured bindings).
    const std::string& measure = entry.first;
    const MeasureTotals& t = entry.second;
    std::optional<Measure> m = parse_measure(measure);
    if (!m || m->account.programme() != programme) continue;
    const Account& a = m->account;
    // An `available` account's sum is what remains; its "#returned" split, what a closing took back.
    auto add_available = [&](Ore* remaining, Ore* returned) {
      return m->returned ? subtract_from_sum(returned, t.sum_ore, measure) : add_to_sum(remaining, t.sum_ore, measure);
    };
    switch (a.kind()) {
      case Account::Kind::kPool: GL_RETURN_IF_ERROR(add_to_sum(&out.pool, t.sum_ore, measure)); break;
      case Account::Kind::kSector:
        GL_RETURN_IF_ERROR(add_to_sum(&out.sector_unallocated[sector_name(*a.sector())], t.sum_ore, measure));
        break;
      case Account::Kind::kAvailable: {
        RecipientBalance& b = out.recipients[a.entity()];
        GL_RETURN_IF_ERROR(add_available(&b.remaining, &b.returned));
        break;
      }
      case Account::Kind::kReserved: GL_RETURN_IF_ERROR(add_to_sum(&out.recipients[a.entity()].reserved, t.sum_ore, measure)); break;
      case Account::Kind::kPaid: GL_RETURN_IF_ERROR(add_to_sum(&out.recipients[a.entity()].paid, t.sum_ore, measure)); break;
      case Account::Kind::kProjectAvailable: {
        ProjectBalance& b = out.projects[a.entity()];
        GL_RETURN_IF_ERROR(add_available(&b.remaining, &b.returned));
        break;
      }
      // Reported counts what was paid too: the paid account's money was reported first.
      case Account::Kind::kProjectReported: GL_RETURN_IF_ERROR(add_to_sum(&out.projects[a.entity()].reported, t.sum_ore, measure)); break;
      case Account::Kind::kProjectPaid: {
        ProjectBalance& b = out.projects[a.entity()];
        GL_RETURN_IF_ERROR(add_to_sum(&b.paid, t.sum_ore, measure));
        GL_RETURN_IF_ERROR(add_to_sum(&b.reported, t.sum_ore, measure));
        break;
      }
      default: break;  // not a grant account: no name with the prefix is one
    }
  }
  // What was given = what remains + every part that left it.
  auto given = [](Ore* out_sum, std::initializer_list<Ore> parts, const std::string& what) -> Status {
    for (Ore part : parts) GL_RETURN_IF_ERROR(add_to_sum(out_sum, part, what));
    return Status::ok();
  };
  for (auto& [project, b] : out.projects) {
    b.granted = b.remaining;
    GL_RETURN_IF_ERROR(given(&b.granted, {b.reported, b.returned}, "the grant of project " + project + " in programme " + programme));
  }
  for (auto& [recipient, b] : out.recipients) {
    b.allocated = b.remaining;
    GL_RETURN_IF_ERROR(given(&b.allocated, {b.reserved, b.paid, b.returned}, "the allocation of " + recipient + " in programme " + programme));
  }
  return out;
}

namespace {

// Adds one version-selected bucket scan to `sum`: every bucket of `measure` at `granularity` in
// [from_bucket, to_bucket], each at its newest version with epoch <= max_epoch.
Status sum_buckets(ProjectionCursor* it, const std::string& measure, char granularity, uint32_t from_bucket,
                   uint32_t to_bucket, uint64_t max_epoch, MeasureTotals* sum, bool* touched) {
  Bytes prefix = totals_prefix(measure, granularity);
  it->seek(totals_bucket_prefix(measure, granularity, from_bucket));
  bool have_bucket = false;
  uint32_t bucket = 0;
  for (; it->valid() && it->key().starts_with(prefix); it->next()) {
    TotalsKey k;
    if (!decode_totals_key(it->key(), &k))
      return Status::corruption("totals projection: malformed key " + printable_stored_key(it->key()));
    if (k.bucket > to_bucket) break;
    if (have_bucket && k.bucket == bucket) continue;  // an older version of a bucket already taken
    if (k.epoch > max_epoch) continue;                 // newer than the point asked about
    TotalsValue v;
    if (!decode_totals_value(it->value(), &v))
      return Status::corruption("totals projection: malformed value of " + printable_stored_key(it->key()));
    GL_RETURN_IF_ERROR(add_to_sum(&sum->sum_ore, v.sum_ore, measure));
    GL_RETURN_IF_ERROR(add_to_sum(&sum->count, v.count, measure));
    *touched = true;
    have_bucket = true;
    bucket = k.bucket;
  }
  return it->status("scan totals");
}

}  // namespace

Result<std::map<std::string, MeasureTotals>> Queries::totals(const std::string& prefix, const AsOf& as_of) {
  // The log and the projections, each read from one snapshot.
  GL_ASSIGN_OR_RETURN(std::unique_ptr<LogReader> log, LogReader::open(ledger_, {.postings = true}));
  const ProjectionStore::View view = store_.view();
  const Head head = log->head();

  // Which versions to read: all (known now), or those of the epochs complete before the first
  // event the ledger did not know yet, plus a replay of that epoch's known events.
  uint64_t max_epoch = UINT64_MAX;
  bool use_versions = true;
  uint64_t tail_from = 0, tail_to = 0;  // event indexes to replay
  if (as_of.known_commits && *as_of.known_commits < head.commit_count) {
    // The first commit the ledger did not know yet: where the known events end.
    GL_RETURN_IF_ERROR(log->seek(*as_of.known_commits));
    GL_ASSIGN_OR_RETURN(const CommitRecord* first_unknown, log->next_commit());
    if (!first_unknown) return Status::corruption("commit " + std::to_string(*as_of.known_commits) + " is missing");
    uint64_t known_events = first_unknown->info.first_event_index;
    uint64_t epoch = known_events / kTotalsEpochEvents;
    tail_from = epoch * kTotalsEpochEvents;
    tail_to = known_events;
    if (epoch == 0) use_versions = false;
    else max_epoch = epoch - 1;
  }

  uint32_t last_month = UINT32_MAX, month_of_date = 0, first_day = 0, last_day = 0;
  if (as_of.effective_date) {
    month_of_date = month_bucket(*as_of.effective_date);
    last_month = month_of_date == 0 ? 0 : month_of_date - 1;
    first_day = day_bucket(first_day_of_month_bucket(month_of_date));
    last_day = day_bucket(*as_of.effective_date);
  }

  std::map<std::string, MeasureTotals> out;
  if (use_versions) {
    ProjectionCursor it = view.cursor(Cf::kProjTotals);
    it.seek(prefix);
    // Skip-scan: one measure at a time, seeking straight to the buckets the date needs.
    while (it.valid() && it.key().starts_with(prefix)) {
      TotalsKey k;
      if (!decode_totals_key(it.key(), &k)) return Status::corruption("totals projection: malformed key " + printable_stored_key(it.key()));
      MeasureTotals sum;
      bool touched = false;
      if (!as_of.effective_date || month_of_date > 0)
        GL_RETURN_IF_ERROR(sum_buckets(&it, k.measure, kGranularityMonth, 0, last_month, max_epoch, &sum, &touched));
      if (as_of.effective_date)
        GL_RETURN_IF_ERROR(sum_buckets(&it, k.measure, kGranularityDay, first_day, last_day, max_epoch, &sum, &touched));
      if (touched) out[k.measure] = sum;
      it.seek(totals_after_measure(k.measure));
    }
    GL_RETURN_IF_ERROR(it.status("scan totals"));
  }

  // The known events of the epoch the versions do not cover, replayed from the log (each
  // checked against its commit's leaf hash, with its stored postings).
  if (tail_to > tail_from) {
    ReversalChains chains([&](uint64_t index) -> Result<DecodedMessage> {
      GL_ASSIGN_OR_RETURN(Bytes bytes, ledger_.event(index));
      return DecodedMessage::decode(bytes);
    });
    GL_ASSIGN_OR_RETURN(uint64_t first_commit, ledger_.commit_of_event(tail_from));
    GL_RETURN_IF_ERROR(log->seek(first_commit));
    bool done = false;
    while (!done) {
      GL_ASSIGN_OR_RETURN(const CommitRecord* c, log->next_commit());
      if (!c) break;
      while (true) {
        GL_ASSIGN_OR_RETURN(const LogEvent* e, log->next_event());
        if (!e) break;
        if (e->index >= tail_to) {
          done = true;
          break;
        }
        if (e->index < tail_from) continue;
        auto event = e->event();
        if (as_of.effective_date && event.getEffectiveDate() > *as_of.effective_date) continue;
        if (e->postings.empty()) continue;
        uint16_t type = static_cast<uint16_t>(event.getBody().which());
        GL_ASSIGN_OR_RETURN(int64_t count_delta, chains.count_delta(e->index, event));
        Status added = Status::ok();
        for (const Posting& p : e->postings)
          for_each_measure(p, type, count_delta, [&](const std::string& measure, Ore sum, int64_t count) {
            if (!added.is_ok() || !measure.starts_with(prefix)) return;
            MeasureTotals& t = out[measure];
            added = add_to_sum(&t.sum_ore, sum, measure);
            if (added.is_ok()) added = add_to_sum(&t.count, count, measure);
          });
        GL_RETURN_IF_ERROR(added);
      }
    }
  }
  return out;
}

namespace {
// A stored 8-byte value of a projection; anything else is a damaged projection (rebuild repairs it).
Result<int64_t> stored_i64(std::string_view projection, std::string_view key, std::string_view value) {
  if (value.size() != 8)
    return Status::corruption(std::string(projection) + " projection: stored value of \"" + std::string(key) + "\" is " +
                              std::to_string(value.size()) + " bytes, not 8; run projections rebuild");
  return static_cast<int64_t>(get_u64_be(value));
}
}  // namespace

Result<int32_t> Queries::first_effective_date() {
  GL_ASSIGN_OR_RETURN(std::optional<Bytes> v, store_.get(Cf::kProjRegistry, kFirstEffectiveDateKey));
  if (!v) return Status::not_found("the registry projection has no first effective date yet");
  GL_ASSIGN_OR_RETURN(int64_t day, stored_i64("registry", kFirstEffectiveDateKey, *v));
  return static_cast<int32_t>(static_cast<uint32_t>(day));
}

Status Queries::check_as_of(const AsOf& as_of) {
  if (!as_of.effective_date) return Status::ok();
  auto first = first_effective_date();
  if (!first) return first.error().code() == StatusCode::kNotFound ? Status::ok() : first.error();
  if (*as_of.effective_date < *first)
    return Status::invalid_argument("--as-of " + format_date(*as_of.effective_date) +
                                    " is before the log began (its first effective date is " + format_date(*first) + ")");
  return Status::ok();
}

Result<std::vector<JournalEntry>> Queries::journal(const std::string& account, const AsOf& as_of) {
  const ProjectionStore::View view = store_.view();
  ProjectionCursor it = view.cursor(Cf::kProjJournal);
  Bytes prefix = journal_account_prefix(account);
  std::vector<JournalEntry> out;
  for (it.seek(prefix); it.valid() && it.key().starts_with(prefix); it.next()) {
    JournalEntry e;
    if (!decode_journal(it.key(), it.value(), &e))
      return Status::corruption("journal projection: malformed entry " + printable_stored_key(it.key()) + "; run projections rebuild");
    if (as_of.includes(e.effective_date, e.commit_sequence)) out.push_back(std::move(e));
  }
  GL_RETURN_IF_ERROR(it.status("scan journal"));
  return out;
}

Result<Ore> Queries::account_balance(const std::string& account, const AsOf& as_of) {
  GL_ASSIGN_OR_RETURN(auto sums, totals(account, as_of));
  auto it = sums.find(account);
  return it == sums.end() ? Ore{} : it->second.sum_ore;
}

Result<std::map<std::string, Ore>> Queries::balances() {
  std::map<std::string, Ore> out;
  ProjectionCursor it = store_.cursor(Cf::kProjBalances);
  for (it.seek_to_first(); it.valid(); it.next()) {
    std::string key(it.key());
    GL_ASSIGN_OR_RETURN(out[key].value, stored_i64("balances", key, it.value()));
  }
  GL_RETURN_IF_ERROR(it.status("scan balances"));
  return out;
}

Result<std::map<std::string, int64_t>> Queries::claim_counts() {
  std::map<std::string, int64_t> out;
  const std::pair<char, const char*> names[] = {{'C', "claimed"}, {'A', "approved"}, {'R', "rejected"}, {'P', "paid"}, {'X', "cancelled"}};
  for (const auto& [code, name] : names) {
    std::string key = std::string("count/") + code;
    GL_ASSIGN_OR_RETURN(std::optional<Bytes> v, store_.get(Cf::kProjClaims, key));
    out[name] = 0;
    if (v) {
      GL_ASSIGN_OR_RETURN(out[name], stored_i64("claims", key, *v));
    }
  }
  return out;
}

Result<std::vector<ClaimAsOf>> Queries::claims(const std::string& entity, const AsOf& as_of) {
  if (!projection_present(ledger_, *find_projection("claim_history")))
    return Status::invalid_argument("this ledger was written by an earlier grantledger, without the claim_history projection; "
                                    "build it once with grantledger projections rebuild --data " + ledger_.store().dir());
  const ProjectionStore::View view = store_.view();
  ProjectionCursor it = view.cursor(Cf::kProjClaimHistory);
  const Bytes prefix = entity.empty() ? Bytes(kClaimChangePrefix) : claim_changes_of_entity(entity);
  std::vector<ClaimAsOf> out;
  std::string employer, claim_id;
  std::vector<ClaimChange> changes;  // of (employer, claim_id), in log order
  auto fold = [&]() -> Status {
    if (changes.empty()) return Status::ok();
    const ClaimChange& first = changes.front();
    if (first.state != ClaimStatus::kClaimed || first.programme.empty())
      return Status::corruption("claim_history projection: the first change of claim " + claim_id + " (event " +
                                std::to_string(first.event_index) + ") is not its claim; run projections rebuild");
    if (auto claim = claim_as_of(employer, claim_id, changes, as_of)) out.push_back(std::move(*claim));
    changes.clear();
    return Status::ok();
  };
  for (it.seek(prefix); it.valid() && it.key().starts_with(prefix); it.next()) {
    std::string e, id;
    ClaimChange c;
    if (!decode_claim_change(it.key(), it.value(), &e, &id, &c))
      return Status::corruption("claim_history projection: malformed entry " + printable_stored_key(it.key()) + "; run projections rebuild");
    if (e != employer || id != claim_id) {
      GL_RETURN_IF_ERROR(fold());
      employer = std::move(e);
      claim_id = std::move(id);
    }
    changes.push_back(std::move(c));
  }
  GL_RETURN_IF_ERROR(it.status("scan claim_history"));
  GL_RETURN_IF_ERROR(fold());
  return out;
}

Result<std::map<std::string, Queries::ProviderTotals>> Queries::providers(const AsOf& as_of) {
  GL_ASSIGN_OR_RETURN(auto sums, totals(std::string(Account::provider_prefix()), as_of));
  std::map<std::string, ProviderTotals> out;
  for (const auto& [measure, t] : sums) {
    std::optional<Account> account = Account::parse(measure);
    if (!account || account->kind() != Account::Kind::kCourseIncome) continue;
    ProviderTotals& p = out[account->entity()];
    GL_RETURN_IF_ERROR(add_to_sum(&p.count, t.count, measure));
    GL_RETURN_IF_ERROR(subtract_from_sum(&p.total_ore, t.sum_ore, measure));  // income is credited
  }
  return out;
}

Status Queries::check_account(const std::string& account) {
  GL_ASSIGN_OR_RETURN(std::optional<Bytes> v, store_.get(Cf::kProjBalances, account));
  if (v) return Status::ok();
  return Status::not_found("account " + account + ": no posting has touched it (accounts: spec/DOMAIN.md, \"Chart of accounts\")");
}

Result<std::vector<std::string>> Queries::accounts_of_entity(const std::string& code, const std::string& programme) {
  GL_ASSIGN_OR_RETURN(auto all_entities, entities());
  if (!all_entities.count(code)) return Status::not_found("--entity " + code + ": no such entity in the log");
  if (!programme.empty()) {
    GL_ASSIGN_OR_RETURN(auto all_programmes, programmes());
    if (!all_programmes.count(programme)) return Status::not_found("--programme " + programme + ": no such programme in the log");
  }
  GL_ASSIGN_OR_RETURN(auto all, balances());
  std::vector<std::string> out;
  for (const auto& [name, _] : all) {
    std::optional<Account> account = Account::parse(name);
    if (!account || account->is_project() || account->entity() != code) continue;  // a project code is no entity
    bool grant = account->is_recipient() && (programme.empty() || account->programme() == programme);
    bool own = programme.empty() && !account->is_recipient();  // its course_fees or course_income
    if (grant || own) out.push_back(name);
  }
  return out;
}

Result<std::vector<Queries::HistoryLine>> Queries::history(const std::vector<std::string>& accounts, const AsOf& as_of) {
  std::vector<HistoryLine> out;
  for (const std::string& account : accounts) {
    GL_ASSIGN_OR_RETURN(auto entries, journal(account, as_of));
    for (auto& e : entries) out.push_back(HistoryLine{std::move(e), {}, Ore{}});
  }
  std::stable_sort(out.begin(), out.end(), [](const HistoryLine& a, const HistoryLine& b) {
    if (a.entry.effective_date != b.entry.effective_date) return a.entry.effective_date < b.entry.effective_date;
    if (a.entry.event_index != b.entry.event_index) return a.entry.event_index < b.entry.event_index;
    return a.entry.account < b.entry.account;
  });
  std::map<std::string, Ore> running;
  GL_ASSIGN_OR_RETURN(std::unique_ptr<LogReader> log, LogReader::open(ledger_));
  for (HistoryLine& line : out) {
    Ore& balance = running[line.entry.account];
    GL_RETURN_IF_ERROR(add_to_sum(&balance, line.entry.amount_ore, line.entry.account));
    line.balance_ore = balance;
    const std::string name = "postings of event " + std::to_string(line.entry.event_index);
    GL_ASSIGN_OR_RETURN(std::optional<Bytes> stored, log->get(StoredFamily::kPostings, u64_be(line.entry.event_index)));
    if (!stored) return Status::corruption(name + " are missing, though the journal projection has an entry for it");
    auto postings = decode_postings(*stored);
    if (!postings) return postings.error().with_context(name + ": ");
    for (const Posting& p : *postings) {
      bool other_side = (p.amount < Ore{}) != (line.entry.amount_ore < Ore{});
      if (p.account != line.entry.account && other_side &&
          std::find(line.counter_accounts.begin(), line.counter_accounts.end(), p.account) == line.counter_accounts.end())
        line.counter_accounts.push_back(p.account);
    }
  }
  return out;
}

}  // namespace grantledger::projections
