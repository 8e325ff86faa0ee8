#include "projections/journal_export.h"

#include "ledger/canonical.h"
#include "ledger/date.h"
#include "ledger/event_json.h"
#include "ledger/money.h"
#include "ledger/postings.h"

namespace grantledger::projections {

Result<ExportSummary> export_postings(Ledger& ledger, ExportFormat format, std::ostream& out) {
  Store& store = ledger.store();
  Snapshot snap(store.db());
  rocksdb::ReadOptions ro;
  ro.snapshot = snap.get();
  ExportSummary summary;
  if (format == ExportFormat::kCsv) out << "event,commit,date,type,account,amount,amount_ore\n";
  else out << "; grantledger journal: every posting of ledger " << ledger.origin() << ", amounts in DKK\n\n";

  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, store.cf(Cf::kPostings)));
  std::unique_ptr<rocksdb::Iterator> index_it(store.db()->NewIterator(ro, store.cf(Cf::kCommitIndex)));
  uint64_t commit = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t index = get_u64_be(std::string_view(it->key().data(), it->key().size()));
    // The commit holding `index`: the last commit_index entry at or before it.
    index_it->SeekForPrev(rocksdb::Slice(u64_be(index)));
    if (!index_it->Valid()) return Status::corruption("export: event " + std::to_string(index) + " has no commit");
    commit = get_u64_be(std::string_view(index_it->value().data(), index_it->value().size()));
    GL_ASSIGN_OR_RETURN(Bytes event_bytes, store.get(Cf::kEvents, u64_be(index), snap.get()));
    GL_ASSIGN_OR_RETURN(DecodedMessage msg, DecodedMessage::decode(event_bytes));
    auto event = msg.root<schema::Event>();
    GL_ASSIGN_OR_RETURN(std::vector<Posting> postings, decode_postings(std::string_view(it->value().data(), it->value().size())));
    if (postings.empty()) continue;
    std::string date = format_date(event.getEffectiveDate()), type = event_type_name(event);
    if (format == ExportFormat::kLedger) {
      out << date << " (" << index << ") " << type << "  ; commit:" << commit << "\n";
      for (const Posting& p : postings) out << "    " << p.account << "  " << format_kroner_plain(p.amount) << " DKK\n";
      out << "\n";
    } else {
      for (const Posting& p : postings)
        out << index << "," << commit << "," << date << "," << type << "," << p.account << ","
            << format_kroner_plain(p.amount) << "," << p.amount.value << "\n";
    }
    ++summary.transactions;
    summary.postings += postings.size();
  }
  GL_RETURN_IF_ERROR(from_rocks(it->status(), "scan postings"));
  GL_RETURN_IF_ERROR(from_rocks(index_it->status(), "scan commit index"));
  if (!out) return Status::io_error("export: writing the output failed");
  return summary;
}

}  // namespace grantledger::projections
