#include "tools/reconcile/ledger_view.h"

#include <unordered_map>

#include "ledger/canonical.h"

namespace grantledger::reconcile {

namespace {
using Which = schema::Event::Body::Which;
std::string text(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }
}  // namespace

RecordedRun decode_run(schema::ReconciliationRecorded::Reader e) {
  RecordedRun r;
  auto sha = e.getStatementSha256();
  GL_ASSERT(sha.size() == 32);  // the rules refuse anything else (rule 40)
  r.statement_sha256 = to_hash32(std::string_view(reinterpret_cast<const char*>(sha.begin()), sha.size()));
  r.statement_name = text(e.getStatementName());
  r.format = e.getFormat() == schema::StatementFormat::CAMT053 ? StatementFormat::kCamt053 : StatementFormat::kCsv;
  r.window_from = e.getWindowFrom();
  r.window_to = e.getWindowTo();
  r.tolerance_days = e.getToleranceDays();
  r.statement_entries = e.getStatementEntries();
  r.disbursements = e.getDisbursements();
  for (auto c : e.getClasses()) r.classes.push_back({c.getCount(), c.getLedgerTotalOre(), c.getStatementTotalOre()});
  return r;
}

Result<LedgerView> read_ledger_view(Ledger& ledger) {
  // One pass over the commits and events of one snapshot, decoding each event once. The rules
  // were enforced when each event was appended (and the audit re-checks them); here only what
  // reconciliation needs is derived, so the pass costs a fraction of a rule replay.
  LedgerView view;
  struct Claim {
    std::string programme, payment_id;
    Ore amount_ore;
  };
  std::unordered_map<std::string, std::string> employer_of_payment;  // course payment id -> employer
  std::unordered_map<std::string, Claim> claims;
  std::unordered_map<uint64_t, size_t> payout_at;      // event index -> disbursements[i]
  std::unordered_map<uint64_t, uint64_t> reversal_of;  // reversal event index -> its target
  auto on_event = [&](const CommitRecord& c, uint64_t index, schema::Event::Reader event) -> Status {
    const uint64_t sequence = c.info.sequence;
    auto body = event.getBody();
    auto corrupt = [&](const std::string& why) {
      return Status::corruption("event " + std::to_string(index) + " (commit " + std::to_string(sequence) + "): " + why);
    };
    switch (body.which()) {
      case Which::ENTITY_REGISTERED:
        view.entity_names[text(body.getEntityRegistered().getCode())] = text(body.getEntityRegistered().getName());
        break;
      case Which::ENTITY_RENAMED:
        view.entity_names[text(body.getEntityRenamed().getCode())] = text(body.getEntityRenamed().getName());
        break;
      case Which::COURSE_PAYMENT_RECORDED: {
        auto p = body.getCoursePaymentRecorded();
        employer_of_payment[text(p.getPaymentId())] = text(p.getEmployerCode());
        break;
      }
      case Which::REIMBURSEMENT_CLAIMED: {
        auto cl = body.getReimbursementClaimed();
        claims[text(cl.getClaimId())] = {text(cl.getProgrammeCode()), text(cl.getPaymentId()), Ore{cl.getAmountOre()}};
        break;
      }
      case Which::REIMBURSEMENT_PAID: {
        auto paid = body.getReimbursementPaid();
        auto claim = claims.find(text(paid.getClaimId()));
        if (claim == claims.end()) return corrupt("payout of unknown claim " + text(paid.getClaimId()));
        auto employer = employer_of_payment.find(claim->second.payment_id);
        if (employer == employer_of_payment.end()) return corrupt("claim on unknown course payment " + claim->second.payment_id);
        Disbursement d;
        d.event_index = index;
        d.commit_sequence = sequence;
        d.date = event.getEffectiveDate();
        d.claim_id = claim->first;
        d.payment_reference = text(paid.getPaymentReference());
        d.programme = claim->second.programme;
        d.course_payment_id = claim->second.payment_id;
        d.amount = claim->second.amount_ore;
        d.payee_code = employer->second;
        d.payee_name = view.entity_names[d.payee_code];  // the name when the money moved
        payout_at[index] = view.disbursements.size();
        view.disbursements.push_back(std::move(d));
        break;
      }
      case Which::EVENT_REVERSED: {
        // Reversing a payout takes it out of the live disbursements; reversing that reversal
        // puts it back (spec/DOMAIN.md, "Corrections"). Walk the chain down to the original.
        uint64_t target = body.getEventReversed().getEventIndex();
        reversal_of[index] = target;
        bool reversed = true;
        for (;;) {
          if (auto p = payout_at.find(target); p != payout_at.end()) {
            Disbursement& d = view.disbursements[p->second];
            d.live = !reversed;
            d.reversed_by = reversed ? index : 0;
            break;
          }
          auto r = reversal_of.find(target);
          if (r == reversal_of.end()) break;  // not a payout chain
          target = r->second;
          reversed = !reversed;
        }
        break;
      }
      case Which::RECONCILIATION_RECORDED: {
        auto rec = body.getReconciliationRecorded();
        if (rec.getStatementSha256().size() != 32) return corrupt("a reconciliation without a 32-byte statement hash");
        RecordedRun run = decode_run(rec);
        run.event_index = index;
        run.commit_sequence = sequence;
        run.recorded_at_ns = c.info.recorded_at_ns;
        run.signer_key_id = c.info.signer_key_id;
        run.event_bytes = canonical_bytes(event);
        view.runs.push_back(std::move(run));
        break;
      }
      default: break;
    }
    view.tree_size = index + 1;
    return Status::ok();
  };
  // One snapshot: the view is consistent even beside a live writer.
  GL_RETURN_IF_ERROR(ledger.scan(on_event));
  for (Disbursement& d : view.disbursements) d.payee_current_name = view.entity_names[d.payee_code];
  return view;
}

}  // namespace grantledger::reconcile
