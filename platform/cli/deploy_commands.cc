#include "platform/cli/deploy_commands.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "core/clock/real_loop.h"
#include "databricks/client/retry_policy.h"
#include "platform/artifacts/local_store.h"
#include "platform/cli/status_commands.h"
#include "platform/notify/http_poster.h"
#include "platform/notify/notifier.h"
#include "platform/notify/routing.h"
#include "platform/runtime/kiln.h"
#include "platform/store/sqlite_store.h"
#include "platform/streams/store_lock_service.h"
#include "platform/workspace/http_workspace.h"

namespace kiln::cli {
namespace {

constexpr std::size_t kAll = 1'000'000;
// How long a command waits, before it exits, for notifications still being delivered.
constexpr core::DurationMs kDrainMs = 10'000;

// The workspace as the command calls it: says a refused server certificate once, on `err`, the
// first time a request meets it (then each deploy that fails on it says so in its reason).
class CertificateProblems final : public databricks::WorkspaceApi {
 public:
  CertificateProblems(databricks::WorkspaceApi& inner, std::string command, std::ostream& err)
      : inner_(inner), command_(std::move(command)), err_(err) {}
  void call(databricks::ApiRequest request,
            std::function<void(databricks::ApiResponse)> done) override {
    inner_.call(std::move(request), [this, done = std::move(done)](databricks::ApiResponse r) {
      if (databricks::tls_verify_failed(r)) {
        const std::string message = r.body.value("message", "");
        if (said_.insert(message).second) err_ << command_ << ": " << message << std::endl;
      }
      done(std::move(r));
    });
  }

