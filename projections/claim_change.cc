#include "projections/claim_change.h"

namespace grantledger::projections {

namespace {
using Which = schema::Event::Body::Which;
}  // namespace

Result<std::optional<ClaimEventChange>> claim_change_of(uint64_t commit_sequence, uint64_t index,
                                                        schema::Event::Reader event,
                                                        ReversalChains& chains) {
  auto body = event.getBody();
  ClaimEventChange out;
  out.change = ClaimChange{
      index, event.getEffectiveDate(), commit_sequence, ClaimStatus::kClaimed, "", "", "", Ore{}};
  ClaimChange& change = out.change;
  switch (body.which()) {
    case Which::REIMBURSEMENT_CLAIMED: {
      auto e = body.getReimbursementClaimed();
      out.claim_id = e.getClaimId().cStr();
      change.programme = e.getProgrammeCode().cStr();
      change.payment_id = e.getPaymentId().cStr();
      change.amount_ore = Ore{e.getAmountOre()};
      return std::optional<ClaimEventChange>(std::move(out));
    }
    case Which::REIMBURSEMENT_APPROVED:
      out.claim_id = body.getReimbursementApproved().getClaimId().cStr();
      change.state = ClaimStatus::kApproved;
      return std::optional<ClaimEventChange>(std::move(out));
    case Which::REIMBURSEMENT_REJECTED:
      out.claim_id = body.getReimbursementRejected().getClaimId().cStr();
      change.state = ClaimStatus::kRejected;
      change.text = body.getReimbursementRejected().getReason().cStr();
      return std::optional<ClaimEventChange>(std::move(out));
    case Which::REIMBURSEMENT_PAID:
      out.claim_id = body.getReimbursementPaid().getClaimId().cStr();
      change.state = ClaimStatus::kPaid;
      change.text = body.getReimbursementPaid().getPaymentReference().cStr();
      return std::optional<ClaimEventChange>(std::move(out));
    case Which::REIMBURSEMENT_CANCELLED:
      out.claim_id = body.getReimbursementCancelled().getClaimId().cStr();
      change.state = ClaimStatus::kCancelled;
      return std::optional<ClaimEventChange>(std::move(out));
    case Which::EVENT_REVERSED: {
      GL_ASSIGN_OR_RETURN(ReversalOrigin origin, chains.origin(index, body.getEventReversed()));
      GL_ASSIGN_OR_RETURN(DecodedMessage msg, chains.read_event(origin.index));
      auto b = msg.root<schema::Event>().getBody();
      if (b.which() != Which::REIMBURSEMENT_PAID) return std::optional<ClaimEventChange>();
      auto paid = b.getReimbursementPaid();
      out.claim_id = paid.getClaimId().cStr();
      change.state = origin.restores() ? ClaimStatus::kPaid : ClaimStatus::kApproved;
      if (origin.restores()) change.text = paid.getPaymentReference().cStr();
      return std::optional<ClaimEventChange>(std::move(out));
    }
    default:
      return std::optional<ClaimEventChange>();
  }
}

}  // namespace grantledger::projections
