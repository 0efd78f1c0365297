#include "http/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/clock.h"
#include "core/random.h"
#include "core/strings.h"
#include "gtest/gtest.h"

namespace herald::http {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

// A blocking HTTP/1.1 client on a raw socket, so the tests see exactly what goes on the wire.
class Client {
 public:
  struct Reply {
    bool complete = false;  // false: the connection closed or timed out first
    int status = 0;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
    std::string Header(const std::string& name) const {
      auto it = headers.find(name);
      return it == headers.end() ? "" : it->second;
    }
    json::object Error() const { return json::parse(body).as_object().at("error").as_object(); }
  };

  explicit Client(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Client() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return connected_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  Reply Get(const std::string& target, const std::string& extra_headers = "") {
    Send("GET " + target + " HTTP/1.1\r\nHost: test\r\n" + extra_headers + "\r\n");
    return Read();
  }

  // Reads one response (Content-Length framed). `head`: the response has no body.
  Reply Read(bool head = false, int timeout_ms = 5000) {
    Reply reply;
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(timeout_ms)) return reply;
    }
    std::istringstream lines(buf_.substr(0, end + 2));
    std::string line;
    std::getline(lines, line);
    if (line.size() < 12 || line.compare(0, 9, "HTTP/1.1 ") != 0) return reply;
    reply.status = std::stoi(line.substr(9, 3));
    while (std::getline(lines, line) && line != "\r") {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      size_t colon = line.find(':');
      if (colon == std::string::npos) return reply;
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      reply.headers[ToLower(line.substr(0, colon))] = value;
    }
    buf_.erase(0, end + 4);
    size_t length =
        head ? 0
             : std::stoul(reply.Header("content-length").empty() ? "0"
                                                                 : reply.Header("content-length"));
    while (buf_.size() < length) {
      if (!Fill(timeout_ms)) return reply;
    }
    reply.body = buf_.substr(0, length);
    buf_.erase(0, length);
    reply.complete = true;
    return reply;
  }

