#include "projections/queries.h"

#include <charconv>

#include "ledger/date.h"

namespace grantledger::projections {

namespace {

const std::string kRecipient = ":recipient:";
using Which = schema::Event::Body::Which;

Result<int64_t> parse_time_ns(const std::string& t) {
  // "YYYY-MM-DD" (end of that day) or "YYYY-MM-DDTHH:MM:SSZ".
  GL_ASSIGN_OR_RETURN(int32_t day, parse_date(t.substr(0, 10)));
  int64_t base = int64_t{day} * 86400 * 1000000000LL;
  if (t.size() == 10) return base + 86400LL * 1000000000LL - 1;
  int h, m, s;
  if (t.size() != 20 || t[10] != 'T' || t[19] != 'Z' || std::sscanf(t.c_str() + 11, "%2d:%2d:%2d", &h, &m, &s) != 3 ||
      h > 23 || m > 59 || s > 59)
    return Status::invalid_argument("--known-at \"" + t + "\": expected a commit sequence, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
  return base + ((h * 60LL + m) * 60 + s) * 1000000000LL + 999999999;
}

}  // namespace

RecipientBalance& RecipientBalance::operator+=(const RecipientBalance& o) {
  allocated += o.allocated;
  reserved += o.reserved;
  paid += o.paid;
  returned += o.returned;
  remaining += o.remaining;
  return *this;
}

Result<uint64_t> resolve_known_at(Ledger& ledger, const std::string& text) {
  GL_ASSIGN_OR_RETURN(Head head, ledger.head());
  uint64_t seq = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), seq);
  if (ec == std::errc() && ptr == text.data() + text.size() && !text.empty()) {
    if (seq >= head.commit_count)
      return Status::invalid_argument("--known-at " + text + ": the log has commits 0.." + std::to_string(head.commit_count - 1));
    return seq + 1;
  }
  GL_ASSIGN_OR_RETURN(int64_t t, parse_time_ns(text));
  GL_ASSIGN_OR_RETURN(CommitRecord genesis, ledger.commit(0));
  if (t < genesis.info.recorded_at_ns)
    return Status::invalid_argument("--known-at " + text + " is before the log began (" +
                                    format_timestamp_ns(genesis.info.recorded_at_ns) + ")");
  // Recorded times never decrease: binary search for the commits recorded by t.
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
Result<std::map<std::string, RegistryRecord>> registry(Store& store, const std::string& prefix) {
  std::map<std::string, RegistryRecord> out;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(rocksdb::ReadOptions(), store.cf(Cf::kProjRegistry)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    RegistryRecord r;
    if (!decode_registry(std::string_view(it->value().data(), it->value().size()), &r))
      return Status::corruption("registry projection: malformed entry");
    out[it->key().ToString().substr(prefix.size())] = r;
  }
  GL_RETURN_IF_ERROR(from_rocks(it->status(), "scan registry"));
  return out;
}
}  // namespace

Result<std::map<std::string, RegistryRecord>> Queries::entities() { return registry(ledger_.store(), "entity/"); }
Result<std::map<std::string, RegistryRecord>> Queries::programmes() { return registry(ledger_.store(), "programme/"); }

