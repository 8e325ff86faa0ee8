// Charts as inline SVG (spec/WEB.md, "Charts"): drawn on the server, so a page shows them with no
// JavaScript and any client that reads HTML gets them. Each chart is an accessible image (role
// "img" with a title and a description), every bar and point carries its figure as a <title>
// tooltip, and colours come from the stylesheet's classes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tools/web/number_format.h"

namespace grantledger::web {

// One stacked bar: the segments in order, each an amount >= 0 (negative amounts draw as 0).
struct BarSegment {
  std::string label;      // shown in the legend and the tooltip
  std::string css_class;  // "paid", "reserved", "remaining", "unallocated"
  int64_t ore = 0;
};
struct Bar {
  std::string label;
  std::vector<BarSegment> segments;
};

// Horizontal stacked bars on one scale (the largest bar's sum), with a legend.
std::string stacked_bar_chart(const std::string& title, const std::vector<Bar>& bars, Language language);

// A running balance: the value after each date's postings, drawn as steps over effective date.
struct StepPoint {
  std::string date;  // YYYY-MM-DD
  int64_t ore = 0;
};
std::string step_chart(const std::string& title, const std::vector<StepPoint>& points, Language language);

}  // namespace grantledger::web
