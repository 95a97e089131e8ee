// ehr-sign: signs a plugin for hosts that require signed plugins (issue 7). A vendor makes a key
// pair once, gives host admins the public key line, and signs each release's manifest:
//
//   ehr-sign keygen KEY_ID SECRET_FILE      writes the secret key (mode 0600) and prints
//                                           "KEY_ID PUBLIC_KEY_BASE64" for the host's trusted keys
//   ehr-sign sign SECRET_FILE MANIFEST      signs the library the manifest names (Ed25519, detached,
//                                           over its exact bytes) and writes
//                                           <signature key-id=".." ed25519=".."/> into the manifest
//
// The secret file holds "KEY_ID SECRET_KEY_BASE64". Exit 0 on success; otherwise the reason on
// stderr and exit 1 (2 for a usage error).
#include <sodium.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <pugixml.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

std::string to_base64(const unsigned char* bytes, std::size_t size) {
  std::string out(sodium_base64_encoded_len(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes, size, sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::vector<unsigned char> from_base64(const std::string& text, std::size_t expected,
                                       const std::string& what) {
  std::vector<unsigned char> out(expected);
  std::size_t size = 0;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &size, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      size != expected) {
    throw std::runtime_error(what + " is not base64 of " + std::to_string(expected) + " bytes");
  }
  return out;
}

std::vector<unsigned char> read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int keygen(const std::string& key_id, const fs::path& secret_file) {
  if (key_id.empty() || key_id.find_first_of(" \t\n") != std::string::npos)
    throw std::runtime_error("the key id must be one word");
  if (fs::exists(secret_file))
    throw std::runtime_error(secret_file.string() + " exists; not overwriting a key");
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
  unsigned char secret_key[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(public_key, secret_key);
  {
    // Created owner-only before anything secret is written.
    const mode_t previous = ::umask(077);
    std::ofstream out(secret_file);
    ::umask(previous);
    out << key_id << ' ' << to_base64(secret_key, sizeof secret_key) << '\n';
    if (!out.flush()) throw std::runtime_error("cannot write " + secret_file.string());
  }
  sodium_memzero(secret_key, sizeof secret_key);
  std::cout << key_id << ' ' << to_base64(public_key, sizeof public_key) << '\n';
  return 0;
}

int sign(const fs::path& secret_file, const fs::path& manifest_file) {
  std::ifstream in(secret_file);
  std::string key_id, secret_base64;
  if (!(in >> key_id >> secret_base64))
    throw std::runtime_error(secret_file.string() + " is not an ehr-sign key file");
  std::vector<unsigned char> secret_key =
      from_base64(secret_base64, crypto_sign_SECRETKEYBYTES, "the secret key");

  pugi::xml_document manifest;
  const pugi::xml_parse_result parsed =
      manifest.load_file(manifest_file.c_str(), pugi::parse_default | pugi::parse_comments);
  if (!parsed) throw std::runtime_error(manifest_file.string() + ": " + parsed.description());
  pugi::xml_node plugin = manifest.child("plugin");
  const std::string library = plugin.child("library").attribute("file").as_string();
  if (library.empty()) throw std::runtime_error(manifest_file.string() + ": no library/@file to sign");
  const std::vector<unsigned char> bytes = read_file(manifest_file.parent_path() / library);

  unsigned char signature[crypto_sign_BYTES];
  crypto_sign_detached(signature, nullptr, bytes.data(), bytes.size(), secret_key.data());
  sodium_memzero(secret_key.data(), secret_key.size());

  while (pugi::xml_node old = plugin.child("signature")) plugin.remove_child(old);
  pugi::xml_node element = plugin.append_child("signature");
  element.append_attribute("key-id") = key_id.c_str();
  element.append_attribute("ed25519") = to_base64(signature, sizeof signature).c_str();
  if (!manifest.save_file(manifest_file.c_str(), "  "))
    throw std::runtime_error("cannot write " + manifest_file.string());
  std::cerr << "signed " << library << " (" << bytes.size() << " bytes) with key " << key_id << '\n';
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
    if (args.size() == 3 && args[0] == "keygen") return keygen(args[1], args[2]);
    if (args.size() == 3 && args[0] == "sign") return sign(args[1], args[2]);
  } catch (const std::exception& e) {
    std::cerr << "ehr-sign: " << e.what() << '\n';
    return 1;
  }
  std::cerr << "usage: ehr-sign keygen KEY_ID SECRET_FILE\n"
               "       ehr-sign sign SECRET_FILE MANIFEST\n";
  return 2;
}
