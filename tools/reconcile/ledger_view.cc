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
  LedgerView view;
  LedgerState state;
  std::unordered_map<uint64_t, size_t> payout_at;      // event index -> disbursements[i]
  std::unordered_map<uint64_t, uint64_t> reversal_of;  // reversal event index -> its target
  auto on_event = [&](const CommitRecord& c, uint64_t index, schema::Event::Reader event,
                      const std::vector<Posting>&) -> Status {
    auto body = event.getBody();
    switch (body.which()) {
      case Which::REIMBURSEMENT_PAID: {
        auto paid = body.getReimbursementPaid();
        const ClaimState* claim = state.claim(text(paid.getClaimId()));
        GL_ASSERT(claim != nullptr);  // the rules accepted the payout
        const EntityState* payee = state.entity(claim->employer);
        Disbursement d;
        d.event_index = index;
        d.commit_sequence = c.info.sequence;
        d.date = event.getEffectiveDate();
        d.claim_id = text(paid.getClaimId());
        d.payment_reference = text(paid.getPaymentReference());
        d.programme = claim->programme;
        d.course_payment_id = claim->payment_id;
        d.amount = Ore{claim->amount_ore};
        d.payee_code = claim->employer;
        d.payee_name = payee ? payee->name : "";
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
        RecordedRun run = decode_run(body.getReconciliationRecorded());
        run.event_index = index;
        run.commit_sequence = c.info.sequence;
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
  GL_RETURN_IF_ERROR(ledger.replay(&state, on_event));
  for (const auto& [code, e] : state.entities()) view.entity_names[code] = e.name;
  for (Disbursement& d : view.disbursements) {
    auto it = view.entity_names.find(d.payee_code);
    d.payee_current_name = it == view.entity_names.end() ? d.payee_name : it->second;
  }
  return view;
}

}  // namespace grantledger::reconcile
