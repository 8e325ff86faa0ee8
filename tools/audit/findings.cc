#include "tools/audit/findings.h"

#include <cstdio>
#include <sstream>
#include <tuple>

#include "ledger/stored_value.h"

namespace grantledger::audit {

const char* finding_class_name(FindingClass c) {
  switch (c) {
    case FindingClass::kDecode: return "decode";
    case FindingClass::kLeafHash: return "leaf_hash";
    case FindingClass::kEventMissing: return "event_missing";
    case FindingClass::kEventExtra: return "event_extra";
    case FindingClass::kCommitMissing: return "commit_missing";
    case FindingClass::kCommitMalformed: return "commit_malformed";
    case FindingClass::kCommitChain: return "commit_chain";
    case FindingClass::kCommitSignature: return "commit_signature";
    case FindingClass::kSigner: return "signer";
    case FindingClass::kCheckpointMissing: return "checkpoint_missing";
    case FindingClass::kCheckpointSignature: return "checkpoint_signature";
    case FindingClass::kCheckpointRoot: return "checkpoint_root";
    case FindingClass::kCheckpointExtra: return "checkpoint_extra";
    case FindingClass::kLogKey: return "log_key";
    case FindingClass::kRule: return "rule";
    case FindingClass::kTrialBalance: return "trial_balance";
    case FindingClass::kPostings: return "postings";
    case FindingClass::kTreeNode: return "tree_node";
    case FindingClass::kCommitIndex: return "commit_index";
    case FindingClass::kIdempotency: return "idempotency";
    case FindingClass::kHead: return "head";
    case FindingClass::kProjection: return "projection";
    case FindingClass::kState: return "state";
    case FindingClass::kConsistency: return "consistency";
    case FindingClass::kBundle: return "bundle";
  }
  return "unknown";
}

bool finding_before(const Finding& a, const Finding& b) {
  // Findings without a position (indexes, projections) come after those in the log.
  auto key = [](const Finding& f) {
    // Within a commit, findings about the commit itself come before those about its events.
    return std::make_tuple(f.commit_sequence.value_or(UINT64_MAX), f.event_index.has_value(), f.event_index.value_or(0),
                           f.tree_size.value_or(UINT64_MAX), static_cast<int>(f.cls));
  };
  return key(a) < key(b);
}

const Finding* AuditReport::first(FindingClass c) const {
  for (const auto& f : findings)
    if (f.cls == c) return &f;
  return nullptr;
}

std::string printable_key(std::string_view key) { return printable_stored_key(key); }

namespace {
std::string where(const Finding& f) {
  std::string out;
  auto add = [&out](const std::string& s) { out += (out.empty() ? "" : " ") + s; };
  if (f.commit_sequence) add("commit=" + std::to_string(*f.commit_sequence));
  if (f.event_index) add("event=" + std::to_string(*f.event_index));
  if (f.tree_size) add("tree_size=" + std::to_string(*f.tree_size));
  if (!f.key.empty()) add("key=" + f.key);
  return out;
}
}  // namespace

std::string render_text(const AuditReport& r) {
  std::ostringstream out;
  const AuditSummary& s = r.summary;
  out << "audit of " << s.source << "\n";
  out << "origin: " << s.origin << "\n";
  for (const auto& f : r.findings) {
    std::string w = where(f);
    out << "FINDING " << finding_class_name(f.cls) << (w.empty() ? "" : " " + w) << ": " << f.reason << "\n";
  }
  if (r.findings_suppressed > 0) out << "... and " << r.findings_suppressed << " more findings (not listed)\n";
  if (!s.projections_checked) {
    out << "projections: n/a (not in a bundle)\n";
  } else {
    for (const auto& p : r.projections)
      out << "projection " << p.name << " applied_commits=" << p.applied_commits << " digest=" << to_hex(p.stored_digest)
          << (p.equal ? " ok" : " MISMATCH recomputed=" + to_hex(p.recomputed_digest)) << "\n";
  }
  out << "rule state: " << s.state << "\n";
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%.3f", s.elapsed_s);
  out << "summary: events=" << s.events_checked << " commits=" << s.commits_checked
      << " checkpoints=" << s.checkpoints_checked << " kept_checkpoints=" << s.kept_checkpoints_checked
      << " tree_size=" << s.tree_size << " root=" << to_hex(s.root) << " elapsed_s=" << elapsed
      << " threads=" << s.threads << "\n";
  out << "result: " << (r.clean() ? "clean" : std::to_string(r.findings.size() + r.findings_suppressed) + " findings")
      << "\n";
  return out.str();
}

nlohmann::json render_json(const AuditReport& r) {
  const AuditSummary& s = r.summary;
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : r.findings) {
    nlohmann::json j = {{"class", finding_class_name(f.cls)}, {"reason", f.reason}};
    if (f.commit_sequence) j["commit"] = *f.commit_sequence;
    if (f.event_index) j["event"] = *f.event_index;
    if (f.tree_size) j["tree_size"] = *f.tree_size;
    if (!f.key.empty()) j["key"] = f.key;
    findings.push_back(std::move(j));
  }
  nlohmann::json projections;
  if (!s.projections_checked) {
    projections = "n/a";
  } else {
    projections = nlohmann::json::array();
    for (const auto& p : r.projections)
      projections.push_back({{"name", p.name},
                             {"applied_commits", p.applied_commits},
                             {"stored_digest", to_hex(p.stored_digest)},
                             {"recomputed_digest", to_hex(p.recomputed_digest)},
                             {"equal", p.equal}});
  }
  return {{"source", s.source},
          {"origin", s.origin},
          {"result", r.clean() ? "clean" : "findings"},
          {"findings", findings},
          {"findings_suppressed", r.findings_suppressed},
          {"projections", projections},
          {"state", s.state},
          {"summary",
           {{"events", s.events_checked},
            {"commits", s.commits_checked},
            {"checkpoints", s.checkpoints_checked},
            {"kept_checkpoints", s.kept_checkpoints_checked},
            {"tree_size", s.tree_size},
            {"root", to_hex(s.root)},
            {"elapsed_s", s.elapsed_s},
            {"threads", s.threads}}}};
}

}  // namespace grantledger::audit
