#include "tools/reconcile/camt053.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <memory>
#include <vector>

#include "ledger/date.h"
#include "ledger/sha256.h"

namespace grantledger::reconcile {

namespace {

constexpr std::string_view kNamespacePrefix = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.";

struct DocDeleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct CtxtDeleter {
  void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};

std::string_view local_name(const xmlNode* n) { return reinterpret_cast<const char*>(n->name); }

const xmlNode* child(const xmlNode* n, std::string_view name) {
  if (!n) return nullptr;
  for (const xmlNode* c = n->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && local_name(c) == name) return c;
  return nullptr;
}

// child(child(n, a), b)...
const xmlNode* path(const xmlNode* n, std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) n = child(n, name);
  return n;
}

std::vector<const xmlNode*> children(const xmlNode* n, std::string_view name) {
  std::vector<const xmlNode*> out;
  if (!n) return out;
  for (const xmlNode* c = n->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && local_name(c) == name) out.push_back(c);
  return out;
}

std::string text(const xmlNode* n) {
  if (!n) return "";
  xmlChar* raw = xmlNodeGetContent(n);
  std::string s = raw ? reinterpret_cast<const char*>(raw) : "";
  xmlFree(raw);
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string attribute(const xmlNode* n, const char* name) {
  xmlChar* raw = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  std::string s = raw ? reinterpret_cast<const char*>(raw) : "";
  xmlFree(raw);
  return s;
}

class Parser {
 public:
  Parser(const std::string& name, Statement* out) : name_(name), out_(out) {}

  Status statement(const xmlNode* stmt, const std::string& stmt_path) {
    std::string stmt_id = text(child(stmt, "Id"));
    auto entries = children(stmt, "Ntry");
    for (size_t i = 0; i < entries.size(); ++i)
      GL_RETURN_IF_ERROR(entry(entries[i], stmt_id, stmt_path + "/Ntry[" + std::to_string(i + 1) + "]"));
    return Status::ok();
  }

 private:
  std::string where(const xmlNode* n, const std::string& xml_path) const {
    return name_ + ": line " + std::to_string(xmlGetLineNo(n)) + ": " + xml_path;
  }
  Status error(const xmlNode* n, const std::string& xml_path, const std::string& why) const {
    return Status::invalid_argument(where(n, xml_path) + ": " + why);
  }

  // <Amt Ccy="DKK">1234.56</Amt>: DKK only, at most two decimals, not negative.
  Result<int64_t> amount(const xmlNode* amt, const std::string& xml_path) const {
    std::string ccy = attribute(amt, "Ccy");
    if (ccy != "DKK") return error(amt, xml_path, "currency \"" + ccy + "\": only DKK is reconciled");
    auto ore = parse_amount_ore(text(amt), '.', 0);
    if (!ore) return ore.error().with_context(where(amt, xml_path) + ": ");
    if (*ore < 0) return error(amt, xml_path, "a negative amount (camt.053 gives the sign in CdtDbtInd)");
    GL_RETURN_IF_ERROR(check_statement_amount(*ore).with_context(where(amt, xml_path) + ": "));
    return *ore;
  }

  // <BookgDt><Dt>2013-12-10</Dt></BookgDt>, or <DtTm>2013-12-10T08:00:00</DtTm>.
  Result<int32_t> date(const xmlNode* holder, const std::string& xml_path) const {
    const xmlNode* d = child(holder, "Dt");
    std::string t = text(d);
    if (!d) {
      d = child(holder, "DtTm");
      t = text(d).substr(0, 10);
    }
    if (!d) return error(holder, xml_path, "no Dt or DtTm");
    auto days = parse_date(t);
    if (!days) return error(d, xml_path + "/" + std::string(local_name(d)), "date \"" + text(d) + "\": " + days.error().message());
    return *days;
  }

  static void add_reference(std::vector<std::string>* refs, std::string r) {
    if (r.empty() || r == "NOTPROVIDED") return;
    for (const auto& have : *refs)
      if (have == r) return;
    refs->push_back(std::move(r));
  }

  static void details(const xmlNode* tx, StatementEntry* e) {
    if (!tx) return;
    add_reference(&e->references, text(path(tx, {"Refs", "EndToEndId"})));
    for (const xmlNode* rmt : children(tx, "RmtInf")) {
      for (const xmlNode* strd : children(rmt, "Strd")) add_reference(&e->references, text(path(strd, {"CdtrRefInf", "Ref"})));
      for (const xmlNode* ustrd : children(rmt, "Ustrd")) add_reference(&e->references, text(ustrd));
    }
    const xmlNode* cdtr = path(tx, {"RltdPties", "Cdtr"});
    if (const xmlNode* pty = child(cdtr, "Pty")) cdtr = pty;  // camt.053.001.08 and later
    e->payee_name = text(child(cdtr, "Nm"));
    e->payee_id = text(path(cdtr, {"Id", "OrgId", "Othr", "Id"}));
  }

  Status entry(const xmlNode* ntry, const std::string& stmt_id, const std::string& xml_path) {
    const xmlNode* amt = child(ntry, "Amt");
    if (!amt) return error(ntry, xml_path, "no Amt");
    GL_ASSIGN_OR_RETURN(int64_t total, amount(amt, xml_path + "/Amt"));
    std::string cdi = text(child(ntry, "CdtDbtInd"));
    if (cdi != "DBIT" && cdi != "CRDT") return error(ntry, xml_path + "/CdtDbtInd", "expected DBIT or CRDT, got \"" + cdi + "\"");
    const xmlNode* sts = child(ntry, "Sts");
    std::string status = child(sts, "Cd") ? text(child(sts, "Cd")) : text(sts);  // .08+: <Sts><Cd>BOOK</Cd></Sts>
    const xmlNode* booking = child(ntry, "BookgDt");
    if (!booking) return error(ntry, xml_path, "no BookgDt");
    GL_ASSIGN_OR_RETURN(int32_t booking_date, date(booking, xml_path + "/BookgDt"));
    int32_t value_date = booking_date;
    if (const xmlNode* val = child(ntry, "ValDt")) {
      GL_ASSIGN_OR_RETURN(value_date, date(val, xml_path + "/ValDt"));
    }
    if (cdi != "DBIT" || status != "BOOK" || total == 0) {
      ++out_->skipped_entries;
      return Status::ok();
    }
    std::string ref = text(child(ntry, "NtryRef"));
    if (ref.empty()) ref = text(child(ntry, "AcctSvcrRef"));
    std::string line_id = stmt_id + "/" + (ref.empty() ? xml_path : ref);

    std::vector<const xmlNode*> txs;
    for (const xmlNode* dtls : children(ntry, "NtryDtls"))
      for (const xmlNode* tx : children(dtls, "TxDtls")) txs.push_back(tx);
    StatementEntry base;
    base.booking_date = booking_date;
    base.value_date = value_date;
    if (txs.size() <= 1) {
      base.line_id = line_id;
      base.location = where(ntry, xml_path);
      base.amount = Ore{total};
      details(txs.empty() ? nullptr : txs[0], &base);
      return push(std::move(base), ntry, xml_path);
    }
    // A batch booking: one entry per transaction, each with its own amount, summing to the entry.
    int64_t sum = 0;
    for (size_t k = 0; k < txs.size(); ++k) {
      std::string tx_path = xml_path + "/NtryDtls/TxDtls[" + std::to_string(k + 1) + "]";
      const xmlNode* tx_amt = child(txs[k], "Amt");
      if (!tx_amt) tx_amt = path(txs[k], {"AmtDtls", "TxAmt", "Amt"});
      if (!tx_amt) return error(txs[k], tx_path, "a batched transaction without its amount (Amt or AmtDtls/TxAmt/Amt)");
      GL_ASSIGN_OR_RETURN(int64_t ore, amount(tx_amt, tx_path + "/Amt"));
      sum += ore;
      StatementEntry e = base;
      e.line_id = line_id + "/" + std::to_string(k + 1);
      e.location = where(txs[k], tx_path);
      e.amount = Ore{ore};
      details(txs[k], &e);
      GL_RETURN_IF_ERROR(push(std::move(e), txs[k], tx_path));
    }
    if (sum != total)
      return error(ntry, xml_path, "its transactions sum to " + format_kroner_plain(Ore{sum}) + ", not the entry amount " +
                                       format_kroner_plain(Ore{total}));
    return Status::ok();
  }

  Status push(StatementEntry e, const xmlNode* n, const std::string& xml_path) {
    if (out_->entries.size() >= kMaxStatementEntries)
      return error(n, xml_path, "more than " + std::to_string(kMaxStatementEntries) + " statement entries");
    out_->entries.push_back(std::move(e));
    return Status::ok();
  }

  const std::string& name_;
  Statement* out_;
};

}  // namespace

Result<Statement> parse_camt053_statement(std::string_view bytes, const std::string& name) {
  Statement st;
  st.format = StatementFormat::kCamt053;
  st.name = name;
  st.sha256 = Sha256().digest(bytes);
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) return Status::invalid_argument(name + ": too large for the XML parser");
  std::unique_ptr<xmlParserCtxt, CtxtDeleter> ctxt(xmlNewParserCtxt());
  if (!ctxt) return Status::io_error("libxml2: cannot allocate a parser");
  // No network, no entity substitution, no DTD loading; errors are collected, not printed.
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  std::unique_ptr<xmlDoc, DocDeleter> doc(
      xmlCtxtReadMemory(ctxt.get(), bytes.data(), static_cast<int>(bytes.size()), name.c_str(), nullptr, options));
  if (!doc || !ctxt->wellFormed) {
    const xmlError* err = xmlCtxtGetLastError(ctxt.get());
    std::string why = err && err->message ? err->message : "not well-formed XML";
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return Status::invalid_argument(name + ": line " + std::to_string(err ? err->line : 0) + ": malformed XML: " + why);
  }
  if (doc->intSubset || doc->extSubset)
    return Status::invalid_argument(name + ": a DOCTYPE is not allowed in a statement");
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  std::string ns = root && root->ns && root->ns->href ? reinterpret_cast<const char*>(root->ns->href) : "";
  int version = 0;
  if (ns.rfind(kNamespacePrefix, 0) == 0) {
    std::string v = ns.substr(kNamespacePrefix.size());
    if (!v.empty() && v.size() <= 3 && v.find_first_not_of("0123456789") == std::string::npos) version = std::stoi(v);
  }
  if (!root || local_name(root) != "Document" || version < 2)
    return Status::invalid_argument(name + ": not an ISO 20022 camt.053 statement (version .001.02 or later): root " +
                                    (root ? "<" + std::string(local_name(root)) + "> in namespace \"" + ns + "\"" : "missing"));
  const xmlNode* report = child(root, "BkToCstmrStmt");
  if (!report) return Status::invalid_argument(name + ": /Document: no BkToCstmrStmt");
  Parser parser(name, &st);
  auto stmts = children(report, "Stmt");
  for (size_t i = 0; i < stmts.size(); ++i)
    GL_RETURN_IF_ERROR(parser.statement(stmts[i], "/Document/BkToCstmrStmt/Stmt[" + std::to_string(i + 1) + "]"));
  GL_RETURN_IF_ERROR(check_unique_line_ids(st));
  return st;
}

}  // namespace grantledger::reconcile