  // True when the server closes the connection within `timeout_ms` without sending more.
  bool WaitForClose(int timeout_ms) {
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) <= 0) return false;
      char tmp[4096];
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n == 0) return buf_.empty();
      if (n < 0) return errno == ECONNRESET;
      buf_.append(tmp, static_cast<size_t>(n));
    }
  }

 private:
  bool Fill(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    char tmp[16384];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buf_;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    release_future_ = release_.get_future().share();
    AddRoute(Method::kGet, "/hello", false,
             [](Request&) { return Response::Json(200, "{\"hello\":\"world\"}"); });
    AddRoute(Method::kGet, "/users/{name}", true, [](Request& req) {
      std::string x = req.query.count("x") ? req.query.at("x") : "-";
      return Response::Text(200, req.path_params.at("name") + "|" + x + "|" + req.route);
    });
    AddRoute(Method::kPost, "/echo", true, [](Request& req) {
      Response r = Response::Text(200, req.body);
      r.headers.emplace_back("X-Echo-Client", req.client_address);
      r.user_id = 77;
      return r;
    });
    AddRoute(Method::kGet, "/throw", true,
             [](Request&) -> Response { throw std::runtime_error("boom"); });
    AddRoute(Method::kGet, "/throw-inline", false, [](Request&) -> Response { throw 42; });
    AddRoute(Method::kGet, "/slow", true, [this](Request&) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        slow_thread_ = std::this_thread::get_id();
      }
      entered_.set_value();
      release_future_.wait();
      return Response::Text(200, "slow");
    });
    AddRoute(Method::kGet, "/fast", false, [this](Request&) {
      std::lock_guard<std::mutex> lock(mu_);
      fast_thread_ = std::this_thread::get_id();
      return Response::Text(200, "fast");
    });
    AddRoute(Method::kGet, "/sleep/{ms}", true, [](Request& req) {
      std::this_thread::sleep_for(milliseconds(std::stoi(req.path_params.at("ms"))));
      return Response::Text(200, "slept " + req.path_params.at("ms"));
    });
    {
      Route heavy;
      heavy.method = Method::kGet;
      heavy.pattern = "/heavy";
      heavy.blocking = false;  // heavy implies running off the network threads
      heavy.heavy = true;
      heavy.handler = [this](Request&) {
        heavy_entered_.set_value();
        release_future_.wait();
        return Response::Text(200, "heavy");
      };
      router_.Add(std::move(heavy));
    }
    AddRoute(Method::kGet, "/request-id", false,
             [](Request& req) { return Response::Text(200, req.request_id); });
    AddRoute(Method::kDelete, "/hello", true, [](Request&) { return Response::Json(204, ""); });
  }

  void TearDown() override {
    Release();
    if (server_) server_->Stop();
  }

  void AddRoute(Method m, std::string pattern, bool blocking, Handler handler) {
    Route r;
    r.method = m;
    r.pattern = std::move(pattern);
    r.blocking = blocking;
    r.handler = std::move(handler);
    router_.Add(std::move(r));
  }

  void StartServer(ServerOptions options = {}) {
    server_ =
        std::make_unique<Server>(options, router_, metrics_, access_log_.get(), clock_, random_);
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_GT(server_->port(), 0);
  }

  void Release() {
    std::call_once(released_, [this] { release_.set_value(); });
  }

  Router router_;
  Metrics metrics_;
  FakeClock clock_;
  SeededRandom random_{7};
  std::unique_ptr<AccessLog> access_log_;
  std::unique_ptr<Server> server_;

  std::mutex mu_;
  std::thread::id slow_thread_;
  std::thread::id fast_thread_;
  std::promise<void> entered_;
  std::promise<void> heavy_entered_;
  std::promise<void> release_;
  std::shared_future<void> release_future_;
  std::once_flag released_;
};

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  StartServer();
  Client c(server_->port());
  ASSERT_TRUE(c.connected());
  Client::Reply a = c.Get("/hello");
  Client::Reply b = c.Get("/hello");
  ASSERT_TRUE(a.complete);
  ASSERT_TRUE(b.complete);
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "{\"hello\":\"world\"}");
  EXPECT_EQ(a.Header("content-type"), "application/json");
  EXPECT_EQ(a.Header("cache-control"), "no-store");
  EXPECT_EQ(a.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(a.Header("server"), "herald");
  EXPECT_EQ(a.Header("connection"), "");
  const std::string id_a = a.Header("x-request-id");
  const std::string id_b = b.Header("x-request-id");
  ASSERT_EQ(id_a.size(), 16u);
  EXPECT_EQ(id_a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(id_b.size(), 16u);
  EXPECT_NE(id_a, id_b);

  // The handler sees the same id the client gets.
  Client::Reply c3 = c.Get("/request-id");
  EXPECT_EQ(c3.body, c3.Header("x-request-id"));
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  StartServer();
  Client c(server_->port());
  Client::Reply r = c.Get("/hello", "Connection: close\r\n");
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_TRUE(c.WaitForClose(2000));
}

TEST_F(ServerTest, Http10KeepAlive) {
  StartServer();
  Client c(server_->port());
  c.Send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  Client::Reply r = c.Read();
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.Header("connection"), "keep-alive");
  c.Send("GET /hello HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(c.Read().complete);
  EXPECT_TRUE(c.WaitForClose(2000));
}

TEST_F(ServerTest, NotFoundAndMethodNotAllowed) {
  StartServer();
  Client c(server_->port());
  Client::Reply nf = c.Get("/nowhere");
  ASSERT_TRUE(nf.complete);
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(nf.Error().at("code").as_string(), "route_not_found");
  EXPECT_TRUE(nf.Error().at("field").is_null());
  EXPECT_EQ(nf.Header("x-request-id").size(), 16u);
  EXPECT_EQ(nf.Header("cache-control"), "no-store");

  c.Send("PUT /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}");
  Client::Reply na = c.Read();
  ASSERT_TRUE(na.complete);
  EXPECT_EQ(na.status, 405);
  EXPECT_EQ(na.Error().at("code").as_string(), "method_not_allowed");
  EXPECT_EQ(na.Header("allow"), "GET, HEAD, DELETE");
  EXPECT_EQ(na.Header("x-request-id").size(), 16u);

  c.Send("BREW /hello HTTP/1.1\r\nHost: t\r\n\r\n");  // unknown method token
  Client::Reply other = c.Read();
  EXPECT_EQ(other.status, 405);

  // The connection is still usable after errors.
  EXPECT_EQ(c.Get("/hello").status, 200);
}

TEST_F(ServerTest, HeadWorksForGetRoutes) {
  StartServer();
  Client c(server_->port());
  c.Send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  Client::Reply r = c.Read(/*head=*/true);
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-length"), "17");
  EXPECT_EQ(r.body, "");
  // Nothing but the next response follows on the connection.
  Client::Reply next = c.Get("/hello");
  EXPECT_EQ(next.status, 200);
  EXPECT_EQ(next.body, "{\"hello\":\"world\"}");
}

TEST_F(ServerTest, NoContentHasNoBody) {
  StartServer();
  Client c(server_->port());
  c.Send("DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  Client::Reply r = c.Read(/*head=*/true);
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.Header("content-length"), "");
  EXPECT_EQ(c.Get("/hello").status, 200);
}

TEST_F(ServerTest, BodyOverLimitGets413AndClose) {
  ServerOptions options;
  options.body_limit_bytes = 1024;
  StartServer(options);
  Client c(server_->port());
  c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n" + std::string(1500, 'a'));
  Client::Reply r = c.Read();
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.Error().at("code").as_string(), "body_too_large");
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_EQ(r.Header("x-request-id").size(), 16u);
  EXPECT_TRUE(c.WaitForClose(3000));

  // Chunked bodies are limited too.
  Client d(server_->port());
  d.Send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
         std::string(2048, 'b') + "\r\n");
  Client::Reply chunked = d.Read();
  EXPECT_EQ(chunked.status, 413);

  // A body within the limit is echoed, with the handler's header and the client address.
  Client e(server_->port());
  e.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1024\r\n\r\n" + std::string(1024, 'c'));
  Client::Reply ok = e.Read();
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, std::string(1024, 'c'));
  EXPECT_EQ(ok.Header("x-echo-client"), "127.0.0.1");
  EXPECT_EQ(ok.Header("cache-control"), "");  // not JSON
}

