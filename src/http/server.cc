#include "http/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/log.h"
#include "http/internal/request_parser.h"

namespace herald::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr size_t kReadChunk = 16 * 1024;
// Stop() waits this long for in-flight requests before abandoning them.
constexpr auto kDrainTimeout = std::chrono::seconds(10);
// After an error response that closes the connection, unread input is drained for at most this
// long (and kLingerBytes) so that the client sees the response rather than a reset.
constexpr auto kLingerTimeout = std::chrono::seconds(1);
constexpr size_t kLingerBytes = 1 << 20;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

class Session;

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

bool IsFieldValue(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

Response Invoke(const Route& route, Request& request) {
  try {
    return route.handler(request);
  } catch (const std::exception& e) {
    log::Error("request " + request.request_id + " " + route.pattern +
               ": handler threw: " + e.what());
  } catch (...) {
    log::Error("request " + request.request_id + " " + route.pattern +
               ": handler threw a non-standard exception");
  }
  return ErrorResponse(Internal("internal error", "internal"));
}

// State shared by the acceptor and every session. Lives in Server::Impl.
struct ServerCore {
  ServerCore(ServerOptions o, const Router& r, Metrics& m, AccessLog* a, const Clock& c,
             Random& rnd)
      : options(std::move(o)),
        router(r),
        metrics(m),
        access_log(a),
        clock(c),
        random(rnd),
        ioc(std::max(1, options.io_threads)) {
    std::string seed = random.Bytes(sizeof request_id_seed);
    std::memcpy(&request_id_seed, seed.data(), sizeof request_id_seed);
    limits.header_limit = static_cast<uint32_t>(
        std::clamp<int64_t>(options.header_limit_bytes, 1024, int64_t{1} << 30));
    limits.body_limit = static_cast<uint64_t>(std::max<int64_t>(options.body_limit_bytes, 0));
    max_body_limit = limits.body_limit;
    for (const auto& route : router.routes()) {
      max_body_limit = std::max(max_body_limit, route.body_limit);
    }
  }

  // The body limit of the request whose headers `message` holds: its route's, when larger than
  // the server's.
  uint64_t BodyLimitFor(const internal::BeastRequest& message) const {
    if (max_body_limit == limits.body_limit) return limits.body_limit;
    Request scratch;
    if (!DecodeTarget(message.target(), &scratch).ok()) return limits.body_limit;
    auto match = router.Find(internal::MethodFromBeast(message), scratch.path);
    if (match.route == nullptr) return limits.body_limit;
    return std::max(limits.body_limit, match.route->body_limit);
  }

  // Unique per server and unguessable without the seed, at no system call per request: the
  // splitmix64 finaliser is a bijection, so distinct counter values give distinct ids.
  std::string NewRequestId() {
    static constexpr char kHex[] = "0123456789abcdef";
    uint64_t x = request_id_seed ^ request_counter.fetch_add(1, std::memory_order_relaxed);
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    x ^= x >> 31;
    std::string id(16, '0');
    for (int i = 15; i >= 0; --i, x >>= 4) id[i] = kHex[x & 0xF];
    return id;
  }

  void Register(const std::shared_ptr<Session>& session);
  void Unregister(Session* session);
  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);

  const ServerOptions options;
  ParseLimits limits;
  uint64_t max_body_limit = 0;  // the largest body limit of any route
  const Router& router;
  Metrics& metrics;
  AccessLog* const access_log;
  const Clock& clock;
  Random& random;
  uint64_t request_id_seed = 0;  // from `random`, once
  std::atomic<uint64_t> request_counter{0};
  std::atomic<bool> stopping{false};

  // Live sessions, so Stop() can close idle ones; declared before `ioc` because destroying
  // the io_context may destroy sessions, which unregister themselves.
  std::mutex mu;
  std::condition_variable drained;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;  // guarded by mu

  std::unique_ptr<asio::thread_pool> workers;
  std::unique_ptr<asio::thread_pool> heavy_workers;  // Route::heavy handlers
  asio::io_context ioc;
  std::optional<tcp::acceptor> acceptor;           // on its own strand
  std::optional<asio::steady_timer> accept_retry;  // same strand
  // Keeps the io threads running while a blocking handler (work the io_context cannot see) is
  // on the worker pool.
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
};

