#include "tls_config.hpp"

#include <exception>

namespace braid::services::detail {
namespace {

const std::vector<std::string> tls_keys = {"cert",  "key",          "ca",   "verify_peer", "min_version",
                                           "ciphers", "ciphersuites", "alpn", "sni"};
const std::vector<std::string> sni_keys = {"cert", "key"};
const std::vector<std::string> verify_choices = {"none", "optional", "require"};
const std::vector<std::string> version_choices = {"1.2", "1.3"};
constexpr std::size_t max_alpn_length = 255;  // one byte of length on the wire (RFC 7301)

std::optional<std::string> read_path(const nlohmann::json& value, const std::string& path,
                                     const std::filesystem::path& base_dir, ErrorSink& errors) {
  auto text = read_string(value, path, errors);
  if (!text) return std::nullopt;
  std::filesystem::path file(*text);
  if (file.is_relative() && !base_dir.empty()) file = base_dir / file;
  return file.string();
}

// A required path key of `object`.
void read_required_path(const nlohmann::json& object, const std::string& path, const char* key,
                        const std::filesystem::path& base_dir, std::string& out, bool& ok, ErrorSink& errors) {
  auto it = object.find(key);
  if (it == object.end()) {
    errors.add(path, std::string("missing required key '") + key + "' (a PEM file)");
    ok = false;
    return;
  }
  if (auto file = read_path(*it, child_path(path, key), base_dir, errors)) {
    out = *file;
  } else {
    ok = false;
  }
}

void read_alpn(const nlohmann::json& value, const std::string& path, TlsSettings& out, bool& ok,
               ErrorSink& errors) {
  auto list = read_string_list(value, path, errors);
  if (!list) {
    ok = false;
    return;
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string& name = (*list)[i];
    if (name.empty() || name.size() > max_alpn_length) {
      errors.add(child_path(path, i), "an ALPN protocol name must be 1 to 255 bytes long");
      ok = false;
    }
  }
  out.alpn = std::move(*list);
}

void read_sni(const nlohmann::json& value, const std::string& path, const std::filesystem::path& base_dir,
              TlsSettings& out, bool& ok, ErrorSink& errors) {
  if (!expect_object(value, path, errors)) {
    ok = false;
    return;
  }
  for (const auto& [name, entry] : value.items()) {
    const std::string at = child_path(path, name);
    if (name.empty()) {
      errors.add(at, "a server name must not be empty");
      ok = false;
      continue;
    }
    if (!expect_object(entry, at, errors)) {
      ok = false;
      continue;
    }
    check_known_keys(entry, at, sni_keys, errors);
    TlsCertificateFiles files;
    read_required_path(entry, at, "cert", base_dir, files.cert, ok, errors);
    read_required_path(entry, at, "key", base_dir, files.key, ok, errors);
    out.sni.emplace(name, std::move(files));
  }
}

// The key a TlsError (or a warning) is about: the setting it starts with
// (`ciphers "X": ...`), or the key whose file it names first (`key F: ...`,
// `sni "NAME": certificate F: ...`); otherwise the `tls` object itself.
std::string path_of_message(const std::string& message, const TlsSettings& settings, const std::string& path) {
  for (const char* key : {"ciphersuites", "ciphers", "min_version", "alpn"}) {
    if (message.starts_with(std::string(key) + " ")) return child_path(path, key);
  }
  std::vector<std::pair<std::string, std::string>> named = {{"certificate " + settings.cert, child_path(path, "cert")},
                                                            {"key " + settings.key, child_path(path, "key")}};
  if (!settings.ca.empty()) named.emplace_back("ca " + settings.ca, child_path(path, "ca"));
  for (const auto& [name, files] : settings.sni) {
    const std::string at = child_path(child_path(path, "sni"), name);
    const std::string prefix = "sni \"" + name + "\": ";
    named.emplace_back(prefix + "certificate " + files.cert, child_path(at, "cert"));
    named.emplace_back(prefix + "key " + files.key, child_path(at, "key"));
  }
  // The first file named is the subject ("key K does not match certificate
  // C"); of two mentions at one place, the longer (`sni "a": key F` holds
  // `key F`; "key /x/a.pem" starts "key /x/a.pem.old").
  std::size_t best_at = std::string::npos, best_length = 0;
  std::string best = path;
  for (const auto& [mention, at] : named) {
    const std::size_t found = message.find(mention);
    if (found == std::string::npos) continue;
    if (found < best_at || (found == best_at && mention.size() > best_length)) {
      best_at = found;
      best_length = mention.size();
      best = at;
    }
  }
  return best;
}

// Runs `build` (which returns the context it built or reloaded), turning a
// TlsError into an error at the key it names and the context's warnings
// into warnings.
template <class Build>
LoadedTls attempt(const TlsSettings& settings, const std::string& path, Build&& build) {
  LoadedTls out;
  try {
    out.context = build();
  } catch (const TlsError& e) {
    out.errors.push_back({path_of_message(e.what(), settings, path), e.what()});
    return out;
  } catch (const std::exception& e) {
    out.errors.push_back({path, std::string("TLS: ") + e.what()});
    return out;
  }
  for (const auto& warning : out.context->warnings()) {
    out.warnings.push_back({path_of_message(warning, settings, path), warning});
  }
  return out;
}

}  // namespace

std::optional<TlsSettings> read_tls(const nlohmann::json& value, const std::string& path,
                                    const std::filesystem::path& base_dir, ErrorSink& errors) {
  if (!expect_object(value, path, errors)) return std::nullopt;
  check_known_keys(value, path, tls_keys, errors);
  const std::size_t before = errors.count();
  TlsSettings out;
  bool ok = true;
  read_required_path(value, path, "cert", base_dir, out.cert, ok, errors);
  read_required_path(value, path, "key", base_dir, out.key, ok, errors);
  if (auto it = value.find("ca"); it != value.end()) {
    if (auto file = read_path(*it, child_path(path, "ca"), base_dir, errors)) out.ca = *file;
  }
  if (auto it = value.find("verify_peer"); it != value.end()) {
    if (auto v = read_choice(*it, child_path(path, "verify_peer"), verify_choices, errors)) {
      out.verify_peer = *v == "require" ? TlsVerify::require : *v == "optional" ? TlsVerify::optional : TlsVerify::none;
    }
  }
  if (auto it = value.find("min_version"); it != value.end()) {
    if (auto v = read_choice(*it, child_path(path, "min_version"), version_choices, errors)) out.min_version = *v;
  }
  if (auto it = value.find("ciphers"); it != value.end()) {
    if (auto v = read_string(*it, child_path(path, "ciphers"), errors)) out.ciphers = *v;
  }
  if (auto it = value.find("ciphersuites"); it != value.end()) {
    if (auto v = read_string(*it, child_path(path, "ciphersuites"), errors)) out.ciphersuites = *v;
  }
  if (auto it = value.find("alpn"); it != value.end()) read_alpn(*it, child_path(path, "alpn"), out, ok, errors);
  if (auto it = value.find("sni"); it != value.end()) read_sni(*it, child_path(path, "sni"), base_dir, out, ok, errors);
  // Unset is none for a server.
  if (out.verify_peer.value_or(TlsVerify::none) != TlsVerify::none && out.ca.empty() && errors.count() == before) {
    errors.add(child_path(path, "verify_peer"),
               "checking client certificates needs 'ca' (the PEM bundle of the CAs that sign them)");
  }
  if (!ok || errors.count() != before) return std::nullopt;
  return out;
}

std::string service_path(const Config& config, const std::string& name) {
  for (std::size_t i = 0; i < config.services.size(); ++i) {
    if (config.services[i].name == name) return child_path("/services", i);
  }
  return "/services";
}

LoadedTls load_tls(const TlsSettings& settings, const std::string& path) {
  return attempt(settings, path, [&] { return TlsContext::server(settings); });
}

LoadedTls reload_tls(const std::shared_ptr<TlsContext>& context, const TlsSettings& settings,
                     const std::string& path) {
  return attempt(settings, path, [&] {
    context->reload(settings);
    return context;
  });
}

}  // namespace braid::services::detail
