// `herald demo` (see demo.cc). Returns the process exit code: 0, or 1 with the error on stderr.
#pragma once

#include "app/app.h"

namespace herald::app {

int RunDemo(App& app);
// The demo's pending appeal (demo_appeals.cc): the operator appeals its culture account's warning.
Status DemoAppeals(App& app, int64_t operator_user_id, const auth::RequestMeta& meta);
// The demo's debunked rumour (demo_rumours.cc): a rumour on the operator's lifestyle account,
// read and forwarded by the demo readers, debunked by the moderator; the readers are notified.
Status DemoRumours(App& app, int64_t operator_user_id, const auth::RequestMeta& meta);
// The demo's reports (demo_reports.cc): one screened and waiting, one handled with feedback, and
// a campaign-suspected group from three new accounts.
Status DemoReports(App& app, const auth::RequestMeta& meta);

}  // namespace herald::app
