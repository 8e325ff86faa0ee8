#include "tools/sink/batch_rows.h"

#include <capnp/schema.h>

#include <ctime>

#include "ledger/account.h"
#include "ledger/date.h"
#include "ledger/event_json.h"
#include "ledger/initiative.h"
#include "ledger/money.h"
#include "projections/claim_change.h"
#include "projections/totals.h"
#include "tools/sink/sink_names.h"

namespace grantledger::sink {

namespace {

using Which = schema::Event::Body::Which;

// One COPY line of fields; nullopt is NULL.
void copy_line(std::string* data, std::initializer_list<std::optional<std::string>> fields) {
  bool first = true;
  for (const auto& f : fields) {
    if (f)
      copy_field(data, first, *f);
    else
      copy_null(data, first);
    first = false;
  }
  end_copy_line(data);
}

std::optional<std::string> unless_empty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

std::string timestamp_utc(int64_t ns) {
  std::time_t seconds = static_cast<std::time_t>(ns / 1'000'000'000);
  int64_t micros = (ns % 1'000'000'000) / 1000;
  if (micros < 0) micros += 1'000'000, seconds -= 1;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%06lld+00", static_cast<long long>(micros));
  return std::string(buf) + frac;
}

// Staging tables, one per connection, emptied at every commit.
constexpr const char* kStagingDdl[] = {
    "CREATE TEMP TABLE IF NOT EXISTS stage_accounts (account text, kind text, programme_code text, "
    "entity_code text, "
    "amount_ore bigint, postings bigint) ON COMMIT DELETE ROWS",
    "CREATE TEMP TABLE IF NOT EXISTS stage_days (measure text, effective_date date, amount_ore "
    "bigint, count bigint) "
    "ON COMMIT DELETE ROWS",
    "CREATE TEMP TABLE IF NOT EXISTS stage_new_claims (claim_id text, programme_code text, "
    "payment_id text, amount_ore bigint, "
    "state text, reason text, payment_reference text, claimed_on date, changed_on date, "
    "claim_event bigint, change_event bigint) "
    "ON COMMIT DELETE ROWS",
    "CREATE TEMP TABLE IF NOT EXISTS stage_claim_changes (claim_id text, state text, reason text, "
    "payment_reference text, "
    "changed_on date, change_event bigint) ON COMMIT DELETE ROWS",
};

}  // namespace

BatchRows::BatchRows(Ledger& ledger)
    : ledger_(ledger), chains_([this](uint64_t index) -> Result<DecodedMessage> {
        GL_ASSIGN_OR_RETURN(Bytes bytes, ledger_.event(index));
        return DecodedMessage::decode(bytes);
      }) {}

void BatchRows::add_commit(const CommitRecord& c) {
  copy_line(&commits_, {std::to_string(c.info.sequence), std::to_string(c.info.first_event_index),
                        std::to_string(c.info.event_count), timestamp_utc(c.info.recorded_at_ns),
                        std::to_string(c.info.recorded_at_ns), to_hex(c.info.commit_hash)});
}

Status BatchRows::add_event(const CommitRecord& c, const LogEvent& e) {
  ++events_;
  schema::Event::Reader event = e.event();
  const int32_t date = event.getEffectiveDate();
  const std::string day = format_date(date);
  const std::string index = std::to_string(e.index), sequence = std::to_string(c.info.sequence);
  const std::string type = event_type_name(event);

  // Postings, account balances and the totals projection's measures by day.
  if (!e.postings.empty()) {
    GL_ASSIGN_OR_RETURN(int64_t count_delta, chains_.count_delta(e.index, event));
    int ordinal = 0;
    for (const Posting& p : e.postings) {
      copy_line(&postings_, {index, std::to_string(ordinal++), sequence, day, type, p.account,
                             std::to_string(p.amount.value)});
      Delta& a = accounts_[p.account];
      GL_RETURN_IF_ERROR(add_to_sum(&a.amount_ore, p.amount.value, p.account));
      a.count += 1;
      Status status = Status::ok();
      projections::for_each_measure(p, static_cast<uint16_t>(event.getBody().which()), count_delta,
                                    [&](const std::string& measure, Ore sum, int64_t count) {
                                      if (!status.is_ok()) return;
                                      Delta& d = days_[{measure, date}];
                                      status = add_to_sum(&d.amount_ore, sum.value, measure);
                                      d.count += count;
                                    });
      GL_RETURN_IF_ERROR(status);
    }
  }

  auto body = event.getBody();
  switch (body.which()) {
    case Which::ENTITY_REGISTERED: {
      auto r = body.getEntityRegistered();
      registry_.push_back(
          {"INSERT INTO entities (code, kind, name, parent_code, registered_on, event_index) "
           "VALUES ($1, $2, $3, $4, $5, $6)",
           {r.getCode().cStr(), entity_kind_name(r.getKind()), r.getName().cStr(),
            unless_empty(r.getParentCode().cStr()), day, index},
           "entity",
           r.getCode().cStr()});
      break;
    }
    case Which::ENTITY_RENAMED: {
      auto r = body.getEntityRenamed();
      registry_.push_back({"UPDATE entities SET name = $2 WHERE code = $1",
                           {r.getCode().cStr(), r.getName().cStr()},
                           "entity",
                           r.getCode().cStr()});
      break;
    }
    case Which::PROGRAMME_CREATED: {
      auto p = body.getProgrammeCreated();
      PgParam theme, kind, sector;
      if (p.getKind() !=
          schema::ProgrammeKind::NONE) {  // an initiative (spec/DOMAIN.md, "Initiatives"), as the
                                          // registry records it
        theme = theme_name(p.getTheme());
        kind = programme_kind_name(p.getKind());
        if (p.getSector() != schema::SectorPart::NONE) sector = sector_part_name(p.getSector());
      }
      registry_.push_back(
          {"INSERT INTO programmes (code, name, parent_code, total_ore, theme, programme_kind, "
           "sector_part, created_on, "
           "event_index) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
           {p.getCode().cStr(), p.getName().cStr(), unless_empty(p.getParentCode().cStr()),
            std::to_string(p.getTotalOre()), theme, kind, sector, day, index},
           "programme",
           p.getCode().cStr()});
      break;
    }
    case Which::PROGRAMME_FUNDED: {
      auto f = body.getProgrammeFunded();
      registry_.push_back(
          {"UPDATE programmes SET total_ore = total_ore + $2::bigint WHERE code = $1",
           {f.getCode().cStr(), std::to_string(f.getAmountOre())},
           "programme",
           f.getCode().cStr()});
      break;
    }
    case Which::COURSE_PAYMENT_RECORDED: {
      auto p = body.getCoursePaymentRecorded();
      copy_line(
          &course_payments_,
          {p.getPaymentId().cStr(), p.getEmployerCode().cStr(), p.getProviderCode().cStr(),
           p.getParticipant().cStr(), course_kind_name(p.getCourseKind()), p.getModule().cStr(),
           format_date(p.getCourseStartDate()), format_date(p.getPaymentDate()),
           std::to_string(p.getAmountOre()), day, index, sequence});
      break;
    }
    default:
      break;
  }

  GL_ASSIGN_OR_RETURN(std::optional<projections::ClaimEventChange> changed,
                      projections::claim_change_of(c.info.sequence, e.index, event, chains_));
  if (changed) {
    const projections::ClaimChange& ch = changed->change;
    copy_line(&claim_changes_, {changed->claim_id, index, sequence, day,
                                claim_status_name(ch.state), unless_empty(ch.text)});
    PendingClaim& pending = claims_[changed->claim_id];
    if (body.which() == Which::REIMBURSEMENT_CLAIMED) pending.claimed = ch;
    pending.last = ch;
  }
  return Status::ok();
}

Status BatchRows::write(PgConnection& conn) {
  for (const char* ddl : kStagingDdl) GL_RETURN_IF_ERROR(conn.exec(ddl));
  GL_RETURN_IF_ERROR(conn.copy_in("commits (sequence, first_event_index, event_count, recorded_at, "
                                  "recorded_at_ns, commit_hash)",
                                  commits_)
                         .status());
  GL_RETURN_IF_ERROR(conn.copy_in("postings (event_index, ordinal, commit_sequence, "
                                  "effective_date, event_type, account, amount_ore)",
                                  postings_)
                         .status());
  GL_RETURN_IF_ERROR(conn.copy_in("course_payments (payment_id, employer_code, provider_code, "
                                  "participant, course_kind, module, "
                                  "course_start_date, payment_date, amount_ore, effective_date, "
                                  "event_index, commit_sequence)",
                                  course_payments_)
                         .status());
  GL_RETURN_IF_ERROR(
      conn.copy_in(
              "claim_changes (claim_id, event_index, commit_sequence, effective_date, state, text)",
              claim_changes_)
          .status());

  for (const Statement& s : registry_) {
    GL_ASSIGN_OR_RETURN(PgRows r, conn.query(s.sql, s.params));
    if (r.affected != 1)
      return Status::conflict(std::string(s.what) + " " + s.key +
                              ": the sink database has no row for it (rows were removed by hand? "
                              "`sink verify` names them)");
  }

  if (!accounts_.empty()) {
    std::string data;
    for (const auto& [name, d] : accounts_) {
      std::optional<Account> account = Account::parse(name);
      // The stored postings are the log's: a name the chart does not know is damage there.
      if (!account)
        return Status::corruption("posting to \"" + name +
                                  "\": not an account of the chart (ledger/account.h)");
      copy_line(&data, {name, account_kind_name(account->kind()),
                        unless_empty(account->programme()), unless_empty(account->entity()),
                        std::to_string(d.amount_ore), std::to_string(d.count)});
    }
    GL_RETURN_IF_ERROR(conn.copy_in("stage_accounts", data).status());
    GL_RETURN_IF_ERROR(conn.exec(
        "INSERT INTO accounts (account, kind, programme_code, entity_code, balance_ore, postings) "
        "SELECT account, kind, programme_code, entity_code, amount_ore, postings FROM "
        "stage_accounts "
        "ON CONFLICT (account) DO UPDATE SET balance_ore = accounts.balance_ore + "
        "EXCLUDED.balance_ore, "
        "postings = accounts.postings + EXCLUDED.postings"));
  }
  if (!days_.empty()) {
    std::string data;
    for (const auto& [key, d] : days_)
      copy_line(&data, {key.first, format_date(key.second), std::to_string(d.amount_ore),
                        std::to_string(d.count)});
    GL_RETURN_IF_ERROR(conn.copy_in("stage_days", data).status());
    GL_RETURN_IF_ERROR(
        conn.exec("INSERT INTO balances_by_day (measure, effective_date, amount_ore, count) SELECT "
                  "measure, effective_date, amount_ore, count "
                  "FROM stage_days ON CONFLICT (measure, effective_date) DO UPDATE SET amount_ore "
                  "= balances_by_day.amount_ore + "
                  "EXCLUDED.amount_ore, count = balances_by_day.count + EXCLUDED.count"));
  }

  // Claims: new ones with their state at the batch's end; earlier ones, their new state. As the
  // `claims` query shows them: the reason of a rejected claim, the reference of a paid one.
  std::string fresh, changed;
  uint64_t fresh_count = 0, changed_count = 0;
  for (const auto& [id, p] : claims_) {
    const projections::ClaimChange& l = p.last;
    PgParam reason = l.state == ClaimStatus::kRejected ? PgParam(l.text) : std::nullopt;
    PgParam reference = l.state == ClaimStatus::kPaid ? PgParam(l.text) : std::nullopt;
    if (p.claimed) {
      ++fresh_count;
      copy_line(&fresh,
                {id, p.claimed->programme, p.claimed->payment_id,
                 std::to_string(p.claimed->amount_ore.value), claim_status_name(l.state), reason,
                 reference, format_date(p.claimed->effective_date), format_date(l.effective_date),
                 std::to_string(p.claimed->event_index), std::to_string(l.event_index)});
    } else {
      ++changed_count;
      copy_line(&changed, {id, claim_status_name(l.state), reason, reference,
                           format_date(l.effective_date), std::to_string(l.event_index)});
    }
  }
  if (fresh_count > 0) {
    GL_RETURN_IF_ERROR(conn.copy_in("stage_new_claims", fresh).status());
    // The employer is the claimed course payment's (as the claim_history projection finds it).
    GL_ASSIGN_OR_RETURN(
        PgRows r,
        conn.query(
            "INSERT INTO claims (claim_id, employer_code, programme_code, payment_id, amount_ore, "
            "state, reason, "
            "payment_reference, claimed_on, changed_on, claim_event, change_event) "
            "SELECT n.claim_id, p.employer_code, n.programme_code, n.payment_id, n.amount_ore, "
            "n.state, n.reason, "
            "n.payment_reference, n.claimed_on, n.changed_on, n.claim_event, n.change_event "
            "FROM stage_new_claims n JOIN course_payments p ON p.payment_id = n.payment_id"));
    if (r.affected != fresh_count)
      return Status::conflict("claims: " + std::to_string(fresh_count - r.affected) +
                              " claimed course payments have no row in course_payments (rows were "
                              "removed by hand? `sink verify` names them)");
  }
  if (changed_count > 0) {
    GL_RETURN_IF_ERROR(conn.copy_in("stage_claim_changes", changed).status());
    GL_ASSIGN_OR_RETURN(
        PgRows r,
        conn.query(
            "UPDATE claims c SET state = u.state, reason = u.reason, payment_reference = "
            "u.payment_reference, "
            "changed_on = u.changed_on, change_event = u.change_event FROM stage_claim_changes u "
            "WHERE c.claim_id = u.claim_id"));
    if (r.affected != changed_count)
      return Status::conflict("claims: " + std::to_string(changed_count - r.affected) +
                              " changed claims have no row in claims (rows were removed by hand? "
                              "`sink verify` names them)");
  }
  return Status::ok();
}

}  // namespace grantledger::sink
