// `herald demo` (see demo.cc). Returns the process exit code: 0, or 1 with the error on stderr.
#pragma once

#include "app/app.h"

namespace herald::app {

int RunDemo(App& app);

}  // namespace herald::app