TEST_F(ServerTest, RouteBodyLimitAboveTheServers) {
  Route upload;
  upload.method = Method::kPost;
  upload.pattern = "/upload";
  upload.body_limit = 4096;
  upload.handler = [](Request& req) {
    return Response::Text(200, std::to_string(req.body.size()));
  };
  router_.Add(std::move(upload));
  ServerOptions options;
  options.body_limit_bytes = 1024;
  StartServer(options);

  // The upload route takes bodies up to its own limit, by length and chunked, keep-alive.
  Client c(server_->port());
  c.Send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 3000\r\n\r\n" +
         std::string(3000, 'u'));
  Client::Reply ok = c.Read();
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "3000");
  c.Send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nbb8\r\n" +
         std::string(3000, 'u') + "\r\n0\r\n\r\n");
  Client::Reply chunked_ok = c.Read();
  EXPECT_EQ(chunked_ok.status, 200);
  EXPECT_EQ(chunked_ok.body, "3000");
  // Requests without a body still work on the same connection.
  EXPECT_EQ(c.Get("/hello").status, 200);

  // Other routes keep the server's limit.
  Client d(server_->port());
  d.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3000\r\n\r\n" + std::string(3000, 'e'));
  Client::Reply echo = d.Read();
  EXPECT_EQ(echo.status, 413);
  EXPECT_EQ(echo.Error().at("code").as_string(), "body_too_large");
  EXPECT_NE(echo.Error().at("message").as_string().find("1024"), std::string::npos);
  Client d2(server_->port());
  d2.Send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
          std::string(2048, 'b') + "\r\n");
  EXPECT_EQ(d2.Read().status, 413);

  // Beyond the route's limit: refused by length before the body arrives, and chunked.
  Client e(server_->port());
  e.Send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n");
  Client::Reply big = e.Read();
  EXPECT_EQ(big.status, 413);
  EXPECT_NE(big.Error().at("message").as_string().find("4096"), std::string::npos) << big.body;
  EXPECT_TRUE(e.WaitForClose(3000));
  Client f(server_->port());
  f.Send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n1388\r\n" +
         std::string(5000, 'x') + "\r\n");
  EXPECT_EQ(f.Read().status, 413);
}