Result<ProgrammeBalances> Queries::programme_balances(const std::string& programme, const AsOf& as_of) {
  GL_ASSIGN_OR_RETURN(auto all, programmes());
  auto found = all.find(programme);
  if (found == all.end()) return Status::not_found("programme " + programme + " is not registered");
  ProgrammeBalances out;
  out.code = programme;
  out.info = found->second;
  Store& store = ledger_.store();
  Snapshot snap(store.db());
  rocksdb::ReadOptions ro;
  ro.snapshot = snap.get();
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, store.cf(Cf::kProjJournal)));
  // Every account of the programme: "grant:P:pool", "grant:P:sector:S", "grant:P:recipient:R:x".
  const std::string prefix = "grant:" + programme + ":";
  const uint8_t closed = static_cast<uint8_t>(Which::PROGRAMME_CLOSED);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    JournalEntry e;
    if (!decode_journal(std::string_view(it->key().data(), it->key().size()), std::string_view(it->value().data(), it->value().size()), &e))
      return Status::corruption("journal projection: malformed entry");
    if (!as_of.includes(e.effective_date, e.commit_sequence)) continue;
    std::string rest = e.account.substr(prefix.size());
    if (rest == "pool") {
      out.pool += e.amount_ore;
    } else if (rest.rfind("sector:", 0) == 0) {
      out.sector_unallocated[rest.substr(7)] += e.amount_ore;
    } else if (rest.rfind("recipient:", 0) == 0) {
      size_t colon = rest.rfind(':');
      std::string recipient = rest.substr(10, colon - 10), kind = rest.substr(colon + 1);
      RecipientBalance& b = out.recipients[recipient];
      if (kind == "available") {
        b.remaining += e.amount_ore;
        if (e.event_type == closed) b.returned -= e.amount_ore;
      } else if (kind == "reserved") {
        b.reserved += e.amount_ore;
      } else if (kind == "paid") {
        b.paid += e.amount_ore;
      }
    }
  }
  GL_RETURN_IF_ERROR(from_rocks(it->status(), "scan journal"));
  for (auto& [_, b] : out.recipients) b.allocated = b.remaining + b.reserved + b.paid + b.returned;
  return out;
}

Result<std::vector<JournalEntry>> Queries::journal(const std::string& account, const AsOf& as_of) {
  Store& store = ledger_.store();
  Snapshot snap(store.db());
  rocksdb::ReadOptions ro;
  ro.snapshot = snap.get();
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, store.cf(Cf::kProjJournal)));
  Bytes prefix = journal_account_prefix(account);
  std::vector<JournalEntry> out;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    JournalEntry e;
    if (!decode_journal(std::string_view(it->key().data(), it->key().size()), std::string_view(it->value().data(), it->value().size()), &e))
      return Status::corruption("journal projection: malformed entry");
    if (as_of.includes(e.effective_date, e.commit_sequence)) out.push_back(std::move(e));
  }
  GL_RETURN_IF_ERROR(from_rocks(it->status(), "scan journal"));
  return out;
}

Result<int64_t> Queries::account_balance(const std::string& account, const AsOf& as_of) {
  GL_ASSIGN_OR_RETURN(auto entries, journal(account, as_of));
  int64_t sum = 0;
  for (const auto& e : entries) sum += e.amount_ore;
  return sum;
}

Result<std::map<std::string, int64_t>> Queries::balances() {
  Store& store = ledger_.store();
  std::map<std::string, int64_t> out;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(rocksdb::ReadOptions(), store.cf(Cf::kProjBalances)));
  for (it->SeekToFirst(); it->Valid(); it->Next())
    out[it->key().ToString()] = static_cast<int64_t>(get_u64_be(std::string_view(it->value().data(), it->value().size())));
  GL_RETURN_IF_ERROR(from_rocks(it->status(), "scan balances"));
  return out;
}

Result<std::map<std::string, int64_t>> Queries::claim_counts() {
  Store& store = ledger_.store();
  std::map<std::string, int64_t> out;
  const std::pair<char, const char*> names[] = {{'C', "claimed"}, {'A', "approved"}, {'R', "rejected"}, {'P', "paid"}, {'X', "cancelled"}};
  for (const auto& [code, name] : names) {
    auto v = store.get(Cf::kProjClaims, std::string("count/") + code);
    out[name] = v ? static_cast<int64_t>(get_u64_be(*v)) : 0;
  }
  return out;
}

Result<std::map<std::string, Queries::ProviderTotals>> Queries::providers() {
  Store& store = ledger_.store();
  std::map<std::string, ProviderTotals> out;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(rocksdb::ReadOptions(), store.cf(Cf::kProjProviders)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string key = it->key().ToString();
    int64_t v = static_cast<int64_t>(get_u64_be(std::string_view(it->value().data(), it->value().size())));
    if (key.rfind("count/", 0) == 0) out[key.substr(6)].count = v;
    if (key.rfind("total/", 0) == 0) out[key.substr(6)].total_ore = v;
  }
  GL_RETURN_IF_ERROR(from_rocks(it->status(), "scan providers"));
  return out;
}

}  // namespace grantledger::projections
