// Account: one account of the chart of accounts (spec/DOMAIN.md, "Chart of accounts"), the one
// place account names are built and parsed. The rules build accounts with the named constructors;
// projections, queries and tools read a stored name back with Account::parse and its accessors.
//
//   kind           name                               programme  entity  sector
//   kFunding       funding:P                          P          -       -
//   kPool          grant:P:pool                       P          -       -
//   kSector        grant:P:sector:S                   P          -       S
//   kAvailable     grant:P:recipient:R:available      P          R       -
//   kReserved      grant:P:recipient:R:reserved       P          R       -
//   kPaid          grant:P:recipient:R:paid           P          R       -
//   kProjectAvailable  grant:P:project:J:available    P          J       -
//   kProjectReported   grant:P:project:J:reported     P          J       -
//   kProjectPaid       grant:P:project:J:paid         P          J       -
//   kCourseFees    employer:E:course_fees             -          E       -
//   kCourseIncome  provider:V:course_income           -          V       -
//
// Names are stored (postings, the rule state, the projections), so their bytes never change.
//
// Codes and ambiguity. A programme code is non-empty and has no ':' (the rules refuse others,
// spec/DOMAIN.md rule 14), so "grant:P:" ends at the first ':' after "grant:". An entity code is
// any non-empty string and may contain ':' itself; its end is therefore found from the right:
// the fixed last word (":available", ":reserved", ":paid", ":course_fees", ":course_income")
// follows it. So "grant:P:recipient:A:B:paid" is the paid account of recipient "A:B". A project
// code J (a project grant's, spec/DOMAIN.md "Project grants") is read the same way. Every name
// has exactly one reading, and parse(a.name()) == a for every account a.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "spec/events.capnp.h"

namespace grantledger {

class Account {
 public:
  enum class Kind : uint8_t {
    kFunding,       // the source of a top-level programme's money
    kPool,          // a programme's unallocated pool
    kSector,        // a sector share not yet allocated to recipients
    kAvailable,     // allocated to a recipient, not reserved or paid
    kReserved,      // approved claims awaiting payment
    kPaid,          // reimbursements paid
    kCourseFees,    // participant fees an employer paid (deltagerbetaling)
    kCourseIncome,  // participant fees a provider received
    kProjectAvailable,  // a project grant not yet reported as spent
    kProjectReported,   // reported project expenditure not yet paid
    kProjectPaid,       // project expenditure paid to the provider
  };

  // The accounts. REQUIRES: `programme` is a valid programme code (valid_programme_code), entity
  // codes are non-empty; a violation is a bug of the caller (the rules check codes first) and
  // stops the process.
  static Account funding(std::string_view programme);
  static Account pool(std::string_view programme);
  static Account sector(std::string_view programme, schema::Sector sector);
  static Account available(std::string_view programme, std::string_view recipient);
  static Account reserved(std::string_view programme, std::string_view recipient);
  static Account paid(std::string_view programme, std::string_view recipient);
  // A project's accounts; `project` is the project code (REQUIRES: non-empty).
  static Account project_available(std::string_view programme, std::string_view project);
  static Account project_reported(std::string_view programme, std::string_view project);
  static Account project_paid(std::string_view programme, std::string_view project);
  static Account course_fees(std::string_view employer);
  static Account course_income(std::string_view provider);

  // The account a stored name denotes; nullopt when `name` is not the name of an account of the
  // chart (unknown form or kind, an empty code, a programme code with ':', an unknown sector).
  // Cost: one pass over the name and a copy of its parts.
  static std::optional<Account> parse(std::string_view name);

  // The prefix every name of a grant account of `programme` starts with ("grant:P:"), and the
  // prefix of every provider account ("provider:"): for scans of stores ordered by name. A name
  // with the prefix is not necessarily an account; parse it.
  static std::string grant_prefix(std::string_view programme);
  static std::string_view provider_prefix() { return "provider:"; }

  Kind kind() const { return kind_; }
  // The programme code; empty for kCourseFees and kCourseIncome.
  const std::string& programme() const { return programme_; }
  // The recipient (kAvailable, kReserved, kPaid), employer (kCourseFees) or provider
  // (kCourseIncome) entity code; the project code for the project kinds; empty for the others.
  const std::string& entity() const { return entity_; }
  // The sector of a kSector account.
  std::optional<schema::Sector> sector() const { return sector_; }
  // kAvailable, kReserved or kPaid.
  bool is_recipient() const;
  // kProjectAvailable, kProjectReported or kProjectPaid.
  bool is_project() const;
  // Every "grant:" account may never go below zero (spec/DOMAIN.md, rules 20 and 35).
  bool has_floor() const;

  // The stored name, exactly as the chart spells it.
  const std::string& name() const { return name_; }

  // Accounts compare as their names do, so a map keyed by Account keeps the order of one keyed
  // by name (the order of the stores).
  friend bool operator==(const Account& a, const Account& b) { return a.name_ == b.name_; }
  friend std::strong_ordering operator<=>(const Account& a, const Account& b) {
    return a.name_ <=> b.name_;
  }

 private:
  Account(Kind kind, std::string programme, std::string entity,
          std::optional<schema::Sector> sector);

  Kind kind_;
  std::string programme_, entity_;
  std::optional<schema::Sector> sector_;
  std::string name_;
};

// A programme code an account can carry: non-empty, without ':' (spec/DOMAIN.md, rule 14).
bool valid_programme_code(std::string_view code);

// A sector as account names and reports spell it ("municipalities", "regions", "state"), and back.
const char* sector_name(schema::Sector sector);
std::optional<schema::Sector> parse_sector_name(std::string_view name);

}  // namespace grantledger