TEST_F(ServerTest, ExpectContinue) {
  StartServer();
  Client c(server_->port());
  c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
  Client::Reply interim = c.Read(/*head=*/true);
  ASSERT_TRUE(interim.complete);
  EXPECT_EQ(interim.status, 100);
  c.Send("abc");
  Client::Reply r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "abc");
}

TEST_F(ServerTest, HeadersOverLimitGet431) {
  ServerOptions options;
  options.header_limit_bytes = 2048;
  StartServer(options);
  Client c(server_->port());
  c.Send("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(4000, 'x') + "\r\n\r\n");
  Client::Reply r = c.Read();
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(r.Error().at("code").as_string(), "headers_too_large");
  EXPECT_TRUE(c.WaitForClose(3000));
}

TEST_F(ServerTest, MalformedRequestGets400AndClose) {
  StartServer();
  for (std::string raw : {"GARBAGE\r\n\r\n", "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
                          "GET /hello HTTP/1.1\r\nContent-Length: x\r\n\r\n"}) {
    SCOPED_TRACE(raw);
    Client c(server_->port());
    c.Send(raw);
    Client::Reply r = c.Read();
    ASSERT_TRUE(r.complete);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.Error().at("code").as_string(), "bad_request");
    EXPECT_EQ(r.Header("x-request-id").size(), 16u);
    EXPECT_TRUE(c.WaitForClose(3000));
  }
}

TEST_F(ServerTest, BlockingHandlerRunsOnWorkerWhileOthersAreServed) {
  ServerOptions options;
  options.io_threads = 1;
  options.worker_threads = 2;
  StartServer(options);
  Client slow(server_->port());
  slow.Send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_EQ(entered_.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);

  // The only io thread is free: another connection is served while /slow blocks.
  Client fast(server_->port());
  Client::Reply f = fast.Get("/fast");
  ASSERT_TRUE(f.complete);
  EXPECT_EQ(f.body, "fast");
  EXPECT_EQ(fast.Get("/hello").status, 200);

  Release();
  Client::Reply s = slow.Read();
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(s.body, "slow");
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_NE(slow_thread_, fast_thread_);  // fast ran on the io thread, slow on a worker
  EXPECT_NE(slow_thread_, std::this_thread::get_id());
  EXPECT_NE(fast_thread_, std::thread::id());
}

TEST_F(ServerTest, HeavyHandlersDoNotDelayDatabaseWork) {
  ServerOptions options;
  options.io_threads = 1;
  options.worker_threads = 1;
  options.heavy_threads = 1;
  StartServer(options);
  Client heavy(server_->port());
  heavy.Send("GET /heavy HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_EQ(heavy_entered_.get_future().wait_for(std::chrono::seconds(5)),
            std::future_status::ready);
  // The heavy pool's only thread is busy; the worker pool still serves blocking routes.
  Client other(server_->port());
  Client::Reply r = other.Get("/users/ann");
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.status, 200);
  Release();
  Client::Reply h = heavy.Read();
  ASSERT_TRUE(h.complete);
  EXPECT_EQ(h.body, "heavy");
}