 private:
  databricks::WorkspaceApi& inner_;
  std::string command_;
  std::ostream& err_;
  std::set<std::string> said_;
};

// Everything a command needs to run kiln on the wall clock. Members are destroyed in reverse
// order: kiln before the workspace it calls, the loop and the stores.
struct Session {
  boost::asio::io_context io;
  core::EventLog events;  // what kiln does, for notifications
  std::unique_ptr<core::RealLoop> loop;
  std::unique_ptr<artifacts::ArtifactStore> artifacts;
  std::unique_ptr<store::MetadataStore> store;
  std::unique_ptr<workspace::HttpWorkspace> http;
  std::unique_ptr<CertificateProblems> workspace;
  // Blue-green's writer locks and checkpoints, in the metadata DB (docs/streams.md).
  std::unique_ptr<streams::StoreLockService> locks;
  std::unique_ptr<notify::HttpPoster> poster;
  std::unique_ptr<notify::Notifier> notifier;  // with --notify-config
  std::unique_ptr<runtime::Kiln> kiln;
  std::string host;
  std::string token_source;
};

// Reads --notify-config and subscribes a notifier to the session's events. False (with the
// problems on `err`) if the file cannot be read or is wrong.
bool open_notifier(Session& s, const std::string& file, const char* command, std::ostream& err) {
  if (file.empty()) return true;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    err << command << ": cannot read " << file << "\n";
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::vector<config::Diagnostic> problems;
  auto routing = notify::load_routing(file, text.str(), problems);
  if (!routing) {
    for (const auto& p : problems) err << p.to_string() << "\n";
    return false;
  }
  try {
    s.poster = notify::make_http_poster(s.io, {});
  } catch (const std::exception& e) {
    err << command << ": notifications: " << e.what() << "\n";
    return false;
  }
  s.notifier =
      std::make_unique<notify::Notifier>(*s.loop, std::move(*routing), *s.poster, &s.events);
  return true;
}

// Before a command exits: kiln stops (as in a crash, nothing is lost), and the notifications of
// what it did are given up to kDrainMs to be delivered.
void drain_notifications(Session& s, const char* command, std::ostream& err) {
  s.kiln.reset();
  if (!s.notifier || s.notifier->pending() == 0) return;
  s.io.restart();
  const core::TimeMs give_up_at = s.loop->now_ms() + kDrainMs;
  std::function<void()> check = [&] {
    if (s.notifier->pending() == 0 || s.loop->now_ms() >= give_up_at) {
      s.io.stop();
      return;
    }
    s.loop->schedule_after(50, check);
  };
  check();
  s.io.run();
  if (const auto left = s.notifier->pending(); left > 0) {
    err << command << ": " << left << " notification(s) not delivered within " << kDrainMs / 1000
        << " s\n";
  }
}

std::unique_ptr<Session> open_session(const Connection& c, const std::vector<std::string>& cd,
                                      const char* command, std::ostream& err,
                                      const RunCommand* run = nullptr) {
  auto s = std::make_unique<Session>();
  s->loop = std::make_unique<core::RealLoop>(s->io);
  auto artifacts = artifacts::open_local_store(c.store);
  if (!artifacts) {
    err << command << ": artifact store " << c.store << ": " << artifacts.error().message << "\n";
    return nullptr;
  }
  s->artifacts = std::move(artifacts).value();
  auto store = store::open_sqlite_store(c.db);
  if (!store) {
    err << command << ": metadata DB " << c.db << ": " << store.error().describe() << "\n";
    return nullptr;
  }
  s->store = std::move(store).value();
  const auto config = workspace::resolve_databricks_config(c.databricks);
  if (!config.ok()) {
    err << command << ": " << config.error << "\n";
    return nullptr;
  }
  s->host = config.config->host;
  s->token_source = config.config->token_source;
  if (s->token_source == "--token") {
    err << command << ": warning: --token shows the token to every user of this machine (ps, "
        << "shell history); prefer DATABRICKS_TOKEN, --token-file or DATABRICKS_TOKEN_FILE\n";
  }
  workspace::HttpConfig http;
  http.host = config.config->host;
  http.token = config.config->token;
  http.ca_file = c.ca_file;
  try {
    s->http = std::make_unique<workspace::HttpWorkspace>(s->io, http);
  } catch (const std::exception& e) {
    err << command << ": workspace " << http.host << ": " << e.what() << "\n";
    return nullptr;
  }
  s->workspace = std::make_unique<CertificateProblems>(*s->http, command, err);
  if (!open_notifier(*s, c.notify_config, command, err)) return nullptr;
  if (c.wait_for != "running" && c.wait_for != "first-run-end") {
    err << command << ": --wait-for: expected running or first-run-end, got " << c.wait_for << "\n";
    return nullptr;
  }
  runtime::KilnOptions options;
  options.cd_targets = cd;
  if (run != nullptr)
    options.cd.interval_ms = static_cast<core::DurationMs>(run->cd_interval_s * 1000);
  options.deploy.poll_ms = static_cast<core::DurationMs>(c.poll_s * 1000);
  options.deploy.queue_poll_ms = options.deploy.poll_ms;
  options.deploy.wait_for =
      c.wait_for == "running" ? deploy::WaitFor::kRunning : deploy::WaitFor::kFirstRunEnd;
  if (run != nullptr && !run->once) {
    if (run->monitor) {
      monitor::MonitorOptions m;
      m.saved_jobs_limit = run->saved_jobs_limit;
      m.interval_ms = static_cast<core::DurationMs>(run->monitor_interval_s * 1000);
      options.monitor = m;
    }
    if (run->cleanup) {
      cleanup::CleanupOptions cl;
      cl.stale_after_ms = static_cast<core::DurationMs>(run->stale_days * 86'400'000.0);
      cl.dry_run = run->cleanup_dry_run;
      options.cleanup = cl;
    }
  }
  s->locks = std::make_unique<streams::StoreLockService>(*s->store, *s->loop, &s->events);
  options.locks = s->locks.get();
  // The wall clock seeds only the retry jitter, never anything simulated.
  options.seed = static_cast<std::uint64_t>(s->loop->now_ms());
  // Kiln publishes what it does (deploys, monitoring, cleanup) on the session's EventLog, where
  // kiln run's notifier listens.
  s->kiln = std::make_unique<runtime::Kiln>(*s->loop, *s->store, *s->artifacts, *s->workspace,
                                            options, &s->events);
  return s;
}

// Prints each phase of a deployment as it starts and ends.
class PhasePrinter {
 public:
  PhasePrinter(store::MetadataStore& store, std::ostream& out) : store_(store), out_(out) {}
  void print(std::int64_t deployment_id) {
    auto phases = store_.list_phases(deployment_id);
    if (!phases) return;
    auto deployment = store_.get_deployment(deployment_id);
    const std::string who =
        deployment ? deployment->request.name + " (" + deployment->request.target + ")" : "";
    for (const auto& p : *phases) {
      auto& shown = shown_[{deployment_id, p.seq}];
      if (shown == p.outcome) continue;
      shown = p.outcome;
      const std::int64_t at = p.finished_ms.value_or(p.started_ms);
      out_ << format_time(at) << "  " << who << " deployment " << deployment_id << "  " << p.phase
           << " " << store::to_string(p.outcome) << (p.reason.empty() ? "" : ": " + p.reason)
           << std::endl;
    }
  }

