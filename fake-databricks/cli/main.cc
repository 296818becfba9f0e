// fake-databricks: the emulator's command line.
//   demo   drives a workspace through a few jobs on virtual time and prints what happened
//   serve  serves one workspace over HTTP(S), the way Databricks does
#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "fake-databricks/cli/demo.h"
#include "fake-databricks/serve/server.h"

namespace {

// Reads a workspace config (JSON). Errors say file:line:column and what is wrong.
std::optional<fakedb::WorkspaceConfig> read_config(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = path + ": cannot open the file";
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  const std::string s = text.str();
  try {
    auto parsed = fakedb::WorkspaceConfig::from_json(nlohmann::json::parse(s));
    if (!parsed) {
      error = path + ": " + parsed.error().message;
      return std::nullopt;
    }
    return std::move(parsed).value();
  } catch (const nlohmann::json::parse_error& e) {
    const std::size_t at = std::min(e.byte == 0 ? 0 : e.byte - 1, s.size());
    const auto line = 1 + std::count(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(at), '\n');
    const auto last_nl = s.rfind('\n', at == 0 ? 0 : at - 1);
    const auto column = at - (last_nl == std::string::npos ? 0 : last_nl + 1) + 1;
    error = path + ":" + std::to_string(line) + ":" + std::to_string(column) + ": invalid JSON (" +
            std::string(e.what()).substr(std::string(e.what()).find(':') + 2) + ")";
    return std::nullopt;
  }
}

int serve(fakedb::serve::ServeOptions options, const std::string& config_path) {
  if (!config_path.empty()) {
    std::string error;
    auto config = read_config(config_path, error);
    if (!config) {
      std::cerr << "fake-databricks serve: " << error << "\n";
      return 2;
    }
    options.config = std::move(*config);
  }
  boost::asio::io_context io;
  try {
    fakedb::serve::Server server(io, options);
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) {
      server.stop();
      io.stop();
    });
    std::cout << "fake-databricks serve: listening on " << server.url() << std::endl;
    io.run();
  } catch (const std::exception& e) {
    std::cerr << "fake-databricks serve: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"fake-databricks: an emulated Databricks workspace on virtual time"};
  app.require_subcommand(1);

  fakedb::cli::DemoOptions demo;
  auto* demo_cmd = app.add_subcommand(
      "demo", "Run a few jobs through an emulated workspace and print what happened");
  demo_cmd->add_option("--seed", demo.seed, "Seed of the simulated world")->capture_default_str();
  demo_cmd->add_option("--hours", demo.hours, "Virtual hours to simulate")
      ->check(CLI::Range(1, 24 * 365))
      ->capture_default_str();
  demo_cmd->add_flag("--api-calls", demo.show_api_calls, "Also print every API call");

  fakedb::serve::ServeOptions serve_options;
  std::string config_path, cert, key;
  auto* serve_cmd =
      app.add_subcommand("serve", "Serve one emulated workspace over HTTP(S), as Databricks does");
  serve_cmd->add_option("--port", serve_options.port, "Port to listen on (0: any free port)")
      ->required();
  serve_cmd->add_option("--token", serve_options.token, "Bearer token clients must send")
      ->required();
  serve_cmd->add_option("--address", serve_options.address, "Address to listen on")
      ->capture_default_str();
  serve_cmd->add_option("--time-scale", serve_options.time_scale, "Virtual seconds per wall second")
      ->check(CLI::Range(0.001, 1e6))
      ->capture_default_str();
  serve_cmd->add_option("--seed", serve_options.seed, "Seed of the emulated workspace")
      ->capture_default_str();
  serve_cmd
      ->add_option("--config", config_path, "Workspace config (JSON): limits, workloads, faults")
      ->check(CLI::ExistingFile);
  serve_cmd->add_option("--tls-cert", cert, "TLS certificate chain (PEM)")
      ->check(CLI::ExistingFile);
  serve_cmd->add_option("--tls-key", key, "TLS private key (PEM)")->check(CLI::ExistingFile);
  serve_cmd->add_option("--max-connections", serve_options.max_connections, "Connection cap")
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-connections-per-ip", serve_options.max_connections_per_ip,
                   "Connection cap per client address (0: none)")
      ->capture_default_str();
  serve_cmd
      ->add_option("--first-byte-timeout-ms", serve_options.first_byte_timeout_ms,
                   "A new connection that sends nothing for this long is closed")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{3'600'000}))
      ->capture_default_str();
  serve_cmd
      ->add_option("--read-timeout-ms", serve_options.read_timeout_ms,
                   "Time a request (or an idle keep-alive connection) may take")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{3'600'000}))
      ->capture_default_str();

  CLI11_PARSE(app, argc, argv);
  if (demo_cmd->parsed()) return fakedb::cli::run_demo(demo, std::cout);
  if (serve_cmd->parsed()) {
    if (!cert.empty()) serve_options.tls_cert_file = cert;
    if (!key.empty()) serve_options.tls_key_file = key;
    return serve(serve_options, config_path);
  }
  return 2;
}