TEST_F(ServerTest, HandlerExceptionBecomes500) {
  StartServer();
  Client c(server_->port());
  for (const char* target : {"/throw", "/throw-inline"}) {
    SCOPED_TRACE(target);
    Client::Reply r = c.Get(target);
    ASSERT_TRUE(r.complete);
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(r.Error().at("code").as_string(), "internal");
    EXPECT_EQ(r.Header("x-request-id").size(), 16u);
  }
  EXPECT_EQ(c.Get("/hello").status, 200);
}

TEST_F(ServerTest, HeaderTimeoutClosesHalfSentRequest) {
  ServerOptions options;
  options.header_timeout_ms = 200;
  StartServer(options);
  Client c(server_->port());
  auto start = SteadyClock::now();
  c.Send("GET /hello HTTP/1.1\r\nHost: t\r\n");
  EXPECT_TRUE(c.WaitForClose(3000));
  auto elapsed = SteadyClock::now() - start;
  EXPECT_GE(elapsed, milliseconds(150));
  EXPECT_LT(elapsed, milliseconds(2500));

  // Dripping bytes does not extend the header deadline.
  Client drip(server_->port());
  start = SteadyClock::now();
  bool closed = false;
  for (int i = 0; i < 30 && !closed; ++i) {
    if (!drip.Send("X")) break;
    closed = drip.WaitForClose(50);
  }
  EXPECT_TRUE(closed || drip.WaitForClose(2000));
  EXPECT_LT(SteadyClock::now() - start, milliseconds(1500));
}

TEST_F(ServerTest, BodyTimeoutClosesStalledBody) {
  ServerOptions options;
  options.body_timeout_ms = 200;
  StartServer(options);
  Client c(server_->port());
  c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
  auto start = SteadyClock::now();
  EXPECT_TRUE(c.WaitForClose(3000));
  EXPECT_GE(SteadyClock::now() - start, milliseconds(150));
}

TEST_F(ServerTest, IdleKeepAliveTimeout) {
  ServerOptions options;
  options.idle_timeout_ms = 200;
  StartServer(options);
  Client c(server_->port());
  ASSERT_EQ(c.Get("/hello").status, 200);
  auto start = SteadyClock::now();
  EXPECT_TRUE(c.WaitForClose(3000));
  EXPECT_GE(SteadyClock::now() - start, milliseconds(150));
}

TEST_F(ServerTest, PathAndQueryAreDecoded) {
  StartServer();
  Client c(server_->port());
  Client::Reply r = c.Get("/users/J%C3%B6rg%20M?x=a%20b%26c&x=d+e%2B");
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "J\xC3\xB6rg M|d e+|/users/{name}");
}

TEST_F(ServerTest, InvalidEncodingGets400) {
  StartServer();
  Client c(server_->port());
  for (const char* target : {"/users/%zz", "/users/%C3", "/users/a%00"}) {
    SCOPED_TRACE(target);
    Client::Reply r = c.Get(target);
    ASSERT_TRUE(r.complete);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.Error().at("code").as_string(), "invalid_path");
  }
  Client::Reply q = c.Get("/users/bob?x=%FF");
  EXPECT_EQ(q.status, 400);
  EXPECT_EQ(q.Error().at("code").as_string(), "invalid_query");
  EXPECT_EQ(c.Get("/users/bob").status, 200);  // the connection survives
}