// One connection. Every member is touched only on the connection's strand (the executor of
// `stream_`); handlers of blocking routes run on the worker pool with their own copy of the
// Request and post the Response back to the strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(ServerCore& core, tcp::socket socket) : core_(core), stream_(std::move(socket)) {
    beast::error_code ec;
    tcp::endpoint remote = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      asio::ip::address address = remote.address();
      if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
      }
      client_ = address.to_string();
    }
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }
  ~Session() { core_.Unregister(this); }

  void Start() {
    core_.Register(shared_from_this());
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::BeginRequest, shared_from_this()));
  }

  // From Stop(): close now unless a request is being handled; a busy session closes after its
  // response because `stopping` is set.
  void PostStop() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->Close();
    });
  }

 private:
  // Per-request bookkeeping for the response, the metrics and the access log.
  struct Exchange {
    Method method = Method::kOther;
    std::string route = "unmatched";
    std::string path;
    std::string request_id;
    bool keep_alive = false;
    bool http10 = false;
    bool linger = false;  // close after the response, draining unread input first
    SteadyClock::time_point started;
    int status = 0;
    int64_t user_id = 0;
    int64_t bytes = 0;
  };

  void BeginRequest() {
    parser_.emplace();
    internal::ConfigureParser(*parser_, core_.limits);
    // Until the route is known, accept up to the largest route limit and stop after the header
    // (eager off) so the route's own limit is set before any body octet is parsed.
    body_limit_ = core_.limits.body_limit;
    body_limit_chosen_ = core_.max_body_limit == core_.limits.body_limit;
    if (!body_limit_chosen_) {
      parser_->body_limit(core_.max_body_limit);
      parser_->eager(false);
    }
    request_started_ = false;
    body_deadline_set_ = false;
    continue_sent_ = false;
    Parse();
  }

  void MarkStarted() {
    request_started_ = true;
    started_at_ = SteadyClock::now();
    header_deadline_ = started_at_ + std::chrono::milliseconds(core_.options.header_timeout_ms);
  }

  // Feeds buffered bytes to the parser; reads more, answers, or fails the request.
  void Parse() {
    if (core_.stopping || closed_) {
      Close();
      return;
    }
    beast::error_code ec;
    while (buffer_.size() > 0 && !parser_->is_done()) {
      if (!request_started_) MarkStarted();
      size_t n = parser_->put(buffer_.data(), ec);
      buffer_.consume(n);
      if (ec == bhttp::error::need_more) {
        ec = {};
        break;
      }
      if (ec) {
        FailParse(ec);
        return;
      }
      if (!body_limit_chosen_ && parser_->is_header_done()) {
        body_limit_chosen_ = true;
        auto length = parser_->content_length();
        // A request without a body (no length, not chunked: most GETs) is not matched to its
        // route twice; the limit only matters for a body.
        body_limit_ = parser_->chunked() || (length && *length > 0)
                          ? core_.BodyLimitFor(parser_->get())
                          : core_.limits.body_limit;
        if (length && *length > body_limit_) {
          FailParse(bhttp::error::body_limit);
          return;
        }
        parser_->body_limit(body_limit_);
        parser_->eager(true);
        continue;  // the header may complete the request (no body)
      }
      if (n == 0) break;
    }
    if (parser_->is_done()) {
      OnRequest();
      return;
    }

    SteadyClock::time_point deadline;
    if (!request_started_) {
      // Waiting for a request: the first on a connection gets the header timeout, later ones
      // the keep-alive idle timeout.
      int ms = served_ == 0 ? core_.options.header_timeout_ms : core_.options.idle_timeout_ms;
      deadline = SteadyClock::now() + std::chrono::milliseconds(ms);
    } else if (!parser_->is_header_done()) {
      deadline = header_deadline_;
    } else {
      if (!body_deadline_set_) {
        body_deadline_set_ = true;
        body_deadline_ =
            SteadyClock::now() + std::chrono::milliseconds(core_.options.body_timeout_ms);
      }
      deadline = body_deadline_;
      if (!continue_sent_ && IEquals(parser_->get()[bhttp::field::expect], "100-continue")) {
        continue_sent_ = true;
        stream_.expires_at(deadline);
        asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            if (ec) {
                              self->Close();
                            } else {
                              self->Read();
                            }
                          });
        return;
      }
    }
    stream_.expires_at(deadline);
    Read();
  }

  void Read() {
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t n) {
    if (ec) {  // end of stream, a timeout (the stream is already closed), a reset, or Stop()
      Close();
      return;
    }
    buffer_.commit(n);
    Parse();
  }

  // The request cannot be framed: answer and close the connection.
  void FailParse(const beast::error_code& ec) {
    busy_ = true;
    ++served_;
    x_ = Exchange{};
    x_.started = started_at_;
    x_.request_id = core_.NewRequestId();
    x_.linger = true;
    if (parser_->is_header_done()) {
      x_.method = internal::MethodFromBeast(parser_->get());
      Request scratch;
      if (DecodeTarget(parser_->get().target(), &scratch).ok()) x_.path = scratch.path;
    }
    ParseLimits limits = core_.limits;
    if (!body_limit_chosen_ && (parser_->is_header_done() || ec == bhttp::error::body_limit)) {
      // Refused at the largest route limit: a Content-Length over it fails when the header is
      // complete (before Beast marks it done); report the request's own route limit.
      body_limit_ = core_.BodyLimitFor(parser_->get());
    }
    limits.body_limit = body_limit_;
    Send(ErrorResponse(internal::ParseErrorStatus(ec, limits)));
  }

  void OnRequest() {
    busy_ = true;
    ++served_;
    internal::BeastRequest& message = parser_->get();
    x_ = Exchange{};
    x_.started = started_at_;
    x_.request_id = core_.NewRequestId();
    x_.keep_alive = message.keep_alive();
    x_.http10 = message.version() == 10;
    x_.method = internal::MethodFromBeast(message);

    Result<Request> converted = internal::ConvertRequest(message);
    if (!converted.ok()) {
      Send(ErrorResponse(converted.status()));
      return;
    }
    Request& request = *converted;
    request.client_address = client_;
    request.request_id = x_.request_id;
    x_.path = request.path;

    Router::Match match = core_.router.Find(request.method, request.path);
    if (match.route == nullptr) {
      if (match.method_not_allowed) {
        Response r = ErrorResponse(
            InvalidArgument(std::string(MethodName(request.method)) + " is not allowed here",
                            "method_not_allowed"));
        r.headers.emplace_back("Allow", match.allow);
        Send(std::move(r));
      } else {
        Send(ErrorResponse(NotFound("no route for " + request.path, "route_not_found")));
      }
      return;
    }
    const Route* route = match.route;
    request.path_params = std::move(match.params);
    request.route = route->pattern;
    x_.route = route->pattern;

    if (!route->blocking && !route->heavy) {
      Send(Invoke(*route, request));
      return;
    }
    asio::thread_pool& pool = route->heavy ? *core_.heavy_workers : *core_.workers;
    asio::post(pool, [self = shared_from_this(), route, request = std::move(request)]() mutable {
      Response response = Invoke(*route, request);
      asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->Send(std::move(response));
      });
    });
  }

  void AppendHeader(std::string_view name, std::string_view value) {
    head_.append(name).append(": ").append(value).append("\r\n");
  }

  // Serialises and writes `response`, adding the server's own headers. Runs on the strand.
  void Send(Response response) {
    if (response.status < 200 || response.status > 999) {
      log::Error("request " + x_.request_id + " " + x_.route + ": handler returned status " +
                 std::to_string(response.status));
      response = ErrorResponse(Internal("internal error", "internal"));
    }
    const int status = response.status;
    const bool no_body = status == 204 || status == 304;
    const bool close = !x_.keep_alive || x_.linger || core_.stopping;
    x_.status = status;
    x_.user_id = response.user_id;

    head_.clear();
    head_ += "HTTP/1.1 ";
    head_ += std::to_string(status);
    head_ += ' ';
    bhttp::status known = bhttp::int_to_status(static_cast<unsigned>(status));
    head_ += known == bhttp::status::unknown ? std::string_view("Unknown")
                                             : std::string_view(bhttp::obsolete_reason(known));
    head_ += "\r\n";
    AppendHeader("Server", "herald");
    AppendHeader("X-Request-Id", x_.request_id);
    AppendHeader("X-Content-Type-Options", "nosniff");
    bool has_cache_control = false;
    for (const auto& [name, value] : response.headers) {
      if (!IsToken(name) || !IsFieldValue(value)) {
        log::Error("request " + x_.request_id + " " + x_.route + ": dropped invalid header");
        continue;
      }
      // Framing belongs to the server.
      if (IEquals(name, "content-length") || IEquals(name, "transfer-encoding") ||
          IEquals(name, "connection")) {
        continue;
      }
      if (IEquals(name, "cache-control")) has_cache_control = true;
      AppendHeader(name, value);
    }
    if (!no_body && !response.content_type.empty() && IsFieldValue(response.content_type)) {
      AppendHeader("Content-Type", response.content_type);
      if (!has_cache_control &&
          std::string_view(response.content_type).substr(0, 16) == "application/json") {
        AppendHeader("Cache-Control", "no-store");
      }
    }
    if (!no_body) AppendHeader("Content-Length", std::to_string(response.body.size()));
    if (close) {
      AppendHeader("Connection", "close");
    } else if (x_.http10) {
      AppendHeader("Connection", "keep-alive");
    }
    head_ += "\r\n";

    if (no_body || x_.method == Method::kHead) {
      body_.clear();
    } else {
      body_ = std::move(response.body);
    }
    x_.bytes = static_cast<int64_t>(body_.size());

    std::array<asio::const_buffer, 2> buffers{asio::buffer(head_), asio::buffer(body_)};
    stream_.expires_after(std::chrono::milliseconds(core_.options.body_timeout_ms));
    asio::async_write(stream_, buffers,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this(), close));
  }

  void OnWrite(bool close, beast::error_code ec, size_t) {
    Record();
    busy_ = false;
    if (body_.capacity() > 64 * 1024) {
      std::string().swap(body_);
    } else {
      body_.clear();
    }
    if (ec) {
      Close();
    } else if (close && x_.linger) {
      Linger();
    } else if (close) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      Close();
    } else {
      BeginRequest();
    }
  }

  void Record() {
    const double seconds = std::chrono::duration<double>(SteadyClock::now() - x_.started).count();
    const std::string_view method = MethodName(x_.method);
    core_.metrics.Record(method, x_.route, x_.status, seconds);
    if (core_.access_log == nullptr) return;
    AccessLogEntry entry;
    entry.time = core_.clock.Now();
    entry.request_id = x_.request_id;
    entry.user_id = x_.user_id;
    entry.method = std::string(method);
    entry.route = x_.route;
    entry.path = x_.path;
    entry.status = x_.status;
    entry.latency_ms = seconds * 1000;
    entry.client = client_;
    entry.bytes = x_.bytes;
    core_.access_log->Write(entry);
  }

  // Half-closes, then discards input until the client closes, a limit is reached, or Stop().
  void Linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTimeout);
    lingered_ = 0;
    LingerRead();
  }

  void LingerRead() {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->lingered_ += n;
                              if (ec || self->lingered_ > kLingerBytes || self->core_.stopping) {
                                self->Close();
                              } else {
                                self->LingerRead();
                              }
                            });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    stream_.close();
  }

  ServerCore& core_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<internal::BeastParser> parser_;
  std::string client_;
  bool busy_ = false;  // a request is being handled or its response written
  bool closed_ = false;
  int64_t served_ = 0;  // requests answered on this connection
  bool request_started_ = false;
  bool body_limit_chosen_ = true;  // the route's body limit is set on the parser
  uint64_t body_limit_ = 0;        // the body limit of the current request
  bool body_deadline_set_ = false;
  bool continue_sent_ = false;
  SteadyClock::time_point started_at_;
  SteadyClock::time_point header_deadline_;
  SteadyClock::time_point body_deadline_;
  size_t lingered_ = 0;
  Exchange x_;
  std::string head_;
  std::string body_;
};

