// libFuzzer target: arbitrary bytes through the API's strict JSON body decoder, as a register
// request would use it. Must never crash, hang, or report an error without a stable reason.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/json_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto body = herald::api::JsonBody::ParseText(text, {"phone", "password", "display_name"});
  if (!body.ok()) {
    if (body.status().reason().empty()) std::abort();
    return 0;
  }
  for (const char* key : {"phone", "password", "display_name"}) {
    auto s = body->OptionalString(key, 30);
    if (!s.ok() && s.status().field() != key) std::abort();
  }
  return 0;
}