TEST_F(ServerTest, PipelinedRequestsAnsweredInOrder) {
  StartServer();
  Client c(server_->port());
  c.Send(
      "GET /sleep/80 HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /sleep/10 HTTP/1.1\r\nHost: t\r\n\r\n"
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nlast");
  EXPECT_EQ(c.Read().body, "slept 80");
  EXPECT_EQ(c.Read().body, "{\"hello\":\"world\"}");
  EXPECT_EQ(c.Read().body, "slept 10");
  EXPECT_EQ(c.Read().body, "last");
}

TEST_F(ServerTest, RecordsMetricsAndAccessLog) {
  std::string dir = (std::filesystem::temp_directory_path() / "herald_server_test_XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  auto log = AccessLog::Open(dir, 1 << 20, 180, clock_);
  ASSERT_TRUE(log.ok());
  access_log_ = std::move(*log);
  StartServer();
  {
    Client c(server_->port());
    EXPECT_EQ(c.Get("/users/ann?x=secret").status, 200);
    EXPECT_EQ(c.Get("/nowhere").status, 404);
    c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi");
    EXPECT_EQ(c.Read().status, 200);
  }
  server_->Stop();
  access_log_->Flush();

  std::string metrics = metrics_.Render();
  EXPECT_NE(metrics.find("herald_http_requests_total{method=\"GET\",route=\"/users/{name}\","
                         "status=\"200\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("herald_http_requests_total{method=\"GET\",route=\"unmatched\","
                         "status=\"404\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("herald_http_request_duration_seconds_count{route=\"/echo\"} 1"),
            std::string::npos);

  std::ifstream in(dir + "/access.log");
  std::vector<json::object> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line).as_object());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].at("route").as_string(), "/users/{name}");
  EXPECT_EQ(lines[0].at("path").as_string(), "/users/ann");  // never the query
  EXPECT_EQ(lines[0].at("method").as_string(), "GET");
  EXPECT_EQ(lines[0].at("client").as_string(), "127.0.0.1");
  EXPECT_EQ(lines[0].at("time").as_string(), FormatRfc3339(clock_.Now()));
  EXPECT_EQ(lines[0].at("request_id").as_string().size(), 16u);
  EXPECT_EQ(lines[1].at("route").as_string(), "unmatched");
  EXPECT_EQ(lines[1].at("status").as_int64(), 404);
  EXPECT_EQ(lines[2].at("user_id").as_int64(), 77);
  EXPECT_EQ(lines[2].at("bytes").as_int64(), 2);
  access_log_.reset();
  std::filesystem::remove_all(dir);
}

TEST_F(ServerTest, StopFinishesInFlightRequestsAndClosesIdleOnes) {
  StartServer();
  Client idle(server_->port());
  ASSERT_EQ(idle.Get("/hello").status, 200);
  Client busy(server_->port());
  busy.Send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_EQ(entered_.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);

  std::thread releaser([this] {
    std::this_thread::sleep_for(milliseconds(200));
    Release();
  });
  auto start = SteadyClock::now();
  server_->Stop();
  releaser.join();
  EXPECT_LT(SteadyClock::now() - start, std::chrono::seconds(5));

  Client::Reply r = busy.Read();  // the in-flight request was answered
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.body, "slow");
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_TRUE(busy.WaitForClose(1000));
  EXPECT_TRUE(idle.WaitForClose(1000));

  Client late(server_->port());  // no longer accepting
  EXPECT_FALSE(late.connected() && late.Get("/hello").complete);
  server_->Stop();  // idempotent
}

TEST_F(ServerTest, BindFailureIsUnavailable) {
  StartServer();
  ServerOptions options;
  options.port = server_->port();
  Server second(options, router_, metrics_, nullptr, clock_, random_);
  Status st = second.Start();
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_EQ(st.reason(), "bind_failed");
}

TEST_F(ServerTest, ManyConcurrentClients) {
  ServerOptions options;
  options.io_threads = 2;
  options.worker_threads = 2;
  StartServer(options);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      Client c(server_->port());
      for (int i = 0; i < 50; ++i) {
        if (c.Get(i % 2 ? "/hello" : "/users/x").status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 400);
}

}  // namespace
}  // namespace herald::http
