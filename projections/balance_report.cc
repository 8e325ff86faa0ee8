#include "projections/balance_report.h"

#include <algorithm>
#include <map>

namespace grantledger::projections {

namespace {

using schema::EntityKind;

struct ByName {
  BalanceBy by;
  const char* name;
};
constexpr ByName kByNames[] = {{BalanceBy::kMunicipality, "municipality"}, {BalanceBy::kRegion, "region"},
                               {BalanceBy::kState, "state"},               {BalanceBy::kSector, "sector"},
                               {BalanceBy::kProgramme, "programme"},       {BalanceBy::kProvider, "provider"},
                               {BalanceBy::kProject, "project"}};

const std::vector<BalanceColumn> kRecipientColumns = {
    {"allocated"}, {"reserved"}, {"paid"}, {"returned"}, {"remaining"}};

const std::vector<BalanceColumn> kProjectColumns = {
    {"granted"}, {"reported"}, {"paid"}, {"returned"}, {"remaining"}};

std::vector<int64_t> project_values(const ProjectBalance& b) {
  return {b.granted.value, b.reported.value, b.paid.value, b.returned.value, b.remaining.value};
}

// A report row holds int64 cells, not Ore: the provider report puts a count beside its money.
std::vector<int64_t> recipient_values(const RecipientBalance& b) {
  return {b.allocated.value, b.reserved.value, b.paid.value, b.returned.value, b.remaining.value};
}

// The sector a recipient kind belongs to (spec/DOMAIN.md, "Allocations"), as accounts name it.
const char* sector_of(uint8_t kind) {
  switch (static_cast<EntityKind>(kind)) {
    case EntityKind::MUNICIPALITY: return sector_name(schema::Sector::MUNICIPALITIES);
    case EntityKind::REGION: return sector_name(schema::Sector::REGIONS);
    case EntityKind::STATE_INSTITUTION: return sector_name(schema::Sector::STATE);
    default: return nullptr;
  }
}

std::optional<EntityKind> kind_of(BalanceBy by) {
  switch (by) {
    case BalanceBy::kMunicipality: return EntityKind::MUNICIPALITY;
    case BalanceBy::kRegion: return EntityKind::REGION;
    case BalanceBy::kState: return EntityKind::STATE_INSTITUTION;
    case BalanceBy::kProvider:
    case BalanceBy::kProject:  // --entity names the provider
      return EntityKind::PROVIDER;
    default: return std::nullopt;
  }
}

// Adds `values` column by column to the row `into`; corruption when a sum leaves the int64 range
// (spec/DOMAIN.md, "Amount limits"), never a wrapped figure.
Status add_into(BalanceRow* into, const std::vector<int64_t>& values, const std::vector<BalanceColumn>& columns) {
  if (into->values.empty()) into->values.assign(values.size(), 0);
  for (size_t i = 0; i < values.size(); ++i)
    GL_RETURN_IF_ERROR(add_to_sum(&into->values[i], values[i], "the " + columns[i].name + " of " + into->code));
  return Status::ok();
}

// The row a programme counts in when grouped: its own theme or kind, or its nearest parent's.
// corruption for a parent chain that does not end (the rules never record one).
Result<std::string> group_of(const std::map<std::string, RegistryRecord>& programmes, std::string code, BalanceGroup group) {
  for (size_t depth = 0; depth <= programmes.size(); ++depth) {
    auto p = programmes.find(code);
    if (p == programmes.end()) return std::string("none");
    const std::string& value = group == BalanceGroup::kTheme ? p->second.theme : p->second.programme_kind;
    if (!value.empty()) return value;
    if (p->second.parent.empty()) return std::string("none");
    code = p->second.parent;
  }
  return Status::corruption("registry: the parents of programme " + code + " form a cycle");
}

// The Danish name of a group row (the agreement's own words).
std::string group_label(const std::string& code) {
  static const std::map<std::string, std::string> kLabels = {
      {"leadership", "Styrket offentlig ledelse"},
      {"competences", "Kompetente ledere og medarbejdere"},
      {"workplaces", "Velfungerende og attraktive offentlige arbejdspladser"},
      {"cross_public", "Tværoffentlige initiativer"},
      {"sector_wise", "Sektorvise initiativer"},
      {"state_only", "Statslige initiativer"},
      {"none", "Ikke initiativer i ledelses- og kompetenceaftalen"}};
  auto it = kLabels.find(code);
  return it == kLabels.end() ? std::string() : it->second;
}

}  // namespace

Result<BalanceGroup> parse_balance_group(const std::string& name) {
  if (name == "theme") return BalanceGroup::kTheme;
  if (name == "kind") return BalanceGroup::kKind;
  return Status::invalid_argument("--group " + name + ": expected theme or kind");
}

Result<BalanceBy> parse_balance_by(const std::string& name) {
  for (const auto& b : kByNames)
    if (name == b.name) return b.by;
  return Status::invalid_argument("--by " + name + ": expected municipality, region, state, sector, programme, provider or project");
}

const char* balance_by_name(BalanceBy by) {
  for (const auto& b : kByNames)
    if (by == b.by) return b.name;
  return "?";
}

Result<BalanceReport> balance_report(Queries& queries, const BalanceQuery& query) {
  GL_RETURN_IF_ERROR(queries.check_as_of(query.as_of));
  GL_ASSIGN_OR_RETURN(auto entities, queries.entities());
  GL_ASSIGN_OR_RETURN(auto programmes, queries.programmes());
  if (!query.programme.empty() && !programmes.count(query.programme))
    return Status::not_found("--programme " + query.programme + ": no such programme in the log");
  if (query.group != BalanceGroup::kNone && query.by != BalanceBy::kProgramme)
    return Status::invalid_argument("--group applies to --by programme only");
  if (!query.entity.empty()) {
    auto e = entities.find(query.entity);
    if (e == entities.end()) return Status::not_found("--entity " + query.entity + ": no such entity in the log");
    auto kind = kind_of(query.by);
    if (query.by == BalanceBy::kProgramme || query.by == BalanceBy::kSector)
      return Status::invalid_argument("--entity applies to --by municipality, region, state, provider or project");
    if (kind && e->second.kind != static_cast<uint8_t>(*kind))
      return Status::invalid_argument("--entity " + query.entity + " (" + e->second.name + ") is not a " +
                                      balance_by_name(query.by));
  }

  BalanceReport report;
  std::map<std::string, BalanceRow> rows;  // by code: the stable order
  auto name_of = [&](const std::string& code) {
    auto e = entities.find(code);
    return e == entities.end() ? std::string() : e->second.name;
  };

  std::vector<std::string> scope;
  for (const auto& [code, _] : programmes)
    if (query.programme.empty() || code == query.programme) scope.push_back(code);
  if (query.by == BalanceBy::kProvider || query.by == BalanceBy::kProject) {
    // Course income is no programme's money: a provider's row shows all of it, and its project
    // grants in the programmes asked for (spec/PROJECTIONS.md, "Balance reports").
    const bool by_provider = query.by == BalanceBy::kProvider;
    if (by_provider) report.columns = {{"course_payments", false}, {"course_income", true}};
    report.columns.insert(report.columns.end(), kProjectColumns.begin(), kProjectColumns.end());
    const size_t first_project_column = report.columns.size() - kProjectColumns.size();
    if (by_provider) {
      GL_ASSIGN_OR_RETURN(auto providers, queries.providers(query.as_of));
      for (const auto& [code, t] : providers) {
        if (!query.entity.empty() && code != query.entity) continue;
        std::vector<int64_t> values(report.columns.size(), 0);
        values[0] = t.count;
        values[1] = t.total_ore.value;
        rows[code] = BalanceRow{code, name_of(code), values};
      }
    }
    GL_ASSIGN_OR_RETURN(auto projects, queries.projects());
    for (const std::string& code : scope) {
      GL_ASSIGN_OR_RETURN(ProgrammeBalances pb, queries.programme_balances(code, query.as_of));
      for (const auto& [project, b] : pb.projects) {
        auto info = projects.find(project);
        if (info == projects.end()) return Status::corruption("registry: project " + project + " of programme " + code + " is missing");
        const std::string& provider = info->second.parent;
        if (!query.entity.empty() && provider != query.entity) continue;
        const std::string& row_code = by_provider ? provider : project;
        BalanceRow& row = rows[row_code];
        row.code = row_code;
        row.name = by_provider ? name_of(provider) : info->second.name;
        std::vector<int64_t> values(report.columns.size(), 0);
        std::vector<int64_t> money = project_values(b);
        std::copy(money.begin(), money.end(), values.begin() + static_cast<long>(first_project_column));
        GL_RETURN_IF_ERROR(add_into(&row, values, report.columns));
      }
    }
  } else {
    if (query.by == BalanceBy::kProgramme) {
      report.columns = {{"pool"}, {"sector_unallocated"}};
      report.columns.insert(report.columns.end(), kRecipientColumns.begin(), kRecipientColumns.end());
      report.columns.push_back({"projects"});  // granted to projects and not returned
    } else if (query.by == BalanceBy::kSector) {
      report.columns = {{"share_unallocated"}};
      report.columns.insert(report.columns.end(), kRecipientColumns.begin(), kRecipientColumns.end());
    } else {
      report.columns = kRecipientColumns;
    }
    for (const std::string& code : scope) {
      GL_ASSIGN_OR_RETURN(ProgrammeBalances pb, queries.programme_balances(code, query.as_of));
      if (query.by == BalanceBy::kProgramme) {
        RecipientBalance sum;
        Ore sectors;
        for (const auto& [_, b] : pb.recipients) GL_RETURN_IF_ERROR(sum.add(b).with_context("programme " + code + ": "));
        for (const auto& [_, v] : pb.sector_unallocated)
          GL_RETURN_IF_ERROR(add_to_sum(&sectors, v, "the unallocated sector shares of programme " + code));
        std::vector<int64_t> values = {pb.pool.value, sectors.value};
        for (int64_t v : recipient_values(sum)) values.push_back(v);
        ProjectBalance projects;
        for (const auto& [_, b] : pb.projects) GL_RETURN_IF_ERROR(projects.add(b).with_context("programme " + code + ": "));
        Ore held = projects.remaining;  // granted and not returned: remaining + reported
        GL_RETURN_IF_ERROR(add_to_sum(&held, projects.reported, "the project grants of programme " + code));
        values.push_back(held.value);
        rows[code] = BalanceRow{code, pb.info.name, values};
        continue;
      }
      if (query.by == BalanceBy::kSector) {
        for (const auto& [sector, v] : pb.sector_unallocated) {
          BalanceRow& row = rows[sector];
          row.code = sector;
          std::vector<int64_t> values(1 + kRecipientColumns.size(), 0);
          values[0] = v.value;
          GL_RETURN_IF_ERROR(add_into(&row, values, report.columns));
        }
        for (const auto& [recipient, b] : pb.recipients) {
          auto e = entities.find(recipient);
          const char* sector = e == entities.end() ? nullptr : sector_of(e->second.kind);
          if (!sector) continue;
          BalanceRow& row = rows[sector];
          row.code = sector;
          std::vector<int64_t> values = {0};
          for (int64_t v : recipient_values(b)) values.push_back(v);
          GL_RETURN_IF_ERROR(add_into(&row, values, report.columns));
        }
        continue;
      }
      const uint8_t kind = static_cast<uint8_t>(*kind_of(query.by));
      for (const auto& [recipient, b] : pb.recipients) {
        auto e = entities.find(recipient);
        if (e == entities.end() || e->second.kind != kind) continue;
        if (!query.entity.empty() && recipient != query.entity) continue;
        BalanceRow& row = rows[recipient];
        row.code = recipient;
        row.name = e->second.name;
        GL_RETURN_IF_ERROR(add_into(&row, recipient_values(b), report.columns));
      }
    }
  }
  for (auto& [_, row] : rows) row.values.resize(report.columns.size(), 0);
  if (query.group != BalanceGroup::kNone) {
    // One row per group: the sums of its programmes' rows, and how many programmes it holds.
    report.columns.push_back({"programmes", false});
    std::map<std::string, BalanceRow> groups;
    for (auto& [code, row] : rows) {
      GL_ASSIGN_OR_RETURN(std::string group, group_of(programmes, code, query.group));
      BalanceRow& g = groups[group];
      g.code = group;
      g.name = group_label(group);
      row.values.push_back(1);
      GL_RETURN_IF_ERROR(add_into(&g, row.values, report.columns));
    }
    rows = std::move(groups);
  }
  for (auto& [_, row] : rows) report.rows.push_back(std::move(row));
  report.total.code = "TOTAL";
  report.total.values.assign(report.columns.size(), 0);
  for (const BalanceRow& row : report.rows) GL_RETURN_IF_ERROR(add_into(&report.total, row.values, report.columns));
  return report;
}

}  // namespace grantledger::projections
