// Server: Boost.Beast HTTP/1.1 server (keep-alive, pipelining-safe) for a Router.
//
// Threads: `io_threads` threads run the network (accept, read, write; each connection on its own
// strand). Handlers whose Route::blocking is true run on a separate pool of `worker_threads`
// and their responses are posted back to the connection's strand, so database work never
// stalls a network thread.
//
// Per request the server: assigns a request id (X-Request-Id), enforces the body limit (413,
// code "body_too_large"), header and body read timeouts and an idle keep-alive timeout, answers
// 404 "route_not_found" / 405 "method_not_allowed" with the JSON error shape, converts a
// handler exception into 500 "internal" (logged, never crashing), records metrics and writes
// one access-log line.
//
// Limits and timeouts: a request whose headers exceed header_limit_bytes gets 431
// "headers_too_large", a body over body_limit_bytes 413 "body_too_large", an unparsable request
// 400 "bad_request"; each of these closes the connection. A target with bad percent-encoding or a
// decoded path/query that is not UTF-8 (or holds NUL) gets 400 "invalid_path"/"invalid_query"
// and the connection stays open. header_timeout_ms bounds the wait for a connection's first
// request and for a request's complete headers from its first byte; body_timeout_ms bounds
// reading the body after the headers and writing each response; idle_timeout_ms bounds the wait
// between keep-alive requests. A timeout closes the connection without a response. Pipelined
// requests are answered in order, one at a time. HEAD is served by GET routes without a body.
// Every response carries X-Request-Id, "Server: herald" and "X-Content-Type-Options: nosniff";
// JSON responses also "Cache-Control: no-store" unless the handler set one.
#pragma once

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/random.h"
#include "core/status.h"
#include "http/access_log.h"
#include "http/http.h"
#include "http/metrics.h"

namespace herald::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: the OS picks a free port; see Server::port()
  int io_threads = 1;
  int worker_threads = 2;
  int heavy_threads = 2;  // pool for Route::heavy handlers
  int64_t body_limit_bytes = 1 << 20;
  int64_t header_limit_bytes = 16 * 1024;  // request line + headers; over it: 431
  int header_timeout_ms = 10'000;
  int body_timeout_ms = 30'000;
  int idle_timeout_ms = 60'000;
};

class Server {
 public:
  // `router`, `metrics`, `access_log` (may be null), `clock` and `random` must outlive the server.
  Server(ServerOptions options, const Router& router, Metrics& metrics, AccessLog* access_log,
         const Clock& clock, Random& random);
  ~Server();  // stops and joins
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the threads. Unavailable("bind_failed") when the address is taken.
  Status Start();
  // The bound port (after Start).
  int port() const;
  // Stops accepting, closes idle connections, lets in-flight requests finish (their responses
  // carry "Connection: close"; connections still busy after 10 s are dropped, though a handler
  // still running is waited for), joins all threads. Idempotent; the server cannot be started
  // again.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace herald::http
