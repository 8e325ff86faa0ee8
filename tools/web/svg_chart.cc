#include "tools/web/svg_chart.h"

#include <algorithm>
#include <cstdio>

#include "tools/web/html.h"

namespace grantledger::web {

namespace {

std::string fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// Days since 1970-01-01 of a YYYY-MM-DD text (H. Hinnant's days_from_civil); -1 if malformed.
int64_t day_number(const std::string& iso) {
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return -1;
  int y = 0, m = 0, d = 0;
  if (std::sscanf(iso.c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3) return -1;
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return int64_t{era} * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::string open_svg(const std::string& title, const std::string& description, int width, int height, const std::string& id) {
  return "<figure class=\"chart\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 " + std::to_string(width) + " " +
         std::to_string(height) + "\" width=\"100%\" aria-labelledby=\"" + id + "-t " + id + "-d\">\n<title id=\"" + id + "-t\">" +
         escape(title) + "</title>\n<desc id=\"" + id + "-d\">" + escape(description) + "</desc>\n";
}

std::string chart_id(const std::string& title) {
  // Stable per title, distinct enough for the few charts of one page.
  uint32_t h = 2166136261u;
  for (unsigned char c : title) h = (h ^ c) * 16777619u;
  return "c" + std::to_string(h);
}

}  // namespace

std::string stacked_bar_chart(const std::string& title, const std::vector<Bar>& bars, Language l) {
  const int label_w = 190, bar_w = 560, row_h = 34, top = 8;
  const int width = label_w + bar_w + 20;
  const int height = top + static_cast<int>(bars.size()) * row_h + 40;
  int64_t scale = 1;
  std::string description;
  for (const auto& bar : bars) {
    int64_t sum = 0;
    description += bar.label + ":";
    for (const auto& s : bar.segments) {
      sum += std::max<int64_t>(s.ore, 0);
      description += " " + s.label + " " + format_money(s.ore, l) + ";";
    }
    description += " ";
    scale = std::max(scale, sum);
  }
  const std::string id = chart_id(title);
  std::string out = open_svg(title, description, width, height, id);
  int y = top;
  for (const auto& bar : bars) {
    out += "<text class=\"label\" x=\"" + std::to_string(label_w - 8) + "\" y=\"" + std::to_string(y + 21) +
           "\" text-anchor=\"end\">" + escape(bar.label) + "</text>\n";
    double x = label_w;
    for (const auto& s : bar.segments) {
      const double w = static_cast<double>(std::max<int64_t>(s.ore, 0)) / static_cast<double>(scale) * bar_w;
      if (w <= 0) continue;
      out += "<rect class=\"" + escape(s.css_class) + "\" x=\"" + fixed(x) + "\" y=\"" + std::to_string(y + 6) + "\" width=\"" +
             fixed(w) + "\" height=\"22\"><title>" + escape(bar.label + ": " + s.label + " " + format_money(s.ore, l)) +
             "</title></rect>\n";
      x += w;
    }
    y += row_h;
  }
  // The legend: the first bar's segments name every kind.
  double lx = label_w;
  if (!bars.empty()) {
    for (const auto& s : bars.front().segments) {
      out += "<rect class=\"" + escape(s.css_class) + "\" x=\"" + fixed(lx) + "\" y=\"" + std::to_string(y + 10) +
             "\" width=\"14\" height=\"14\"></rect><text class=\"legend\" x=\"" + fixed(lx + 19) + "\" y=\"" + std::to_string(y + 22) +
             "\">" + escape(s.label) + "</text>\n";
      lx += 30 + 8.0 * static_cast<double>(s.label.size());
    }
  }
  out += "</svg>\n</figure>\n";
  return out;
}

std::string step_chart(const std::string& title, const std::vector<StepPoint>& points, Language l) {
  const int left = 130, right = 20, top = 12, bottom = 36, plot_w = 620, plot_h = 200;
  const int width = left + plot_w + right, height = top + plot_h + bottom;
  std::string description;
  int64_t lo = 0, hi = 1;
  int64_t first_day = 0, last_day = 1;
  bool any = false;
  for (const auto& p : points) {
    const int64_t d = day_number(p.date);
    if (d < 0) continue;
    if (!any) first_day = last_day = d;
    first_day = std::min(first_day, d);
    last_day = std::max(last_day, d);
    lo = std::min(lo, p.ore);
    hi = std::max(hi, p.ore);
    any = true;
  }
  if (last_day == first_day) last_day = first_day + 1;
  if (!points.empty())
    description = format_date(points.front().date, l) + ": " + format_money(points.front().ore, l) + " … " +
                  format_date(points.back().date, l) + ": " + format_money(points.back().ore, l);
  const std::string id = chart_id(title);
  std::string out = open_svg(title, description, width, height, id);
  auto x_of = [&](int64_t day) {
    return left + static_cast<double>(day - first_day) / static_cast<double>(last_day - first_day) * plot_w;
  };
  auto y_of = [&](int64_t ore) { return top + (1.0 - static_cast<double>(ore - lo) / static_cast<double>(hi - lo)) * plot_h; };
  out += "<line class=\"axis\" x1=\"" + std::to_string(left) + "\" y1=\"" + std::to_string(top + plot_h) + "\" x2=\"" +
         std::to_string(left + plot_w) + "\" y2=\"" + std::to_string(top + plot_h) + "\"></line>\n";
  out += "<line class=\"axis\" x1=\"" + std::to_string(left) + "\" y1=\"" + std::to_string(top) + "\" x2=\"" + std::to_string(left) +
         "\" y2=\"" + std::to_string(top + plot_h) + "\"></line>\n";
  out += "<text class=\"tick\" x=\"" + std::to_string(left - 6) + "\" y=\"" + fixed(y_of(hi) + 4) + "\" text-anchor=\"end\">" +
         escape(format_money(hi, l)) + "</text>\n";
  out += "<text class=\"tick\" x=\"" + std::to_string(left - 6) + "\" y=\"" + fixed(y_of(lo) + 4) + "\" text-anchor=\"end\">" +
         escape(format_money(lo, l)) + "</text>\n";
  if (any) {
    std::string first_date, last_date;
    for (const auto& p : points) {
      if (day_number(p.date) == first_day && first_date.empty()) first_date = p.date;
      if (day_number(p.date) == last_day) last_date = p.date;
    }
    out += "<text class=\"tick\" x=\"" + std::to_string(left) + "\" y=\"" + std::to_string(top + plot_h + 22) + "\">" +
           escape(format_date(first_date, l)) + "</text>\n";
    out += "<text class=\"tick\" x=\"" + std::to_string(left + plot_w) + "\" y=\"" + std::to_string(top + plot_h + 22) +
           "\" text-anchor=\"end\">" + escape(format_date(last_date, l)) + "</text>\n";
    std::string path;
    bool started = false;
    for (const auto& p : points) {
      const int64_t d = day_number(p.date);
      if (d < 0) continue;
      const double x = x_of(d), y = y_of(p.ore);
      path += started ? " H" + fixed(x) + " V" + fixed(y) : "M" + fixed(x) + " " + fixed(y);
      started = true;
    }
    path += " H" + fixed(left + plot_w);
    out += "<path class=\"line\" d=\"" + path + "\"></path>\n";
    for (const auto& p : points) {
      const int64_t d = day_number(p.date);
      if (d < 0) continue;
      out += "<circle class=\"point\" cx=\"" + fixed(x_of(d)) + "\" cy=\"" + fixed(y_of(p.ore)) + "\" r=\"3\"><title>" +
             escape(format_date(p.date, l) + ": " + format_money(p.ore, l)) + "</title></circle>\n";
    }
  }
  out += "</svg>\n</figure>\n";
  return out;
}

}  // namespace grantledger::web
