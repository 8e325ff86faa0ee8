#include "tools/web/assets.h"

namespace grantledger::web {

std::string_view stylesheet() {
  return R"css(:root { --ink: #1b1f23; --muted: #4a5560; --line: #c9d1d9; --bg: #ffffff; --band: #f3f6f9; --accent: #0b5cad;
  --paid: #1f6f43; --reserved: #b35c00; --remaining: #0b5cad; --unallocated: #8a94a0; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
a { color: var(--accent); }
a:focus, button:focus, input:focus, select:focus, main:focus { outline: 3px solid #f5a700; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5em; }
.skip:focus { left: .5em; }
header nav { display: flex; flex-wrap: wrap; gap: 1em; align-items: center; padding: .6em 1.2em; background: #10283f; color: #fff; }
header nav a { color: #fff; }
header .brand { font-weight: 700; }
header .spacer { flex: 1; }
header .who { color: #dfe7ef; }
form.inline { display: inline; }
button { font: inherit; padding: .25em .8em; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 3px; cursor: pointer; }
header button { background: transparent; border-color: #fff; }
main { padding: 1em 1.2em 3em; }
h1 { font-size: 1.6em; margin: .3em 0 .6em; }
h2 { font-size: 1.25em; margin-top: 1.6em; }
form.time, form.filters { display: flex; flex-wrap: wrap; gap: .5em 1em; align-items: center; margin: .6em 0; padding: .6em; background: var(--band); }
input, select { font: inherit; padding: .2em .4em; border: 1px solid var(--muted); border-radius: 3px; }
.basis { color: var(--muted); }
.notice { border-left: 4px solid var(--reserved); background: #fff4e5; padding: .5em .8em; }
table.figures { border-collapse: collapse; margin: .8em 0 1.4em; min-width: 40em; }
table.figures caption { text-align: left; font-weight: 600; padding: .3em 0; }
table.figures th, table.figures td { border-bottom: 1px solid var(--line); padding: .3em .6em; text-align: left; vertical-align: top; }
table.figures thead th { background: var(--band); vertical-align: bottom; }
table.figures tbody th { min-width: 12em; }
table.figures .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.depth1 th { padding-left: 1.6em; } tr.depth2 th { padding-left: 3em; } tr.depth3 th { padding-left: 4.4em; }
.of { color: var(--muted); font-weight: 400; }
.code { color: var(--muted); font-size: .85em; font-weight: 400; }
td.account { font-family: ui-monospace, monospace; font-size: .85em; }
pre { background: var(--band); padding: .8em; overflow-x: auto; }
figure.chart { margin: 1em 0 2em; max-width: 800px; }
svg .label, svg .legend, svg .tick { font: 13px system-ui, sans-serif; fill: var(--ink); }
svg rect.paid { fill: var(--paid); } svg rect.reserved { fill: var(--reserved); }
svg rect.remaining { fill: var(--remaining); } svg rect.unallocated { fill: var(--unallocated); }
svg .axis { stroke: var(--muted); } svg .line { fill: none; stroke: var(--remaining); stroke-width: 2; }
svg .point { fill: var(--remaining); }
footer { padding: 1em 1.2em; color: var(--muted); border-top: 1px solid var(--line); }
@media print { header, form { display: none; } }
)css";
}

std::string_view icon_svg() {
  return R"svg(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect x="4" y="2" width="24" height="28" rx="3" fill="#10283f"/><path d="M9 10h14M9 16h14M9 22h9" stroke="#fff" stroke-width="2.5"/></svg>
)svg";
}

}  // namespace grantledger::web
