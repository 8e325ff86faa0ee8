#include "projections/journal_export.h"

#include "ledger/canonical.h"
#include "ledger/date.h"
#include "ledger/event_json.h"
#include "ledger/log_reader.h"
#include "ledger/money.h"
#include "ledger/postings.h"

namespace grantledger::projections {

Result<ExportSummary> export_postings(Ledger& ledger, ExportFormat format, std::ostream& out) {
  // One snapshot: every event checked against its commit's leaf hash, with its stored postings.
  GL_ASSIGN_OR_RETURN(std::unique_ptr<LogReader> reader, LogReader::open(ledger, {.postings = true}));
  ExportSummary summary;
  if (format == ExportFormat::kCsv) out << "event,commit,date,type,account,amount,amount_ore\n";
  else out << "; grantledger journal: every posting of ledger " << ledger.origin() << ", amounts in DKK\n\n";

  while (true) {
    GL_ASSIGN_OR_RETURN(const CommitRecord* c, reader->next_commit());
    if (!c) break;
    const uint64_t commit = c->info.sequence;
    while (true) {
      GL_ASSIGN_OR_RETURN(const LogEvent* e, reader->next_event());
      if (!e) break;
      const std::vector<Posting>& postings = e->postings;
      if (postings.empty()) continue;
      auto event = e->event();
      const uint64_t index = e->index;
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
  }
  if (!out) return Status::io_error("export: writing the output failed");
  return summary;
}

}  // namespace grantledger::projections
