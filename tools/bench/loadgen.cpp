// yici-loadgen: the benchmark's HTTPS load generator. N keep-alive mTLS connections on an Asio
// io_context, for a fixed duration, either closed-loop (each connection sends its next request
// as soon as the previous answer arrives: maximum throughput) or open-loop at a fixed total rate
// (latency measured from each request's scheduled time, so a stall is not hidden by the
// generator waiting for it). Prints one JSON object; exits 1 unless every answer was a 2xx.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <thread>

#include <CLI/CLI.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>

#include "hub/core/json_text.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct Options {
  std::string host = "127.0.0.1";
  std::string port = "8443";
  std::vector<std::string> paths = {"/healthz"};
  std::string cert, key, ca;
  int connections = 16;
  double duration_s = 5;
  double warmup_s = 0.5;
  double rate = 0;  // 0: closed loop
  int threads = 1;
  std::string accept;
};

struct Stats {
  std::vector<std::uint32_t> latencies_us;
  std::map<int, std::uint64_t> statuses;
  std::uint64_t errors = 0;
  std::uint64_t bytes = 0;
};

asio::awaitable<void> connection(Options const& o, ssl::context& ctx, int index, Clock::time_point start,
                                 Clock::time_point measure_from, Clock::time_point end, Stats& stats) {
  auto ex = co_await asio::this_coro::executor;
  std::mt19937 rng(static_cast<unsigned>(index * 7919 + 1));
  std::uniform_int_distribution<std::size_t> pick(0, o.paths.size() - 1);
  const double per_conn_rate = o.rate > 0 ? o.rate / o.connections : 0;
  const auto interval =
      per_conn_rate > 0
          ? std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / per_conn_rate))
          : Clock::duration(0);
  auto next_send = start + (per_conn_rate > 0 ? interval * index / o.connections : Clock::duration(0));
  while (Clock::now() < end) {
    ssl::stream<beast::tcp_stream> stream(ex, ctx);
    SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
    tcp::resolver resolver(ex);
    auto [rec, endpoints] = co_await resolver.async_resolve(o.host, o.port, kTuple);
    if (rec) {
      ++stats.errors;
      co_return;
    }
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
    auto [cec, ep] = co_await beast::get_lowest_layer(stream).async_connect(endpoints, kTuple);
    if (cec) {
      ++stats.errors;
      co_return;
    }
    auto [hec] = co_await stream.async_handshake(ssl::stream_base::client, kTuple);
    if (hec) {
      ++stats.errors;
      co_return;
    }
    beast::flat_buffer buffer;
    while (Clock::now() < end) {
      if (per_conn_rate > 0) {
        if (next_send > Clock::now()) {
          asio::steady_timer t(ex, next_send);
          co_await t.async_wait(kTuple);
        }
      } else {
        next_send = Clock::now();
      }
      const auto scheduled = next_send;
      next_send += interval;
      http::request<http::empty_body> req{http::verb::get, o.paths[pick(rng)], 11};
      req.set(http::field::host, "localhost");
      if (!o.accept.empty()) req.set(http::field::accept, o.accept);
      req.keep_alive(true);
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
      auto [wec, wn] = co_await http::async_write(stream, req, kTuple);
      http::response<http::string_body> res;
      beast::error_code rec2;
      if (!wec) {
        auto [e, n] = co_await http::async_read(stream, buffer, res, kTuple);
        rec2 = e;
      }
      const auto done = Clock::now();
      if (wec || rec2) {
        if (done < end) ++stats.errors;
        break;
      }
      if (scheduled >= measure_from) {
        stats.latencies_us.push_back(static_cast<std::uint32_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(done - scheduled).count()));
        ++stats.statuses[static_cast<int>(res.result_int())];
        stats.bytes += res.body().size();
      }
      if (!res.keep_alive()) break;
    }
  }
}

