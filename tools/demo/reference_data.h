// Reference data embedded in the binary at build time from tools/demo/data/*.csv (copied from the
// project's shared reference folder; sources in tools/data/README.md). The product never reads
// files outside its repository at run time.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace grantledger::demo {

std::string_view municipalities_csv();       // code,name,region_code,region_name,population,population_year
std::string_view regions_csv();              // code,name,population,population_year
std::string_view state_institutions_csv();   // key,name,cvr
std::string_view providers_csv();            // key,name,kind

// Rows of a simple CSV (no quoted commas in these files), header row dropped.
std::vector<std::vector<std::string>> csv_rows(std::string_view csv);

}  // namespace grantledger::demo
