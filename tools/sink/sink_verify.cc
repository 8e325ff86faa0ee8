#include "tools/sink/sink_verify.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <tuple>

#include "ledger/date.h"
#include "ledger/log_reader.h"
#include "ledger/sha256.h"
#include "projections/builder.h"
#include "projections/claim_change.h"
#include "projections/queries.h"
#include "tools/sink/pg_connection.h"
#include "tools/sink/sink_names.h"
#include "tools/sink/sink_position.h"
#include "tools/sink/sink_schema.h"

namespace grantledger::sink {

namespace {

using Row = std::vector<std::string>;      // a row's fields as text, NULL as ""
using Table = std::map<std::string, Row>;  // key -> fields

class Comparer {
 public:
  explicit Comparer(VerifyReport* report) : report_(report) {}
  // Compares two keyed tables field by field; `fields` names the fields.
  void compare(const std::string& table, const std::vector<std::string>& fields,
               const Table& expected, const Table& found) {
    size_t reported = 0;
    auto add = [&](const std::string& key, const std::string& e, const std::string& f) {
      if (reported++ < kMaxReportedDifferences) report_->differences.push_back({table, key, e, f});
    };
    for (const auto& [key, e] : expected) {
      ++report_->checks;
      auto it = found.find(key);
      if (it == found.end()) {
        add(key, "present", "missing");
        continue;
      }
      for (size_t i = 0; i < fields.size() && i < e.size(); ++i) {
        ++report_->checks;
        const std::string f = i < it->second.size() ? it->second[i] : "";
        if (e[i] != f) add(key + "." + fields[i], e[i], f);
      }
    }
    for (const auto& [key, f] : found)
      if (!expected.count(key)) add(key, "missing", "present");
  }
  void equal(const std::string& table, const std::string& key, const std::string& expected,
             const std::string& found) {
    ++report_->checks;
    if (expected != found) report_->differences.push_back({table, key, expected, found});
  }

