// A build without the charting library: the report keeps its tables and says why it has no charts.
#include "report/report_assets.h"

namespace edgejoule {

bool report_assets_available() { return false; }
const char* report_asset_vega_js() { return ""; }
const char* report_asset_vega_lite_js() { return ""; }
const char* report_asset_vega_embed_js() { return ""; }

}  // namespace edgejoule