void ServerCore::Register(const std::shared_ptr<Session>& session) {
  std::lock_guard<std::mutex> lock(mu);
  sessions.emplace(session.get(), session);
}

void ServerCore::Unregister(Session* session) {
  std::lock_guard<std::mutex> lock(mu);
  sessions.erase(session);
  if (sessions.empty()) drained.notify_all();
}

void ServerCore::DoAccept() {
  acceptor->async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void ServerCore::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping || !acceptor->is_open()) return;
  if (ec) {
    if (ec == asio::error::operation_aborted) return;
    // Typically EMFILE: back off briefly instead of spinning.
    log::Warn("accept failed: " + ec.message());
    accept_retry->expires_after(std::chrono::milliseconds(50));
    accept_retry->async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && !stopping) DoAccept();
    });
    return;
  }
  std::make_shared<Session>(*this, std::move(socket))->Start();
  DoAccept();
}

}  // namespace

struct Server::Impl : ServerCore {
  using ServerCore::ServerCore;
  std::mutex lifecycle_mu;
  bool started = false;  // guarded by lifecycle_mu
  bool stopped = false;  // guarded by lifecycle_mu
  std::atomic<int> port{0};
};

Server::Server(ServerOptions options, const Router& router, Metrics& metrics, AccessLog* access_log,
               const Clock& clock, Random& random)
    : impl_(
          std::make_unique<Impl>(std::move(options), router, metrics, access_log, clock, random)) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  Impl& s = *impl_;
  std::lock_guard<std::mutex> lifecycle(s.lifecycle_mu);
  if (s.started) return FailedPrecondition("server already started", "already_started");

  beast::error_code ec;
  tcp::endpoint endpoint;
  asio::ip::address address = asio::ip::make_address(s.options.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, static_cast<unsigned short>(s.options.port));
  } else {
    tcp::resolver resolver(s.ioc);
    auto results = resolver.resolve(s.options.host, std::to_string(s.options.port), ec);
    if (ec || results.empty()) {
      return Unavailable("cannot resolve " + s.options.host + ": " + ec.message(), "bind_failed");
    }
    endpoint = results.begin()->endpoint();
  }

  s.acceptor.emplace(asio::make_strand(s.ioc));
  auto fail = [&](std::string_view what) {
    std::string message = std::string(what) + " " + s.options.host + ":" +
                          std::to_string(s.options.port) + ": " + ec.message();
    beast::error_code ignored;
    s.acceptor->close(ignored);
    return Unavailable(std::move(message), "bind_failed");
  };
  s.acceptor->open(endpoint.protocol(), ec);
  if (ec) return fail("cannot open socket for");
  s.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("cannot set SO_REUSEADDR on");
  s.acceptor->bind(endpoint, ec);
  if (ec) return fail("cannot bind");
  s.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("cannot listen on");
  s.port = s.acceptor->local_endpoint(ec).port();
  s.accept_retry.emplace(s.acceptor->get_executor());

  s.workers = std::make_unique<asio::thread_pool>(std::max(1, s.options.worker_threads));
  s.heavy_workers = std::make_unique<asio::thread_pool>(std::max(1, s.options.heavy_threads));
  s.work.emplace(s.ioc.get_executor());
  s.started = true;
  s.DoAccept();
  for (int i = 0; i < std::max(1, s.options.io_threads); ++i) {
    s.threads.emplace_back([&s] {
      for (;;) {
        try {
          s.ioc.run();
          return;
        } catch (const std::exception& e) {
          log::Error(std::string("http io thread: ") + e.what());
        }
      }
    });
  }
  return Status();
}

int Server::port() const { return impl_->port; }

void Server::Stop() {
  Impl& s = *impl_;
  std::lock_guard<std::mutex> lifecycle(s.lifecycle_mu);
  if (!s.started || s.stopped) return;
  s.stopped = true;
  s.stopping = true;

  asio::post(s.acceptor->get_executor(), [&s] {
    beast::error_code ignored;
    s.acceptor->close(ignored);
    s.accept_retry->cancel();
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    for (auto& [raw, weak] : s.sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  for (auto& session : live) session->PostStop();
  live.clear();
  {
    std::unique_lock<std::mutex> lock(s.mu);
    if (!s.drained.wait_for(lock, kDrainTimeout, [&] { return s.sessions.empty(); })) {
      log::Warn("http server stop: abandoning " + std::to_string(s.sessions.size()) +
                " connections after the drain timeout");
    }
  }
  s.work.reset();
  s.ioc.stop();
  for (auto& t : s.threads) t.join();
  s.threads.clear();
  s.workers->join();
  s.heavy_workers->join();
}

}  // namespace herald::http
