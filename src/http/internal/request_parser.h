// The Beast half of request parsing, shared by the server and ParseRequest so that the fuzzer
// exercises exactly what the network path runs. Only server.cc and parse.cc include this.
#pragma once

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "core/status.h"
#include "http/http.h"
#include "http/parse.h"

namespace herald::http::internal {

using BeastParser = boost::beast::http::request_parser<boost::beast::http::string_body>;
using BeastRequest = BeastParser::value_type;

// Applies the limits (and eager body parsing) to a freshly constructed parser.
void ConfigureParser(BeastParser& parser, const ParseLimits& limits);

// Maps a parser error to the Status the client sees: body_limit → "body_too_large",
// header_limit → "headers_too_large", anything else → "bad_request".
Status ParseErrorStatus(const boost::system::error_code& ec, const ParseLimits& limits);

Method MethodFromBeast(const BeastRequest& message);

// Converts a complete parsed message: method, raw target, decoded path and query (DecodeTarget
// errors are returned), lower-cased header names, body (moved out of `message`).
Result<Request> ConvertRequest(BeastRequest& message);

}  // namespace herald::http::internal
