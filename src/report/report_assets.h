#pragma once
// The charting library (Vega, Vega-Lite, vega-embed; versions pinned in src/report/web/
// package.json) inlined into the binary at configure time, so reports open offline.

namespace edgejoule {

bool report_assets_available();   // false in a build with -DEDGEJOULE_WITH_REPORT_CHARTS=OFF
const char* report_asset_vega_js();
const char* report_asset_vega_lite_js();
const char* report_asset_vega_embed_js();

}  // namespace edgejoule