int main(int argc, char** argv) {
  CLI::App app{"yici-loadgen: HTTPS load for the Yici benchmark (mTLS, keep-alive). Prints a JSON summary."};
  Options o;
  std::string paths_file;
  app.add_option("--host", o.host, "server address")->capture_default_str();
  app.add_option("--port", o.port, "server port")->capture_default_str();
  app.add_option("--path", o.paths, "request path(s); one is picked at random per request");
  app.add_option("--paths-file", paths_file, "file with one request path per line");
  app.add_option("--cert", o.cert, "client certificate (PEM)");
  app.add_option("--key", o.key, "client key (PEM)");
  app.add_option("--ca", o.ca, "CA to verify the server")->required();
  app.add_option("--connections,-c", o.connections, "keep-alive connections")
      ->capture_default_str()
      ->check(CLI::Range(1, 100'000));
  app.add_option("--duration,-d", o.duration_s, "seconds to measure")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 1e6));
  app.add_option("--warmup", o.warmup_s, "seconds before measuring")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
  app.add_option("--rate", o.rate, "total requests/s (open loop); 0 = as fast as possible")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e9));
  app.add_option("--threads", o.threads, "generator threads")->capture_default_str()->check(CLI::Range(1, 1024));
  app.add_option("--accept", o.accept, "Accept header");
  // Usage errors exit 2 (CLI11_PARSE returned CLI11's own codes: 104, 106, 109).
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (o.cert.empty() != o.key.empty()) {
    std::cerr << "yici-loadgen: give the client certificate and its key together (--cert and --key)\n";
    return 2;
  }
  if (!paths_file.empty()) {
    std::ifstream in(paths_file);
    if (!in) {
      std::cerr << "yici-loadgen: cannot read " << paths_file << "\n";
      return 2;
    }
    o.paths.clear();
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) o.paths.push_back(line);
    }
    if (o.paths.empty()) {
      std::cerr << "yici-loadgen: " << paths_file << " has no paths\n";
      return 2;
    }
  }
  ssl::context ctx(ssl::context::tls_client);
  // A file that cannot be read is a usage error named with its flag, not an abort.
  beast::error_code ec;
  const auto unreadable = [&](const char* flag, const std::string& file) {
    if (!ec) return false;
    std::cerr << "yici-loadgen: " << flag << " " << file << ": " << ec.message() << "\n";
    return true;
  };
  if (ctx.load_verify_file(o.ca, ec); unreadable("--ca", o.ca)) return 2;
  if (!o.cert.empty()) {
    if (ctx.use_certificate_chain_file(o.cert, ec); unreadable("--cert", o.cert)) return 2;
    if (ctx.use_private_key_file(o.key, ssl::context::pem, ec); unreadable("--key", o.key)) return 2;
  }
  ctx.set_verify_mode(ssl::verify_peer);
  const auto start = Clock::now() + std::chrono::milliseconds(50);
  const auto measure_from =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.warmup_s));
  const auto end =
      measure_from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration_s));
  std::vector<std::unique_ptr<asio::io_context>> iocs;
  iocs.reserve(static_cast<std::size_t>(o.threads));
  std::vector<Stats> stats(static_cast<std::size_t>(o.connections));
  for (int t = 0; t < o.threads; ++t) iocs.push_back(std::make_unique<asio::io_context>(1));
  for (int i = 0; i < o.connections; ++i) {
    auto& ioc = *iocs[static_cast<std::size_t>(i % o.threads)];
    asio::co_spawn(ioc, connection(o, ctx, i, start, measure_from, end, stats[static_cast<std::size_t>(i)]),
                   asio::detached);
  }
  std::vector<std::thread> threads;
  threads.reserve(iocs.size());
  for (auto& ioc : iocs) threads.emplace_back([&ioc] { ioc->run(); });
  for (auto& t : threads) t.join();

  Stats all;
  for (auto& s : stats) {
    all.latencies_us.insert(all.latencies_us.end(), s.latencies_us.begin(), s.latencies_us.end());
    for (auto [k, v] : s.statuses) all.statuses[k] += v;
    all.errors += s.errors;
    all.bytes += s.bytes;
  }
  std::sort(all.latencies_us.begin(), all.latencies_us.end());
  auto pct = [&](double p) {
    if (all.latencies_us.empty()) return 0.0;
    const auto idx = static_cast<std::size_t>(p * static_cast<double>(all.latencies_us.size() - 1));
    return all.latencies_us[idx] / 1000.0;
  };
  boost::json::object statuses;
  for (auto [k, v] : all.statuses) statuses[std::to_string(k)] = v;
  boost::json::object out{
      {"requests", all.latencies_us.size()},
      {"errors", all.errors},
      {"duration_s", o.duration_s},
      {"rps", static_cast<double>(all.latencies_us.size()) / o.duration_s},
      {"p50_ms", pct(0.50)},
      {"p99_ms", pct(0.99)},
      {"p999_ms", pct(0.999)},
      {"mean_body_bytes",
       all.latencies_us.empty() ? 0.0 : static_cast<double>(all.bytes) / static_cast<double>(all.latencies_us.size())},
      {"connections", o.connections},
      {"rate", o.rate},
      {"statuses", statuses}};
  std::cout << yici::to_json_text(out) << "\n";
  // Exit 1 unless every answer was a 2xx: rates of 401s or 503s are not the figures asked for.
  const bool all_2xx = !all.statuses.empty() && std::all_of(all.statuses.begin(), all.statuses.end(),
                                                            [](const auto& s) { return s.first / 100 == 2; });
  return all_2xx ? 0 : 1;
}
