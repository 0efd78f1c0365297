// HTTP implementations of the seams to outside services that cannot run here: the SMS provider
// (subjects::SmsGateway) and the licensed identity-verification service
// (subjects::IdentityVerifier). The wire contract is documented in docs/identity.md:
//
//   SMS:      POST <sms_url>       {"to","text","purpose"}            → any 2xx = accepted
//   Verifier: POST <verifier_url>  {"kind","name","number"}           → 200
//             {"match": true|false, "reference": "...", "reason": "...", "source": "..."}
//
// Plain http:// only (put a TLS-terminating proxy in front of a remote provider); 5 s timeout;
// any transport error, non-2xx status or malformed answer is Unavailable ("sms_unavailable" /
// "verifier_unavailable"). Personal data in requests is never logged.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "subjects/sms.h"
#include "subjects/verifier.h"

namespace herald::gateways {

// InvalidArgument ("invalid_config") for a URL that is not http://host[:port]/path.
Result<std::unique_ptr<subjects::SmsGateway>> NewHttpSmsGateway(const std::string& url);
Result<std::unique_ptr<subjects::IdentityVerifier>> NewHttpIdentityVerifier(const std::string& url);

}  // namespace herald::gateways
