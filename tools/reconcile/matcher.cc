#include "tools/reconcile/matcher.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <unordered_map>

namespace grantledger::reconcile {

namespace {

int64_t day_distance(int32_t a, int32_t b) { return std::llabs(static_cast<int64_t>(a) - b); }

}  // namespace

std::string normalise_name(std::string_view s) {
  std::string out;
  bool space = false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else if (c == 0xC3 && i + 1 < s.size() &&
               (static_cast<unsigned char>(s[i + 1]) == 0x86 || static_cast<unsigned char>(s[i + 1]) == 0x98 ||
                static_cast<unsigned char>(s[i + 1]) == 0x85)) {
      out += static_cast<char>(c);
      out += static_cast<char>(static_cast<unsigned char>(s[i + 1]) + 0x20);  // Æ->æ, Ø->ø, Å->å
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

const char* class_name(MatchClass c) {
  switch (c) {
    case MatchClass::kMatched: return "matched";
    case MatchClass::kMissingInStatement: return "missing_in_statement";
    case MatchClass::kMissingInLedger: return "missing_in_ledger";
    case MatchClass::kAmountDiffers: return "amount_differs";
    case MatchClass::kPayeeDiffers: return "payee_differs";
    case MatchClass::kDateOutsideTolerance: return "date_outside_tolerance";
    case MatchClass::kDuplicateInStatement: return "duplicate_in_statement";
    case MatchClass::kDuplicateInLedger: return "duplicate_in_ledger";
  }
  return "unknown";
}

bool payee_matches(const Disbursement& d, const StatementEntry& e) {
  if (!e.payee_id.empty() && e.payee_id == d.payee_code) return true;
  std::string name = normalise_name(e.payee_name);
  if (name.empty()) return false;
  return name == normalise_name(d.payee_name) || name == normalise_name(d.payee_current_name) || name == normalise_name(d.payee_code);
}

MatchResult match(const std::vector<Disbursement>& disbursements, const std::vector<StatementEntry>& entries,
                  const MatchOptions& o) {
  MatchResult result;
  auto in_window = [&](int32_t date) { return date >= o.window_from && date <= o.window_to; };
  const size_t none = SIZE_MAX;

  // Every payout by its reference (unique in the ledger, rule 37), live or reversed.
  std::unordered_map<std::string_view, size_t> by_reference;
  by_reference.reserve(disbursements.size());
  for (size_t i = 0; i < disbursements.size(); ++i) by_reference.emplace(disbursements[i].payment_reference, i);

  std::vector<size_t> entry_of(disbursements.size(), none);  // disbursement -> paired entry
  std::vector<size_t> disb_of(entries.size(), none);         // entry -> paired disbursement
  std::vector<std::string> matched_by(entries.size());
  std::vector<MatchItem> items;

  // Statement entries in date order (file order among equal dates): the earliest entry for a
  // reference is the payment, later ones are duplicates.
  std::vector<size_t> order(entries.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return entries[a].value_date < entries[b].value_date; });

  // Pass 1: by payment reference.
  std::vector<std::string> entry_note(entries.size());
  for (size_t si : order) {
    const StatementEntry& e = entries[si];
    for (const std::string& ref : e.references) {
      auto it = by_reference.find(ref);
      if (it == by_reference.end()) continue;
      size_t di = it->second;
      const Disbursement& d = disbursements[di];
      if (!d.live) {
        entry_note[si] = "reference " + ref + " names payout event " + std::to_string(d.event_index) +
                         ", reversed by event " + std::to_string(d.reversed_by);
        break;
      }
      if (!in_window(d.date) && !in_window(e.value_date)) break;  // both belong to another window
      if (entry_of[di] == none) {
        entry_of[di] = si;
        disb_of[si] = di;
        matched_by[si] = "reference";
      } else {
        MatchItem dup;
        dup.kind = MatchClass::kDuplicateInStatement;
        dup.disbursement = d;
        dup.entry = e;
        dup.matched_by = "reference";
        dup.note = "reference " + ref + " was already paid by " + entries[entry_of[di]].location;
        items.push_back(std::move(dup));
        disb_of[si] = di;  // consumed: never reported again
      }
      break;
    }
  }

  // Pass 2: amount + payee + date within the tolerance, for what the references left over.
  // Candidates are the unpaired live disbursements in the window, grouped by amount.
  std::map<int64_t, std::vector<size_t>> open_by_amount;
  for (size_t di = 0; di < disbursements.size(); ++di) {
    const Disbursement& d = disbursements[di];
    if (d.live && in_window(d.date) && entry_of[di] == none) open_by_amount[d.amount.value].push_back(di);
  }
  for (size_t si : order) {
    const StatementEntry& e = entries[si];
    if (disb_of[si] != none) continue;
    auto group = open_by_amount.find(e.amount.value);
    if (group == open_by_amount.end()) continue;
    size_t best = none;
    for (size_t di : group->second) {
      const Disbursement& d = disbursements[di];
      if (entry_of[di] != none || day_distance(d.date, e.value_date) > o.tolerance_days || !payee_matches(d, e)) continue;
      if (best == none || day_distance(d.date, e.value_date) < day_distance(disbursements[best].date, e.value_date)) best = di;
    }
    if (best == none) continue;
    entry_of[best] = si;
    disb_of[si] = best;
    matched_by[si] = "amount_payee_date";
  }

  // Ledger duplicates: a further live payout in the window with the same amount on the same
  // course payment as an earlier one.
  std::map<std::pair<std::string_view, int64_t>, size_t> first_payout;
  std::vector<bool> ledger_duplicate(disbursements.size(), false);
  std::vector<size_t> first_of(disbursements.size(), none);
  for (size_t di = 0; di < disbursements.size(); ++di) {
    const Disbursement& d = disbursements[di];
    if (!d.live || !in_window(d.date)) continue;
    auto [it, fresh] = first_payout.emplace(std::make_pair(std::string_view(d.course_payment_id), d.amount.value), di);
    if (!fresh) {
      ledger_duplicate[di] = true;
      first_of[di] = it->second;
    }
  }

  // Every disbursement in the window (and every one paired with an entry in the window).
  for (size_t di = 0; di < disbursements.size(); ++di) {
    const Disbursement& d = disbursements[di];
    if (!d.live) continue;
    size_t si = entry_of[di];
    bool counted = in_window(d.date) || (si != none && in_window(entries[si].value_date));
    if (!counted) continue;
    if (in_window(d.date)) ++result.disbursements_in_window;
    MatchItem item;
    item.disbursement = d;
    if (si != none) {
      const StatementEntry& e = entries[si];
      item.entry = e;
      item.matched_by = matched_by[si];
      if (e.amount != d.amount) item.differences.push_back("amount");
      if (!payee_matches(d, e)) item.differences.push_back("payee");
      if (day_distance(d.date, e.value_date) > o.tolerance_days) item.differences.push_back("date");
    }
    if (ledger_duplicate[di]) {
      const Disbursement& first = disbursements[first_of[di]];
      item.kind = MatchClass::kDuplicateInLedger;
      item.note = "course payment " + d.course_payment_id + " was already paid " + format_kroner_plain(d.amount) +
                  " by event " + std::to_string(first.event_index) + " (claim " + first.claim_id + ")";
    } else if (si == none) {
      item.kind = MatchClass::kMissingInStatement;
    } else if (!item.differences.empty()) {
      const std::string& first = item.differences.front();
      item.kind = first == "amount" ? MatchClass::kAmountDiffers
                  : first == "payee" ? MatchClass::kPayeeDiffers
                                     : MatchClass::kDateOutsideTolerance;
    } else {
      item.kind = MatchClass::kMatched;
    }
    items.push_back(std::move(item));
  }

  // Statement entries in the window that nothing claimed.
  for (size_t si = 0; si < entries.size(); ++si) {
    const StatementEntry& e = entries[si];
    if (!in_window(e.value_date)) {
      if (disb_of[si] == none) ++result.entries_outside_window;
      continue;
    }
    ++result.entries_in_window;
    if (disb_of[si] != none) continue;
    MatchItem item;
    item.kind = MatchClass::kMissingInLedger;
    item.entry = e;
    item.note = entry_note[si];
    items.push_back(std::move(item));
  }

  // A stable order for reports and golden files.
  auto index_of = [](const MatchItem& i) { return i.disbursement ? i.disbursement->event_index : UINT64_MAX; };
  std::stable_sort(items.begin(), items.end(), [&](const MatchItem& a, const MatchItem& b) {
    if (a.kind != b.kind) return a.kind < b.kind;
    return index_of(a) < index_of(b);
  });
  result.items = std::move(items);
  return result;
}

}  // namespace grantledger::reconcile