 private:
  VerifyReport* report_;
};

// Rows of `sql` keyed by their first column, the rest as fields (NULL as "").
Result<Table> keyed(PgConnection& conn, const std::string& sql,
                    const std::vector<PgParam>& params = {}) {
  GL_ASSIGN_OR_RETURN(PgRows rows, conn.query(sql, params));
  Table out;
  for (const auto& r : rows.rows) {
    Row fields;
    for (size_t i = 1; i < r.size(); ++i) fields.push_back(r[i].value_or(""));
    out[r[0].value_or("")] = std::move(fields);
  }
  return out;
}

// SHA-256 over lines of tab-separated fields, and their count: the digest both sides compute.
struct Digest {
  std::unique_ptr<Sha256> sha = std::make_unique<Sha256>();
  uint64_t rows = 0;
  void add(const Row& fields) {
    std::string line;
    for (size_t i = 0; i < fields.size(); ++i) line += (i ? "\t" : "") + fields[i];
    line += "\n";
    sha->update(line);
    ++rows;
  }
  std::string hex() { return to_hex(sha->finish()); }
};

Result<Digest> digest_of(PgConnection& conn, const std::string& sql) {
  GL_ASSIGN_OR_RETURN(PgRows rows, conn.query(sql));
  Digest d;
  for (const auto& r : rows.rows) {
    Row fields;
    for (const auto& f : r) fields.push_back(f.value_or(""));
    d.add(fields);
  }
  return d;
}

std::string n(int64_t v) { return std::to_string(v); }

}  // namespace

std::string SinkDifference::describe() const {
  return "table=" + table + " key=" + key + " expected=" + expected + " found=" + found;
}

Result<VerifyReport> verify_sink(const VerifyOptions& options) {
  if (options.data_dir.empty()) return Status::invalid_argument("--data: required");
  GL_ASSIGN_OR_RETURN(auto conn, PgConnection::connect(options.dsn));
  GL_ASSIGN_OR_RETURN(auto ledger, Ledger::open(options.data_dir, {.read_only = true}));
  VerifyReport report;
  Comparer cmp(&report);

  // The schema first: figures read from altered tables mean little.
  GL_ASSIGN_OR_RETURN(std::vector<SchemaDrift> drift, schema_drift(*conn));
  for (const SchemaDrift& d : drift)
    report.differences.push_back({d.table, d.column.empty() ? "(table)" : d.column,
                                  d.column.empty() ? d.expected : d.expected,
                                  d.found.empty() ? "missing" : d.found});
  report.checks += sink_tables().size();
  if (!drift.empty()) return report;

  GL_ASSIGN_OR_RETURN(SinkPosition position, read_position(*conn, false));
  report.applied_commits = position.applied_commits;
  cmp.equal("sink_state", "origin", ledger->origin(), position.origin);
  if (position.origin != ledger->origin()) return report;
  Status identity = check_position(*ledger, position);
  if (!identity.is_ok()) {
    report.differences.push_back(
        {"sink_state", "position", "a position of this ledger's log", identity.message()});
    return report;
  }
  GL_ASSIGN_OR_RETURN(uint64_t projected, projections::applied_commits(*ledger));
  cmp.equal("sink_state", "applied_commits", n(static_cast<int64_t>(projected)),
            n(static_cast<int64_t>(position.applied_commits)));
  if (projected != position.applied_commits)
    return report;  // the read models describe another position
  const projections::AsOf known{std::nullopt, position.applied_commits};
  projections::Queries queries(*ledger);

  // Balances: every measure (totals projection) and every account's postings, as of each date.
  std::vector<std::optional<int32_t>> dates{std::nullopt};
  if (!options.as_of_dates.empty()) {
    dates.insert(dates.end(), options.as_of_dates.begin(), options.as_of_dates.end());
  } else {
    GL_ASSIGN_OR_RETURN(
        PgRows span,
        conn->query("SELECT min(effective_date)::text, max(effective_date)::text FROM postings"));
    if (!span.rows.empty() && span.rows[0][0] && span.rows[0][1]) {
      int first_year = std::stoi(span.rows[0][0]->substr(0, 4)),
          last_year = std::stoi(span.rows[0][1]->substr(0, 4));
      for (int y = first_year; y <= last_year; ++y) {
        GL_ASSIGN_OR_RETURN(int32_t d, parse_date(std::to_string(y) + "-12-31"));
        dates.push_back(d);
      }
    }
  }
  for (const std::optional<int32_t>& date : dates) {
    const std::string at = date ? " as of " + format_date(*date) : "";
    GL_ASSIGN_OR_RETURN(auto totals,
                        queries.totals("", projections::AsOf{date, position.applied_commits}));
    Table measures, accounts;
    for (const auto& [measure, t] : totals) {
      measures[measure] = {n(t.sum_ore.value), n(t.count)};
      if (measure.find('#') == std::string::npos) accounts[measure] = {n(t.sum_ore.value)};
    }
    const std::string date_text = date ? format_date(*date) : "9999-12-31";
    GL_ASSIGN_OR_RETURN(
        Table pg_measures,
        keyed(*conn,
              "SELECT measure, sum(amount_ore)::bigint, sum(count)::bigint FROM balances_by_day "
              "WHERE effective_date <= $1::date GROUP BY measure",
              {date_text}));
    GL_ASSIGN_OR_RETURN(Table pg_accounts, keyed(*conn,
                                                 "SELECT account, sum(amount_ore)::bigint FROM "
                                                 "postings WHERE effective_date <= $1::date "
                                                 "GROUP BY account",
                                                 {date_text}));
    cmp.compare("balances_by_day" + at, {"amount_ore", "count"}, measures, pg_measures);
    cmp.compare("postings" + at, {"sum_amount_ore"}, accounts, pg_accounts);
  }
  GL_ASSIGN_OR_RETURN(auto balances, queries.balances());
  Table accounts;
  for (const auto& [account, balance] : balances) accounts[account] = {n(balance.value)};
  GL_ASSIGN_OR_RETURN(Table pg_accounts, keyed(*conn, "SELECT account, balance_ore FROM accounts"));
  cmp.compare("accounts", {"balance_ore"}, accounts, pg_accounts);

  // Entities and programmes (registry projection).
  GL_ASSIGN_OR_RETURN(auto entities, queries.entities());
  Table expected_entities;
  for (const auto& [code, r] : entities)
    expected_entities[code] = {entity_kind_name(static_cast<schema::EntityKind>(r.kind)), r.name,
                               r.parent};
  GL_ASSIGN_OR_RETURN(Table pg_entities,
                      keyed(*conn, "SELECT code, kind, name, parent_code FROM entities"));
  cmp.compare("entities", {"kind", "name", "parent_code"}, expected_entities, pg_entities);
  GL_ASSIGN_OR_RETURN(auto programmes, queries.programmes());
  Table expected_programmes;
  for (const auto& [code, r] : programmes)
    expected_programmes[code] = {r.name,  r.parent,         n(r.total_ore.value),
                                 r.theme, r.programme_kind, r.sector_part};
  GL_ASSIGN_OR_RETURN(Table pg_programmes,
                      keyed(*conn,
                            "SELECT code, name, parent_code, total_ore, theme, programme_kind, "
                            "sector_part FROM programmes"));
  cmp.compare("programmes",
              {"name", "parent_code", "total_ore", "theme", "programme_kind", "sector_part"},
              expected_programmes, pg_programmes);

  // Claims (claim_history projection, as `claims` reads it).
  GL_ASSIGN_OR_RETURN(auto claims, queries.claims("", known));
  Table expected_claims;
  for (const projections::ClaimAsOf& c : claims) {
    expected_claims[c.claim_id] = {c.employer,
                                   c.claimed.programme,
                                   c.claimed.payment_id,
                                   n(c.claimed.amount_ore.value),
                                   claim_status_name(c.last.state),
                                   c.last.state == ClaimStatus::kRejected ? c.last.text : "",
                                   c.last.state == ClaimStatus::kPaid ? c.last.text : "",
                                   format_date(c.claimed.effective_date),
                                   format_date(c.last.effective_date),
                                   n(static_cast<int64_t>(c.claimed.event_index)),
                                   n(static_cast<int64_t>(c.last.event_index))};
  }
  GL_ASSIGN_OR_RETURN(
      Table pg_claims,
      keyed(
          *conn,
          "SELECT claim_id, employer_code, programme_code, payment_id, amount_ore, state, reason, "
          "payment_reference, claimed_on::text, changed_on::text, claim_event, change_event FROM "
          "claims"));
  cmp.compare("claims",
              {"employer_code", "programme_code", "payment_id", "amount_ore", "state", "reason",
               "payment_reference", "claimed_on", "changed_on", "claim_event", "change_event"},
              expected_claims, pg_claims);

  // Row digests of the appended tables against the log itself.
  Digest log_commits, log_postings, log_payments;
  std::map<std::pair<std::string, uint64_t>, Row>
      log_claim_changes;  // (claim, event) -> row, the table's order
  projections::ReversalChains chains([&ledger](uint64_t index) -> Result<DecodedMessage> {
    GL_ASSIGN_OR_RETURN(Bytes bytes, ledger->event(index));
    return DecodedMessage::decode(bytes);
  });
  GL_ASSIGN_OR_RETURN(auto reader, LogReader::open(*ledger, LogReader::Options{.postings = true}));
  while (reader->position() < position.applied_commits) {
    GL_ASSIGN_OR_RETURN(const CommitRecord* c, reader->next_commit());
    if (c == nullptr) break;
    log_commits.add({n(static_cast<int64_t>(c->info.sequence)),
                     n(static_cast<int64_t>(c->info.first_event_index)), n(c->info.event_count),
                     n(c->info.recorded_at_ns), to_hex(c->info.commit_hash)});
    while (true) {
      GL_ASSIGN_OR_RETURN(const LogEvent* e, reader->next_event());
      if (e == nullptr) break;
      int ordinal = 0;
      for (const Posting& p : e->postings)
        log_postings.add({n(static_cast<int64_t>(e->index)), n(ordinal++),
                          n(static_cast<int64_t>(c->info.sequence)),
                          format_date(e->event().getEffectiveDate()), p.account,
                          n(p.amount.value)});
      auto body = e->event().getBody();
      if (body.which() == schema::Event::Body::Which::COURSE_PAYMENT_RECORDED) {
        auto p = body.getCoursePaymentRecorded();
        log_payments.add({p.getPaymentId().cStr(), p.getEmployerCode().cStr(),
                          p.getProviderCode().cStr(), n(p.getAmountOre()),
                          n(static_cast<int64_t>(e->index))});
      }
      GL_ASSIGN_OR_RETURN(auto changed, projections::claim_change_of(c->info.sequence, e->index,
                                                                     e->event(), chains));
      if (changed)
        log_claim_changes[{changed->claim_id, e->index}] = {
            changed->claim_id,
            n(static_cast<int64_t>(e->index)),
            n(static_cast<int64_t>(c->info.sequence)),
            format_date(changed->change.effective_date),
            claim_status_name(changed->change.state),
            changed->change.text};
    }
  }
  GL_ASSIGN_OR_RETURN(Digest pg_commits,
                      digest_of(*conn,
                                "SELECT sequence, first_event_index, event_count, recorded_at_ns, "
                                "commit_hash FROM commits ORDER BY sequence"));
  GL_ASSIGN_OR_RETURN(
      Digest pg_postings,
      digest_of(
          *conn,
          "SELECT event_index, ordinal, commit_sequence, effective_date::text, account, amount_ore "
          "FROM postings ORDER BY event_index, ordinal"));
  GL_ASSIGN_OR_RETURN(
      Digest pg_payments,
      digest_of(*conn,
                "SELECT payment_id, employer_code, provider_code, amount_ore, event_index "
                "FROM course_payments ORDER BY event_index"));
  Digest log_changes;
  for (const auto& [_, row] : log_claim_changes) log_changes.add(row);
  // COLLATE "C": byte order, as std::map orders the claim ids.
  GL_ASSIGN_OR_RETURN(
      Digest pg_changes,
      digest_of(*conn,
                "SELECT claim_id, event_index, commit_sequence, effective_date::text, state, text "
                "FROM claim_changes ORDER BY claim_id COLLATE \"C\", event_index"));
  for (auto [table, log, pg] :
       {std::tuple<const char*, Digest*, Digest*>{"commits", &log_commits, &pg_commits},
        {"postings", &log_postings, &pg_postings},
        {"course_payments", &log_payments, &pg_payments},
        {"claim_changes", &log_changes, &pg_changes}}) {
    cmp.equal(table, "count", n(static_cast<int64_t>(log->rows)),
              n(static_cast<int64_t>(pg->rows)));
    cmp.equal(table, "digest", log->hex(), pg->hex());
  }
  return report;
}

}  // namespace grantledger::sink
