// The regulator's sanctions report (PA-19.2, GR-11.1): one JSON document or one CSV file for
// the sanctions issued in a period, shared by GET /api/v1/reports/sanctions and
// `herald report sanctions`. Formats are documented in docs/moderation.md; never rename a
// field or a column.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "sanctions/sanction_service.h"

namespace herald::api {

// {"report": "sanctions", "from", "to", "generated_at", "count", "sanctions": [...]}, each
// sanction as GET /api/v1/sanctions/{id} shows it; `now` decides each one's status.
std::string SanctionsReportJson(const std::vector<sanctions::Sanction>& list, Micros from,
                                Micros to, Micros now);
// RFC 4180 CSV with a header row (columns in docs/moderation.md), UTF-8, CRLF line ends.
std::string SanctionsCsv(const std::vector<sanctions::Sanction>& list, Micros now);

}  // namespace herald::api
