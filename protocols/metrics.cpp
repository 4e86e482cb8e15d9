// The metrics protocol's HTTP side; the only file that includes Boost.Beast
// (it is heavy to compile).
#include "braid/protocols/metrics.hpp"

#include <boost/beast/http.hpp>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "braid/metrics.hpp"
#include "braid/protocols/metrics_exposition.hpp"

namespace braid::protocols {
namespace {

namespace http = boost::beast::http;

class MetricsFactory final : public Factory {
 public:
  MetricsFactory(MetricsRegistry* registry, std::string path, std::size_t max_request_bytes)
      : registry_(registry), path_(std::move(path)), max_request_bytes_(max_request_bytes) {
    if (registry_ == nullptr) {
      own_ = std::make_unique<MetricsRegistry>();
      registry_ = own_.get();
    }
  }
  std::unique_ptr<Protocol> build_protocol(const Address&) override;

  const std::string& path() const { return path_; }
  std::size_t max_request_bytes() const { return max_request_bytes_; }
  std::string scrape() const { return render_metrics(*registry_, sample_process()); }

 private:
  MetricsRegistry* registry_;
  std::unique_ptr<MetricsRegistry> own_;  // outside braidd: the process's figures only
  std::string path_;
  std::size_t max_request_bytes_;
};

// One HTTP/1.1 connection: requests are parsed as they arrive (pipelined ones
// in order) and each is answered before the next is read.
class MetricsHttp final : public ProtocolOf<MetricsFactory> {
 public:
  void connection_made() override { next_request(); }
  void data_received(std::string_view data) override;
  // Requests held back while flow control paused reading are answered now.
  void reading_resumed() override { parse(); }

 private:
  using Parser = http::request_parser<http::string_body>;
  void next_request();
  void parse();
  void answer(const http::request<http::string_body>& request);
  // Writes a response; `close`: say so, then close once it is sent.
  void respond(http::status status, unsigned version, bool close, std::string body, bool head = false,
               const char* content_type = "text/plain; charset=utf-8");
  void fail(const boost::system::error_code& ec);

  std::optional<Parser> parser_;
  std::string input_;  // received, not parsed yet (bounded: the parser's limits)
};

std::unique_ptr<Protocol> MetricsFactory::build_protocol(const Address&) { return std::make_unique<MetricsHttp>(); }

void MetricsHttp::next_request() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(factory().max_request_bytes()));
  parser_->body_limit(factory().max_request_bytes());
}

void MetricsHttp::data_received(std::string_view data) {
  if (transport().closing()) return;
  input_.append(data);
  parse();
}

// Stops while reading is paused: a peer that pipelines requests and reads no
// answers gets no more answers than the write buffer's high-water mark.
void MetricsHttp::parse() {
  while (!input_.empty() && !transport().closing() && !transport().reading_paused()) {
    boost::system::error_code ec;
    const std::size_t used = parser_->put(boost::asio::buffer(input_.data(), input_.size()), ec);
    input_.erase(0, used);
    if (ec == http::error::need_more) return;  // the header limit bounds what waits here
    if (ec) return fail(ec);
    // A method we do not serve is answered before its body is read.
    if (parser_->is_header_done() && !parser_->is_done()) {
      const auto method = parser_->get().method();
      if (method != http::verb::get && method != http::verb::head) {
        return respond(http::status::method_not_allowed, parser_->get().version(), true, "405 Method Not Allowed\n");
      }
    }
    if (parser_->is_done()) {
      const auto request = parser_->release();
      answer(request);
      if (transport().closing()) return;
      next_request();
    }
  }
}

void MetricsHttp::answer(const http::request<http::string_body>& request) {
  const bool close = !request.keep_alive();
  const unsigned version = request.version();
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    return respond(http::status::method_not_allowed, version, true, "405 Method Not Allowed\n");
  }
  const bool head = request.method() == http::verb::head;
  std::string_view target(request.target().data(), request.target().size());
  target = target.substr(0, target.find('?'));
  if (target != factory().path()) return respond(http::status::not_found, version, close, "404 Not Found\n", head);
  respond(http::status::ok, version, close, factory().scrape(), head, exposition_content_type);
}

void MetricsHttp::respond(http::status status, unsigned version, bool close, std::string body, bool head,
                          const char* content_type) {
  http::response<http::string_body> response{status, version};
  response.set(http::field::server, "braidd");
  response.set(http::field::content_type, content_type);
  if (status == http::status::method_not_allowed) response.set(http::field::allow, "GET, HEAD");
  response.keep_alive(!close);
  response.content_length(body.size());
  std::ostringstream header;
  header << response.base();
  transport().write(header.str());
  if (!head) transport().write(body);
  if (close) transport().lose_connection();
}

void MetricsHttp::fail(const boost::system::error_code& ec) {
  const unsigned version = 11;
  if (ec == http::error::header_limit) {
    return respond(http::status::request_header_fields_too_large, version, true,
                   "431 Request Header Fields Too Large\n");
  }
  if (ec == http::error::body_limit) {
    // Beast checks Content-Length against the limit with the header, before
    // we see it; the method (from the request line) still decides first.
    const auto method = parser_->get().method();
    if (method != http::verb::get && method != http::verb::head) {
      return respond(http::status::method_not_allowed, parser_->get().version(), true, "405 Method Not Allowed\n");
    }
    return respond(http::status::payload_too_large, version, true, "413 Payload Too Large\n");
  }
  respond(http::status::bad_request, version, true, "400 Bad Request: " + ec.message() + "\n");
}

}  // namespace

ProtocolInfo metrics_info() {
  ProtocolInfo info;
  info.name = "metrics";
  info.description =
      "Prometheus text format (0.0.4) over HTTP/1.1: GET /metrics gives every service's counters and the "
      "process's; other paths 404, other methods 405";
  info.options = {
      OptionSpec::string("path", "/metrics", "the path served; it starts with \"/\" (a query string is ignored)"),
      OptionSpec::integer("max_request_bytes", 8192, 256, 1024 * 1024,
                          "the largest request header (431) or body (413) accepted; the connection is then closed"),
  };
  info.build_stream = [](Options& options, const BuildContext& ctx) -> std::shared_ptr<Factory> {
    std::string path = options.string("path");
    if (path.empty() || path.front() != '/') options.add_problem("path", "must start with \"/\", not \"" + path + "\"");
    return std::make_shared<MetricsFactory>(ctx.metrics, std::move(path),
                                            options.integer_as<std::size_t>("max_request_bytes"));
  };
  return info;
}

}  // namespace braid::protocols