 private:
  store::MetadataStore& store_;
  std::ostream& out_;
  std::map<std::pair<std::int64_t, int>, store::PhaseOutcome> shown_;
};

// "60 s", "0.5 s".
std::string seconds_text(double s) {
  std::ostringstream text;
  text << s << " s";
  return text.str();
}

std::int64_t deployment_of(const store::Workflow& w) {
  return w.state.value("deployment_id", std::int64_t{0});
}

}  // namespace

std::string describe_session(const Connection& c, const std::string& host,
                             const std::string& token_source) {
  return std::string("kiln ") + KILN_VERSION + ", db " + c.db + ", store " + c.store +
         ", workspace " + host + " (token from " + token_source + ")";
}

int run_deploy(const DeployCommand& command, std::ostream& out, std::ostream& err) {
  auto s = open_session(command.connection, {}, "kiln deploy", err);
  if (!s) return 2;
  if (auto started = s->kiln->start(); !started) {
    err << "kiln deploy: " << started.error().describe() << "\n";
    return 2;
  }
  auto requested = s->kiln->deploy(command.job, command.target, command.build, command.requested_by,
                                   command.reason);
  if (!requested) {
    err << "kiln deploy: " << requested.error().message << "\n";
    return 2;
  }
  const auto id = requested->deployment.id;
  out << "deployment " << id << ": " << command.job << " (" << command.target << ") version "
      << requested->deployment.request.version << " from build " << command.build << " to "
      << s->host
      << (requested->superseded
              ? ", superseding queued deployment " + std::to_string(*requested->superseded)
              : std::string())
      << std::endl;
  if (!command.wait) {
    out << "queued; it runs the next time kiln runs (kiln run)\n";
    drain_notifications(*s, "kiln deploy", err);
    return 0;
  }
  PhasePrinter printer(*s->store, out);
  int code = 1;
  bool finished = false;
  s->kiln->engine().on_step([&](const store::Workflow& w) {
    if (w.kind != deploy::kDeployKind || deployment_of(w) != id) return;
    printer.print(id);
    auto d = s->store->get_deployment(id);
    if (!d || store::is_open(d->status)) return;
    finished = true;
    out << "deployment " << id << " " << store::to_string(d->status)
        << (d->outcome_reason.empty() ? "" : ": " + d->outcome_reason) << std::endl;
    code = d->status == store::DeploymentStatus::kSucceeded ? 0 : 1;
    s->io.stop();
  });
  s->loop->schedule_after(static_cast<core::DurationMs>(command.timeout_s * 1000),
                          [&] { s->io.stop(); });
  boost::asio::signal_set signals(s->io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) s->io.stop();
  });
  s->io.run();
  signals.cancel();
  if (!finished) {
    auto d = s->store->get_deployment(id);
    err << "kiln deploy: deployment " << id << " is still "
        << (d ? std::string(store::to_string(d->status)) : "open")
        << "; it goes on the next time kiln runs (kiln run)\n";
  }
  drain_notifications(*s, "kiln deploy", err);
  return code;
}

