// A self-signed certificate for 127.0.0.1, made at test time with the OpenSSL API and written
// as PEM files into a temporary folder (removed on destruction).
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace fakedb::serve::testing {

struct TestCertificate {
  std::filesystem::path dir, cert_file, key_file;

  TestCertificate() {
    dir = std::filesystem::temp_directory_path() /
          ("kiln-cert-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::create_directories(dir);
    cert_file = dir / "cert.pem";
    key_file = dir / "key.pem";
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    if (key == nullptr || cert == nullptr) throw std::runtime_error("openssl: cannot make a key");
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    add_extension(cert, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
    add_extension(cert, NID_basic_constraints, "critical,CA:TRUE");
    X509_sign(cert, key, EVP_sha256());
    write(cert_file, [&](FILE* f) { return PEM_write_X509(f, cert); });
    write(key_file, [&](FILE* f) {
      return PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    });
    X509_free(cert);
    EVP_PKEY_free(key);
  }
  ~TestCertificate() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  TestCertificate(const TestCertificate&) = delete;
  TestCertificate& operator=(const TestCertificate&) = delete;

 private:
  static void add_extension(X509* cert, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  template <class Fn>
  static void write(const std::filesystem::path& path, Fn fn) {
    FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr || fn(f) != 1) throw std::runtime_error("cannot write " + path.string());
    std::fclose(f);
  }
};

}  // namespace fakedb::serve::testing
