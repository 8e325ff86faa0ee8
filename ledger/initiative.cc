#include "ledger/initiative.h"

namespace grantledger {

const char* theme_name(schema::Theme theme) {
  switch (theme) {
    case schema::Theme::NONE: return "none";
    case schema::Theme::LEADERSHIP: return "leadership";
    case schema::Theme::COMPETENCES: return "competences";
    case schema::Theme::WORKPLACES: return "workplaces";
  }
  return "unknown";
}

const char* programme_kind_name(schema::ProgrammeKind kind) {
  switch (kind) {
    case schema::ProgrammeKind::NONE: return "none";
    case schema::ProgrammeKind::CROSS_PUBLIC: return "cross_public";
    case schema::ProgrammeKind::SECTOR_WISE: return "sector_wise";
    case schema::ProgrammeKind::STATE_ONLY: return "state_only";
  }
  return "unknown";
}

const char* sector_part_name(schema::SectorPart part) {
  switch (part) {
    case schema::SectorPart::NONE: return "none";
    case schema::SectorPart::MUNICIPALITIES: return "municipalities";
    case schema::SectorPart::REGIONS: return "regions";
    case schema::SectorPart::STATE: return "state";
  }
  return "unknown";
}

std::optional<schema::Sector> sector_of_part(schema::SectorPart part) {
  switch (part) {
    case schema::SectorPart::NONE: return std::nullopt;
    case schema::SectorPart::MUNICIPALITIES: return schema::Sector::MUNICIPALITIES;
    case schema::SectorPart::REGIONS: return schema::Sector::REGIONS;
    case schema::SectorPart::STATE: return schema::Sector::STATE;
  }
  return std::nullopt;
}

}  // namespace grantledger
