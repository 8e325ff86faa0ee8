// The web page's static assets, compiled into the binary (the machines that run the service have
// no internet: no CDN, no build toolchain). Served under /ui/assets/.
#pragma once

#include <string_view>

namespace grantledger::web {

// The stylesheet: readable contrast (WCAG AA), visible keyboard focus, print-friendly tables.
std::string_view stylesheet();
// The page's icon (SVG): a ledger's ruled page.
std::string_view icon_svg();

}  // namespace grantledger::web
