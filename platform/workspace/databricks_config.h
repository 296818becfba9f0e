// DatabricksConfig: the workspace host and token, resolved the way Databricks users already have
// them (the SDKs' and CLI's order), attribute by attribute:
//   1. explicit flags (--host, --token or --token-file);
//   2. the environment: DATABRICKS_HOST, DATABRICKS_TOKEN, DATABRICKS_TOKEN_FILE;
//   3. a profile of the config file (INI: [DEFAULT], [name]; keys host, token). The profile is
//      --profile, else DATABRICKS_CONFIG_PROFILE, else DEFAULT; the file is --config-file, else
//      DATABRICKS_CONFIG_FILE, else <home>/.databrickscfg.
// A profile named explicitly must exist; the implicit DEFAULT may be absent when flags or the
// environment already give both values. Errors say what is missing and where it was looked for.
// The host is normalised: https:// added when there is no scheme, trailing slashes removed. A
// host with credentials in it (user:password@) is refused, without repeating them. A token
// file holds the token alone (trailing whitespace and newlines are dropped): a token given so
// does not show in `ps` or in the shell's history, as a --token flag does.
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
  std::optional<std::string> token_file;  // a file holding the token
};

// Environment variables by name (only the DATABRICKS_* ones are read).
using Environment = std::map<std::string, std::string>;

struct DatabricksConfig {
  std::string host;  // normalised: "https://adb-1.azuredatabricks.net"
  std::string token;
  std::string profile;      // the profile read from the file; empty if the file was not needed
  std::string config_file;  // the file read; empty if it was not needed
  // Where each value came from: "--host", "DATABRICKS_HOST", "--token-file <file>",
  // "DATABRICKS_TOKEN_FILE <file>" or "profile 'dev' in <file>".
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

inline constexpr const char* kCredentialsInHost =
    "the workspace host has credentials in it (user:password@...), which would show in logs "
    "and process lists: give the host alone, and the token with DATABRICKS_TOKEN, "
    "DATABRICKS_TOKEN_FILE, --token-file or a profile";
// True if the URL's authority has user info (a '@' before the path).
bool has_credentials(std::string_view url);

// "adb-1.net/" -> "https://adb-1.net"; keeps an explicit http:// or https://.
std::string normalize_host(std::string_view host);

}  // namespace kiln::workspace
