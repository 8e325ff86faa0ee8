#include "ledger/account.h"

#include <utility>

#include "ledger/status.h"

namespace grantledger {

namespace {

constexpr std::string_view kFundingPrefix = "funding:";
constexpr std::string_view kGrantPrefix = "grant:";
constexpr std::string_view kEmployerPrefix = "employer:";
constexpr std::string_view kProviderPrefix = "provider:";
constexpr std::string_view kPool = "pool";
constexpr std::string_view kSectorPrefix = "sector:";
constexpr std::string_view kRecipientPrefix = "recipient:";
constexpr std::string_view kProjectPrefix = "project:";
constexpr std::string_view kCourseFeesSuffix = ":course_fees";
constexpr std::string_view kCourseIncomeSuffix = ":course_income";

// The last word of a recipient account's name, by kind; and the sectors as names spell them.
constexpr std::pair<Account::Kind, const char*> kRecipientWords[] = {
    {Account::Kind::kAvailable, "available"},
    {Account::Kind::kReserved, "reserved"},
    {Account::Kind::kPaid, "paid"},
};
constexpr std::pair<Account::Kind, const char*> kProjectWords[] = {
    {Account::Kind::kProjectAvailable, "available"},
    {Account::Kind::kProjectReported, "reported"},
    {Account::Kind::kProjectPaid, "paid"},
};
constexpr std::pair<schema::Sector, const char*> kSectorNames[] = {
    {schema::Sector::MUNICIPALITIES, "municipalities"},
    {schema::Sector::REGIONS, "regions"},
    {schema::Sector::STATE, "state"},
};

template <size_t N>
const char* last_word(const std::pair<Account::Kind, const char*> (&words)[N], Account::Kind kind) {
  for (const auto& [k, word] : words)
    if (k == kind) return word;
  return nullptr;
}

template <size_t N>
std::optional<Account::Kind> kind_of_word(const std::pair<Account::Kind, const char*> (&words)[N], std::string_view word) {
  for (const auto& [k, w] : words)
    if (word == w) return k;
  return std::nullopt;
}

// The entity code of "<prefix>E<suffix>": E non-empty (it may contain ':'), else nullopt.
std::optional<std::string_view> entity_between(std::string_view name, std::string_view prefix,
                                               std::string_view suffix) {
  if (!name.starts_with(prefix) || !name.ends_with(suffix) ||
      name.size() <= prefix.size() + suffix.size())
    return std::nullopt;
  return name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
}

std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out += p;
  return out;
}

}  // namespace

bool valid_programme_code(std::string_view code) {
  return !code.empty() && code.find(':') == std::string_view::npos;
}

const char* sector_name(schema::Sector sector) {
  for (const auto& [s, name] : kSectorNames)
    if (s == sector) return name;
  return "unknown";
}

std::optional<schema::Sector> parse_sector_name(std::string_view name) {
  for (const auto& [s, n] : kSectorNames)
    if (name == n) return s;
  return std::nullopt;
}

Account::Account(Kind kind, std::string programme, std::string entity,
                 std::optional<schema::Sector> sector)
    : kind_(kind), programme_(std::move(programme)), entity_(std::move(entity)), sector_(sector) {
  switch (kind_) {
    case Kind::kFunding:
    case Kind::kPool:
    case Kind::kSector:
    case Kind::kAvailable:
    case Kind::kReserved:
    case Kind::kPaid:
    case Kind::kProjectAvailable:
    case Kind::kProjectReported:
    case Kind::kProjectPaid:
      GL_ASSERT(valid_programme_code(programme_));
      break;
    case Kind::kCourseFees:
    case Kind::kCourseIncome:
      GL_ASSERT(programme_.empty());
      break;
  }
  GL_ASSERT(is_recipient() || is_project() || kind_ == Kind::kCourseFees || kind_ == Kind::kCourseIncome
                ? !entity_.empty()
                : entity_.empty());
  GL_ASSERT((kind_ == Kind::kSector) == sector_.has_value());
  switch (kind_) {
    case Kind::kFunding:
      name_ = cat({kFundingPrefix, programme_});
      break;
    case Kind::kPool:
      name_ = cat({kGrantPrefix, programme_, ":", kPool});
      break;
    case Kind::kSector:
      name_ = cat({kGrantPrefix, programme_, ":", kSectorPrefix, sector_name(*sector_)});
      break;
    case Kind::kAvailable:
    case Kind::kReserved:
    case Kind::kPaid:
      name_ = cat(
          {kGrantPrefix, programme_, ":", kRecipientPrefix, entity_, ":", last_word(kRecipientWords, kind_)});
      break;
    case Kind::kProjectAvailable:
    case Kind::kProjectReported:
    case Kind::kProjectPaid:
      name_ = cat({kGrantPrefix, programme_, ":", kProjectPrefix, entity_, ":", last_word(kProjectWords, kind_)});
      break;
    case Kind::kCourseFees:
      name_ = cat({kEmployerPrefix, entity_, kCourseFeesSuffix});
      break;
    case Kind::kCourseIncome:
      name_ = cat({kProviderPrefix, entity_, kCourseIncomeSuffix});
      break;
  }
}

