#include "gateways/http_gateways.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

namespace herald::gateways {

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using tcp = boost::asio::ip::tcp;

struct Endpoint {
  std::string host, port, target;
};

Result<Endpoint> ParseUrl(const std::string& url) {
  auto u = boost::urls::parse_uri(url);
  if (!u || u->scheme() != "http" || u->host().empty()) {
    return InvalidArgument("the URL must be http://host[:port]/path: " + url, "invalid_config");
  }
  Endpoint e;
  e.host = std::string(u->host());
  e.port = u->has_port() ? std::string(u->port()) : "80";
  e.target = u->encoded_target().empty() ? "/" : std::string(u->encoded_target());
  return e;
}

// One JSON POST; returns (status, body) or an error message.
Result<std::pair<int, std::string>> PostJson(const Endpoint& e, const std::string& body,
                                             const std::string& unavailable_reason) {
  try {
    boost::asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(5));
    auto results = resolver.resolve(e.host, e.port);
    stream.connect(results);
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, e.target, 11};
    req.set(bhttp::field::host, e.host);
    req.set(bhttp::field::content_type, "application/json");
    req.set(bhttp::field::user_agent, "herald");
    req.body() = body;
    req.prepare_payload();
    stream.expires_after(std::chrono::seconds(5));
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1 << 20);
    bhttp::read(stream, buffer, parser);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    auto& res = parser.get();
    return std::make_pair(static_cast<int>(res.result_int()), std::string(res.body()));
  } catch (const std::exception& ex) {
    return Unavailable(std::string("the service could not be reached: ") + ex.what(),
                       unavailable_reason);
  }
}

class HttpSmsGateway final : public subjects::SmsGateway {
 public:
  explicit HttpSmsGateway(Endpoint e) : e_(std::move(e)) {}
  Status Send(const subjects::SmsMessage& m) override {
    std::string body =
        json::serialize(json::object{{"to", m.to}, {"text", m.text}, {"purpose", m.purpose}});
    HERALD_ASSIGN_OR_RETURN(auto res, PostJson(e_, body, "sms_unavailable"));
    if (res.first < 200 || res.first > 299) {
      return Unavailable("the SMS provider answered " + std::to_string(res.first),
                         "sms_unavailable");
    }
    return Status();
  }
  std::string_view Name() const override { return "http"; }

 private:
  Endpoint e_;
};

class HttpIdentityVerifier final : public subjects::IdentityVerifier {
 public:
  explicit HttpIdentityVerifier(Endpoint e) : e_(std::move(e)) {}
  Result<subjects::IdentityDecision> Verify(const subjects::IdentityClaim& c) override {
    std::string body =
        json::serialize(json::object{{"kind", c.kind}, {"name", c.name}, {"number", c.number}});
    HERALD_ASSIGN_OR_RETURN(auto res, PostJson(e_, body, "verifier_unavailable"));
    auto bad = [&](const std::string& why) {
      return Unavailable("the identity service gave an unusable answer: " + why,
                         "verifier_unavailable");
    };
    if (res.first != 200) return bad("status " + std::to_string(res.first));
    boost::system::error_code ec;
    json::value v = json::parse(res.second, ec);
    if (ec || !v.is_object()) return bad("not a JSON object");
    const auto& o = v.as_object();
    auto match = o.if_contains("match");
    if (!match || !match->is_bool()) return bad("no boolean \"match\"");
    subjects::IdentityDecision d;
    d.match = match->as_bool();
    auto str = [&](const char* key) -> std::string {
      auto p = o.if_contains(key);
      return p && p->is_string() ? std::string(p->as_string()).substr(0, 200) : std::string();
    };
    d.reference = str("reference");
    d.reason = d.match ? "" : (str("reason").empty() ? "mismatch" : str("reason"));
    d.source = str("source").empty() ? "http:" + e_.host : str("source");
    return d;
  }
  std::string_view Name() const override { return "http"; }

 private:
  Endpoint e_;
};

}  // namespace

Result<std::unique_ptr<subjects::SmsGateway>> NewHttpSmsGateway(const std::string& url) {
  HERALD_ASSIGN_OR_RETURN(Endpoint e, ParseUrl(url));
  return std::unique_ptr<subjects::SmsGateway>(new HttpSmsGateway(std::move(e)));
}

Result<std::unique_ptr<subjects::IdentityVerifier>> NewHttpIdentityVerifier(
    const std::string& url) {
  HERALD_ASSIGN_OR_RETURN(Endpoint e, ParseUrl(url));
  return std::unique_ptr<subjects::IdentityVerifier>(new HttpIdentityVerifier(std::move(e)));
}

}  // namespace herald::gateways
