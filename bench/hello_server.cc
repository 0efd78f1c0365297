// herald_hello_server: the baseline (a) for wrk runs against Herald's HTTP server.
//
// A minimal Boost.Beast HTTP/1.1 server with the same threading model as http::Server: one
// io_context run by --threads threads, each connection on its own strand, keep-alive, a read
// timeout armed per read and TCP_NODELAY. Every request gets "Hello, world!" (text/plain); there
// is no routing, no request ids, no metrics and no access log, so the difference to Herald's
// server is the cost of those.
//
//   herald_hello_server --threads 2 --port 0
//   prints "listening on http://127.0.0.1:PORT" and serves until killed.
#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket socket) : stream_(std::move(socket)) {
    beast::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }

  void Run() {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::Read, shared_from_this()));
  }

 private:
  void Read() {
    request_ = {};
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, request_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec) return Close();
    response_ = {};
    response_.result(http::status::ok);
    response_.version(request_.version());
    response_.set(http::field::server, "hello");
    response_.set(http::field::content_type, "text/plain");
    response_.keep_alive(request_.keep_alive());
    if (request_.method() != http::verb::head) response_.body() = "Hello, world!";
    response_.prepare_payload();
    stream_.expires_after(std::chrono::seconds(30));
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    if (ec || !response_.keep_alive()) return Close();
    Read();
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

class Listener {
 public:
  Listener(asio::io_context& ioc, tcp::endpoint endpoint)
      : ioc_(ioc), acceptor_(asio::make_strand(ioc)) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  void Accept() {
    acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<Session>(std::move(s))->Run();
      Accept();
    });
  }

 private:
  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
};

int Usage() {
  std::fprintf(stderr, "usage: herald_hello_server [--threads N] [--port P] [--host ADDR]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int port = 8081;
  std::string host = "127.0.0.1";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) return Usage();
    if (arg == "--threads") {
      threads = std::atoi(argv[++i]);
    } else if (arg == "--port") {
      port = std::atoi(argv[++i]);
    } else if (arg == "--host") {
      host = argv[++i];
    } else {
      return Usage();
    }
  }
  if (threads < 1 || port < 0 || port > 65535) return Usage();

  try {
    asio::io_context ioc(threads);
    Listener listener(
        ioc, tcp::endpoint(asio::ip::make_address(host), static_cast<unsigned short>(port)));
    listener.Accept();
    std::printf("listening on http://%s:%u\n", host.c_str(), listener.port());
    std::fflush(stdout);
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool) t.join();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "herald_hello_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