Account Account::funding(std::string_view p) {
  return Account(Kind::kFunding, std::string(p), "", std::nullopt);
}
Account Account::pool(std::string_view p) {
  return Account(Kind::kPool, std::string(p), "", std::nullopt);
}
Account Account::sector(std::string_view p, schema::Sector s) {
  return Account(Kind::kSector, std::string(p), "", s);
}
Account Account::available(std::string_view p, std::string_view r) {
  return Account(Kind::kAvailable, std::string(p), std::string(r), std::nullopt);
}
Account Account::reserved(std::string_view p, std::string_view r) {
  return Account(Kind::kReserved, std::string(p), std::string(r), std::nullopt);
}
Account Account::paid(std::string_view p, std::string_view r) {
  return Account(Kind::kPaid, std::string(p), std::string(r), std::nullopt);
}
Account Account::project_available(std::string_view p, std::string_view j) {
  return Account(Kind::kProjectAvailable, std::string(p), std::string(j), std::nullopt);
}
Account Account::project_reported(std::string_view p, std::string_view j) {
  return Account(Kind::kProjectReported, std::string(p), std::string(j), std::nullopt);
}
Account Account::project_paid(std::string_view p, std::string_view j) {
  return Account(Kind::kProjectPaid, std::string(p), std::string(j), std::nullopt);
}
Account Account::course_fees(std::string_view e) {
  return Account(Kind::kCourseFees, "", std::string(e), std::nullopt);
}
Account Account::course_income(std::string_view v) {
  return Account(Kind::kCourseIncome, "", std::string(v), std::nullopt);
}

std::string Account::grant_prefix(std::string_view programme) {
  return cat({kGrantPrefix, programme, ":"});
}

std::optional<Account> Account::parse(std::string_view name) {
  if (name.starts_with(kFundingPrefix)) {
    std::string_view programme = name.substr(kFundingPrefix.size());
    if (!valid_programme_code(programme)) return std::nullopt;
    return funding(programme);
  }
  if (auto employer = entity_between(name, kEmployerPrefix, kCourseFeesSuffix))
    return course_fees(*employer);
  if (auto provider = entity_between(name, kProviderPrefix, kCourseIncomeSuffix))
    return course_income(*provider);
  if (!name.starts_with(kGrantPrefix)) return std::nullopt;
  // "grant:P:<rest>": P ends at the first ':' (programme codes have none).
  std::string_view after = name.substr(kGrantPrefix.size());
  size_t colon = after.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view programme = after.substr(0, colon), rest = after.substr(colon + 1);
  if (rest == kPool) return pool(programme);
  if (rest.starts_with(kSectorPrefix)) {
    auto s = parse_sector_name(rest.substr(kSectorPrefix.size()));
    if (!s) return std::nullopt;
    return sector(programme, *s);
  }
  // "recipient:R:<kind>" / "project:J:<kind>": R and J may contain ':', the kind word cannot; they
  // end at the last ':'.
  auto with_last_word = [&](std::string_view tail, std::optional<Kind> kind, size_t last) -> std::optional<Account> {
    if (!kind) return std::nullopt;
    return Account(*kind, std::string(programme), std::string(tail.substr(0, last)), std::nullopt);
  };
  for (const bool project : {false, true}) {
    std::string_view prefix = project ? kProjectPrefix : kRecipientPrefix;
    if (!rest.starts_with(prefix)) continue;
    std::string_view tail = rest.substr(prefix.size());
    size_t last = tail.rfind(':');
    if (last == std::string_view::npos || last == 0) return std::nullopt;
    std::string_view word = tail.substr(last + 1);
    return with_last_word(tail, project ? kind_of_word(kProjectWords, word) : kind_of_word(kRecipientWords, word), last);
  }
  return std::nullopt;
}

bool Account::is_recipient() const {
  return kind_ == Kind::kAvailable || kind_ == Kind::kReserved || kind_ == Kind::kPaid;
}

bool Account::is_project() const {
  return kind_ == Kind::kProjectAvailable || kind_ == Kind::kProjectReported || kind_ == Kind::kProjectPaid;
}

bool Account::has_floor() const {
  return kind_ != Kind::kFunding && kind_ != Kind::kCourseFees && kind_ != Kind::kCourseIncome;
}

}  // namespace grantledger