int run_agent(const RunCommand& command, std::ostream& out, std::ostream& err) {
  auto s = open_session(command.connection,
                        command.once ? std::vector<std::string>{} : command.cd_targets, "kiln run",
                        err, &command);
  if (!s) return 2;
  std::string targets;
  for (const auto& t : command.cd_targets) targets += (targets.empty() ? "" : ", ") + t;
  out << "kiln run: started: " << describe_session(command.connection, s->host, s->token_source)
      << "; cd targets: " << (targets.empty() ? "none" : targets)
      << (command.once ? " (one pass)" : " (every " + seconds_text(command.cd_interval_s) + ")")
      << std::endl;
  int code = 0;
  std::string why = "--once: every deploy it started has ended";
  auto stop = [&](int exit_code) {
    drain_notifications(*s, "kiln run", err);
    out << "kiln run: stopped: " << why << " (exit " << exit_code << ")" << std::endl;
    return exit_code;
  };
  if (auto started = s->kiln->start(); !started) {
    err << "kiln run: " << started.error().describe() << "\n";
    why = "could not start";
    return stop(2);
  }
  PhasePrinter printer(*s->store, out);
  auto open_deploys = [&] {
    std::size_t n = 0;
    if (auto open = s->store->list_open_workflows(kAll)) {
      for (const auto& w : *open) n += w.kind == deploy::kDeployKind ? 1 : 0;
    }
    return n;
  };
  std::size_t failed = 0;
  s->kiln->engine().on_step([&](const store::Workflow& w) {
    if (w.kind != deploy::kDeployKind) return;
    const auto id = deployment_of(w);
    printer.print(id);
    if (w.status == store::WorkflowStatus::kOpen) return;
    if (auto d = s->store->get_deployment(id); d) {
      out << "deployment " << id << " " << store::to_string(d->status)
          << (d->outcome_reason.empty() ? "" : ": " + d->outcome_reason) << std::endl;
      if (d->status == store::DeploymentStatus::kFailed ||
          d->status == store::DeploymentStatus::kAborted) {
        ++failed;
      }
    }
    if (command.once && open_deploys() == 0) s->io.stop();
  });
  std::size_t request_errors = 0;
  if (command.once) {
    for (const auto& target : command.cd_targets) {
      const auto pass =
          cd::run_cd_pass(*s->store, *s->artifacts, s->kiln->engine(), target, s->loop->now_ms());
      out << "cd " << target << ": build " << (pass.build_id.empty() ? "-" : pass.build_id) << ", "
          << pass.requested.size() << " deploy(s) requested"
          << (pass.errors.empty() ? "" : ", " + std::to_string(pass.errors.size()) + " failed")
          << "\n";
      for (const auto& e : pass.errors) err << "kiln run: cd " << target << ": " << e << "\n";
      request_errors += pass.errors.size();
    }
  }
  if (!command.once || open_deploys() > 0) {
    boost::asio::signal_set signals(s->io, SIGINT, SIGTERM);
    int signal_number = 0;
    signals.async_wait([&](const boost::system::error_code& ec, int number) {
      if (ec) return;
      signal_number = number;
      s->io.stop();
    });
    s->io.run();
    signals.cancel();
    if (signal_number != 0) why = signal_number == SIGINT ? "SIGINT" : "SIGTERM";
  } else {
    why = "--once: nothing to deploy";
  }
  // Only a --once pass answers for its deploys with its exit code; a long-running kiln stopped by
  // a signal is a normal stop (each failure was reported as it happened).
  if (command.once && (request_errors > 0 || failed > 0)) {
    code = 1;
    why += "; " + std::to_string(request_errors) + " CD request(s) and " + std::to_string(failed) +
           " deploy(s) failed";
  }
  return stop(code);
}

int run_cleanup(const CleanupCommand& command, std::ostream& out, std::ostream& err) {
  auto s = open_session(command.connection, {}, "kiln cleanup", err);
  if (!s) return 2;
  cleanup::CleanupOptions options;
  options.stale_after_ms = static_cast<core::DurationMs>(command.stale_days * 86'400'000.0);
  options.dry_run = command.dry_run;
  cleanup::CleanupWorkflow pass(*s->loop, s->kiln->workspace(), *s->store, *s->artifacts, options,
                                &s->events);
  int code = 1;
  pass.run_once([&](const cleanup::CleanupPass& result, const std::string& error) {
    if (!error.empty()) {
      err << "kiln cleanup: " << error << "\n";
    } else {
      for (const auto& d : result.deleted) {
        out << (command.dry_run ? "would delete " : "deleted ") << d << "\n";
      }
      for (const auto& k : result.kept) out << "kept " << k << "\n";
      out << result.deleted.size() << " job(s) " << (command.dry_run ? "would be " : "")
          << "deleted, " << result.kept.size() << " candidate(s) kept\n";
      code = 0;
    }
    s->io.stop();
  });
  s->io.run();
  drain_notifications(*s, "kiln cleanup", err);
  return code;
}

}  // namespace kiln::cli
