#include "projections/reversal_chain.h"

#include <string>
#include <vector>

namespace grantledger::projections {

Result<ReversalOrigin> ReversalChains::origin(uint64_t index,
                                              schema::EventReversed::Reader reversal) {
  using Which = schema::Event::Body::Which;
  std::vector<uint64_t> path = {index};  // reversals from `index` down, not yet remembered
  uint64_t target = reversal.getEventIndex();
  ReversalOrigin found;
  for (;;) {
    if (target >= path.back())
      return Status::corruption("event " + std::to_string(path.back()) + " reverses event " +
                                std::to_string(target) + ", which is not an earlier event");
    if (auto it = known_.find(target); it != known_.end()) {
      found = {it->second.index, it->second.depth + path.size()};
      break;
    }
    GL_ASSIGN_OR_RETURN(DecodedMessage msg, read_event_(target));
    auto body = msg.root<schema::Event>().getBody();
    if (body.which() != Which::EVENT_REVERSED) {
      found = {target, path.size()};
      break;
    }
    path.push_back(target);
    target = body.getEventReversed().getEventIndex();
  }
  if (known_.size() + path.size() > kMaxRemembered) known_.clear();
  for (size_t i = 0; i < path.size(); ++i) known_[path[i]] = {found.index, found.depth - i};
  return found;
}

Result<int64_t> ReversalChains::count_delta(uint64_t index, schema::Event::Reader event) {
  if (event.getBody().which() != schema::Event::Body::Which::EVENT_REVERSED) return int64_t{1};
  GL_ASSIGN_OR_RETURN(ReversalOrigin o, origin(index, event.getBody().getEventReversed()));
  return o.restores() ? int64_t{1} : int64_t{-1};
}

}  // namespace grantledger::projections
