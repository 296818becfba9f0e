// DatabricksConfig: the workspace host and token, resolved the way Databricks users already have
// them (the SDKs' and CLI's order), attribute by attribute:
//   1. explicit flags (--host, --token);
//   2. the environment: DATABRICKS_HOST, DATABRICKS_TOKEN;
//   3. a profile of the config file (INI: [DEFAULT], [name]; keys host, token). The profile is
//      --profile, else DATABRICKS_CONFIG_PROFILE, else DEFAULT; the file is --config-file, else
//      DATABRICKS_CONFIG_FILE, else <home>/.databrickscfg.
// A profile named explicitly must exist; the implicit DEFAULT may be absent when flags or the
// environment already give both values. Errors say what is missing and where it was looked for.
// The host is normalised: https:// added when there is no scheme, trailing slashes removed.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace kiln::workspace {

struct ConfigFlags {
  std::optional<std::string> host;
  std::optional<std::string> token;
  std::optional<std::string> profile;
  std::optional<std::string> config_file;
};

// Environment variables by name (only the DATABRICKS_* ones are read).
using Environment = std::map<std::string, std::string>;

struct DatabricksConfig {
  std::string host;  // normalised: "https://adb-1.azuredatabricks.net"
  std::string token;
  std::string profile;      // the profile read from the file; empty if the file was not needed
  std::string config_file;  // the file read; empty if it was not needed
  // Where each value came from: "--host", "DATABRICKS_HOST" or "profile 'dev' in <file>".
  std::string host_source;
  std::string token_source;
};

struct ConfigResult {
  std::optional<DatabricksConfig> config;
  std::string error;  // set when config is empty
  bool ok() const { return config.has_value(); }
};

// The pure resolution: `env` and `home_dir` stand for the process's environment and $HOME.
ConfigResult resolve_databricks_config(const ConfigFlags& flags, const Environment& env,
                                       const std::string& home_dir);

// The same over the real process environment and $HOME.
ConfigResult resolve_databricks_config(const ConfigFlags& flags);

// "adb-1.net/" -> "https://adb-1.net"; keeps an explicit http:// or https://.
std::string normalize_host(std::string_view host);

}  // namespace kiln::workspace
