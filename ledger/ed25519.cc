#include "ledger/ed25519.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "ledger/input_file.h"
#include "ledger/sha256.h"

namespace grantledger {

void PkeyDeleter::operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }

namespace {

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

std::string bio_to_string(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

Result<std::string> read_file(const std::string& path) {
  GL_RETURN_IF_ERROR(check_input_file(path, "key file"));
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::invalid_argument("key file " + path + ": cannot be read: " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Bytes raw_public_of(EVP_PKEY* key) {
  Bytes raw(kEd25519PublicKeySize, '\0');
  size_t len = raw.size();
  GL_ASSERT(EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &len) == 1);
  GL_ASSERT(len == kEd25519PublicKeySize);
  return raw;
}

Status write_file(const std::string& path, const std::string& text, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Status::invalid_argument("cannot create " + path + ": " + std::strerror(errno));
  ::fchmod(fd, mode);  // umask must not widen or narrow what we promise
  ssize_t n = ::write(fd, text.data(), text.size());
  bool ok = n == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return Status::io_error("cannot write " + path + ": " + std::strerror(errno));
  return Status::ok();
}

}  // namespace

Hash32 key_id_of(std::string_view raw_public_key) { return Sha256().digest(raw_public_key); }

PublicKey::PublicKey(PkeyPtr key, Bytes raw)
    : key_(std::move(key)), raw_(std::move(raw)), key_id_(key_id_of(raw_)) {}

Result<PublicKey> PublicKey::from_raw(std::string_view raw) {
  if (raw.size() != kEd25519PublicKeySize)
    return Status::invalid_argument("an Ed25519 public key has 32 bytes, got " +
                                    std::to_string(raw.size()));
  EVP_PKEY* k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                            reinterpret_cast<const unsigned char*>(raw.data()),
                                            raw.size());
  if (!k) return Status::invalid_argument("not a valid Ed25519 public key");
  return PublicKey(PkeyPtr(k), Bytes(raw));
}

Result<PublicKey> PublicKey::from_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* k = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (!k) return Status::invalid_argument("not a PEM public key");
  PkeyPtr key(k);
  if (EVP_PKEY_get_id(k) != EVP_PKEY_ED25519)
    return Status::invalid_argument("the public key is not an Ed25519 key");
  Bytes raw = raw_public_of(k);
  return PublicKey(std::move(key), std::move(raw));
}

Result<PublicKey> PublicKey::load(const std::string& path) {
  GL_ASSIGN_OR_RETURN(std::string pem, read_file(path));
  auto key = from_pem(pem);
  if (!key) return key.error().with_context("key file " + path + ": ");
  return key;
}

std::string PublicKey::to_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  GL_ASSERT(PEM_write_bio_PUBKEY(bio.get(), key_.get()) == 1);
  return bio_to_string(bio.get());
}

bool PublicKey::verify(std::string_view message, std::string_view signature) const {
  if (signature.size() != kEd25519SignatureSize) return false;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(),
                          reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

PrivateKey::PrivateKey(std::shared_ptr<EVP_PKEY> key, PublicKey pub)
    : key_(std::move(key)), public_(std::move(pub)) {}

PrivateKey PrivateKey::generate() {
  EVP_PKEY* k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  GL_ASSERT(k != nullptr);
  std::shared_ptr<EVP_PKEY> key(k, PkeyDeleter());
  auto pub = PublicKey::from_raw(raw_public_of(k));
  GL_ASSERT(pub.has_value());
  return PrivateKey(std::move(key), std::move(pub).value());
}

Result<PrivateKey> PrivateKey::from_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* k = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (!k) return Status::invalid_argument("not a PEM private key");
  std::shared_ptr<EVP_PKEY> key(k, PkeyDeleter());
  if (EVP_PKEY_get_id(k) != EVP_PKEY_ED25519)
    return Status::invalid_argument("the private key is not an Ed25519 key");
  GL_ASSIGN_OR_RETURN(PublicKey pub, PublicKey::from_raw(raw_public_of(k)));
  return PrivateKey(std::move(key), std::move(pub));
}

Result<PrivateKey> PrivateKey::load(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return Status::invalid_argument("key file " + path + ": cannot be read: " + std::strerror(errno));
  if (st.st_mode & 077)
    return Status::invalid_argument("key file " + path +
                                    ": private key is readable by group or others; run chmod 600 " +
                                    path);
  GL_ASSIGN_OR_RETURN(std::string pem, read_file(path));
  auto key = from_pem(pem);
  if (!key) return key.error().with_context("key file " + path + ": ");
  return key;
}

std::string PrivateKey::to_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  GL_ASSERT(PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
  return bio_to_string(bio.get());
}

Status PrivateKey::save(const std::string& base) const {
  GL_RETURN_IF_ERROR(write_file(base + ".pem", to_pem(), 0600));
  return write_file(base + ".pub.pem", public_.to_pem(), 0644);
}

Bytes PrivateKey::sign(std::string_view message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  GL_ASSERT(EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) == 1);
  Bytes sig(kEd25519SignatureSize, '\0');
  size_t len = sig.size();
  GL_ASSERT(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                           reinterpret_cast<const unsigned char*>(message.data()),
                           message.size()) == 1);
  GL_ASSERT(len == kEd25519SignatureSize);
  return sig;
}

}  // namespace grantledger
