#include "zone/pkcs11_key.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <openssl/rand.h>
#include <p11-kit/pkcs11.h>

#if defined(__SANITIZE_ADDRESS__)
#define KSKLINE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KSKLINE_LSAN 1
#endif
#endif
#ifdef KSKLINE_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#include "base/atomic_file.hpp"
#include "base/digest.hpp"
#include "zone/algorithm.hpp"
#include "zone/errc.hpp"

namespace kskline::zone {

namespace {

// Calls a function of the module. What the module allocates during the call is
// the module's: LeakSanitizer leaves it out, because SoftHSM2 2.6 keeps a few
// OpenSSL objects past C_Finalize, and a leak report must name kskline's own.
template <class Fn, class... Args>
CK_RV call(Fn fn, Args&&... args) {
#ifdef KSKLINE_LSAN
  __lsan::ScopedDisabler module_allocations;
#endif
  return fn(std::forward<Args>(args)...);
}

// The name of a PKCS#11 return value for messages.
std::string ckr_name(CK_RV rv) {
  switch (rv) {
    case CKR_OK: return "CKR_OK";
    case CKR_GENERAL_ERROR: return "CKR_GENERAL_ERROR";
    case CKR_FUNCTION_FAILED: return "CKR_FUNCTION_FAILED";
    case CKR_ARGUMENTS_BAD: return "CKR_ARGUMENTS_BAD";
    case CKR_ATTRIBUTE_VALUE_INVALID: return "CKR_ATTRIBUTE_VALUE_INVALID";
    case CKR_ATTRIBUTE_TYPE_INVALID: return "CKR_ATTRIBUTE_TYPE_INVALID";
    case CKR_DEVICE_ERROR: return "CKR_DEVICE_ERROR";
    case CKR_DEVICE_REMOVED: return "CKR_DEVICE_REMOVED";
    case CKR_KEY_TYPE_INCONSISTENT: return "CKR_KEY_TYPE_INCONSISTENT";
    case CKR_MECHANISM_INVALID: return "CKR_MECHANISM_INVALID";
    case CKR_MECHANISM_PARAM_INVALID: return "CKR_MECHANISM_PARAM_INVALID";
    case CKR_PIN_INCORRECT: return "CKR_PIN_INCORRECT";
    case CKR_PIN_LOCKED: return "CKR_PIN_LOCKED";
    case CKR_SESSION_CLOSED: return "CKR_SESSION_CLOSED";
    case CKR_SESSION_HANDLE_INVALID: return "CKR_SESSION_HANDLE_INVALID";
    case CKR_TOKEN_NOT_PRESENT: return "CKR_TOKEN_NOT_PRESENT";
    case CKR_TOKEN_NOT_RECOGNIZED: return "CKR_TOKEN_NOT_RECOGNIZED";
    case CKR_USER_NOT_LOGGED_IN: return "CKR_USER_NOT_LOGGED_IN";
    case CKR_USER_PIN_NOT_INITIALIZED: return "CKR_USER_PIN_NOT_INITIALIZED";
    case CKR_TEMPLATE_INCOMPLETE: return "CKR_TEMPLATE_INCOMPLETE";
    case CKR_TEMPLATE_INCONSISTENT: return "CKR_TEMPLATE_INCONSISTENT";
    case CKR_DATA_LEN_RANGE: return "CKR_DATA_LEN_RANGE";
    case CKR_BUFFER_TOO_SMALL: return "CKR_BUFFER_TOO_SMALL";
    case CKR_CRYPTOKI_NOT_INITIALIZED: return "CKR_CRYPTOKI_NOT_INITIALIZED";
    case CKR_OBJECT_HANDLE_INVALID: return "CKR_OBJECT_HANDLE_INVALID";
    case CKR_KEY_HANDLE_INVALID: return "CKR_KEY_HANDLE_INVALID";
    default: break;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "CKR 0x%08lx", static_cast<unsigned long>(rv));
  return buf;
}

bool removed(CK_RV rv) {
  return rv == CKR_DEVICE_REMOVED || rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_SESSION_HANDLE_INVALID ||
         rv == CKR_SESSION_CLOSED;
}

// The error of a failed call `what` of the token `token`.
tl::unexpected<Error> ck_fail(CK_RV rv, const std::string& what, const std::string& token) {
  if (removed(rv)) return fail(errc::token_removed, what + ": " + ckr_name(rv), "token " + token);
  if (rv == CKR_PIN_INCORRECT) return fail(errc::wrong_pin, what + ": " + ckr_name(rv), "token " + token);
  if (rv == CKR_PIN_LOCKED) return fail(errc::pin_locked, what + ": " + ckr_name(rv), "token " + token);
  return fail(errc::pkcs11_failed, what + ": " + ckr_name(rv), "token " + token);
}

// A blank-padded CK_UTF8CHAR field as a string without the padding.
std::string padded(const CK_UTF8CHAR* text, std::size_t size) {
  std::string s(reinterpret_cast<const char*>(text), size);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

// DER of the named curves' OIDs (CKA_EC_PARAMS).
const Bytes kP256 = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
const Bytes kP384 = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
const Bytes kEd25519 = {0x06, 0x03, 0x2b, 0x65, 0x70};
const Bytes kEd25519Name = {0x13, 0x0c, 'e', 'd', 'w', 'a', 'r', 'd', 's', '2', '5', '5', '1', '9'};

// The mechanism a DNSSEC algorithm signs with.
CK_MECHANISM_TYPE sign_mechanism(std::uint8_t algorithm) {
  switch (algorithm) {
    case alg::RSASHA256: return CKM_SHA256_RSA_PKCS;
    case alg::RSASHA512: return CKM_SHA512_RSA_PKCS;
    case alg::ECDSAP256SHA256:
    case alg::ECDSAP384SHA384: return CKM_ECDSA;
    case alg::ED25519: return CKM_EDDSA;
    default: return CKM_VENDOR_DEFINED;
  }
}

Bytes strip_zeros(Bytes b) {
  auto it = std::find_if(b.begin(), b.end(), [](std::uint8_t c) { return c != 0; });
  b.erase(b.begin(), it);
  return b;
}

// The contents of a DER OCTET STRING, or `value` itself when it is not one
// of the expected length (tokens differ in wrapping CKA_EC_POINT).
Bytes unwrap_octet_string(const Bytes& value, std::size_t raw_size) {
  if (value.size() == raw_size) return value;
  if (value.size() >= 2 && value[0] == 0x04) {
    std::size_t len = value[1], at = 2;
    if (len == 0x81 && value.size() >= 3) {
      len = value[2];
      at = 3;
    }
    if (at + len == value.size()) return Bytes(value.begin() + static_cast<std::ptrdiff_t>(at), value.end());
  }
  return {};
}

// "13 (ECDSAP256SHA256)" for messages.
std::string algorithm_label(std::uint8_t number) {
  return std::to_string(number) + " (" + algorithm_to_string(number) + ")";
}

}  // namespace

// A loaded module, initialised once per process while any token of it is open.
struct Pkcs11Token::Module {
  void* handle = nullptr;
  CK_FUNCTION_LIST_PTR f = nullptr;

  ~Module() {
    if (f) call(f->C_Finalize, nullptr);
    if (handle) ::dlclose(handle);
  }

  // The module of `path`, loaded and initialised the first time.
  static Result<std::shared_ptr<Module>> get(const std::string& path) {
    static std::mutex mu;
    static std::map<std::string, std::weak_ptr<Module>> loaded;
    std::lock_guard lock(mu);
    if (auto m = loaded[path].lock()) return m;
    auto m = std::make_shared<Module>();
    m->handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!m->handle) {
      const char* why = ::dlerror();
      return fail(errc::pkcs11_module, why ? why : "dlopen failed", path);
    }
    auto get_list = reinterpret_cast<CK_C_GetFunctionList>(::dlsym(m->handle, "C_GetFunctionList"));
    if (!get_list) return fail(errc::pkcs11_module, "no C_GetFunctionList: not a PKCS#11 module", path);
    CK_FUNCTION_LIST_PTR f = nullptr;
    if (CK_RV rv = get_list(&f); rv != CKR_OK || !f) {
      return fail(errc::pkcs11_module, "C_GetFunctionList: " + ckr_name(rv), path);
    }
    CK_C_INITIALIZE_ARGS args{};
    args.flags = CKF_OS_LOCKING_OK;
    if (CK_RV rv = call(f->C_Initialize, &args); rv != CKR_OK) {
      return fail(errc::pkcs11_module, "C_Initialize: " + ckr_name(rv), path);
    }
    m->f = f;
    loaded[path] = m;
    return m;
  }
};

// An open, logged-in session of one token.
struct Pkcs11Token::Impl {
  std::shared_ptr<Module> module;
  CK_SLOT_ID slot = 0;
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  std::string label;
  std::string module_path;
  std::mutex mu;  // one operation at a time on the session

  ~Impl() {
    if (session != CK_INVALID_HANDLE) {
      call(module->f->C_Logout, session);
      call(module->f->C_CloseSession, session);
    }
  }

  CK_FUNCTION_LIST_PTR f() const { return module->f; }

  // Reads one attribute of an object. An attribute the object lacks gives nullopt.
  Result<std::optional<Bytes>> attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
    CK_ATTRIBUTE a{type, nullptr, 0};
    CK_RV rv = call(f()->C_GetAttributeValue, session, object, &a, 1);
    if (rv == CKR_ATTRIBUTE_TYPE_INVALID || rv == CKR_ATTRIBUTE_SENSITIVE) return std::optional<Bytes>{};
    if (rv != CKR_OK) return ck_fail(rv, "C_GetAttributeValue", label);
    if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION) return std::optional<Bytes>{};
    Bytes value(a.ulValueLen);
    a.pValue = value.data();
    rv = call(f()->C_GetAttributeValue, session, object, &a, 1);
    if (rv != CKR_OK) return ck_fail(rv, "C_GetAttributeValue", label);
    value.resize(a.ulValueLen);
    return std::optional<Bytes>(std::move(value));
  }

  // The objects of class `cls` with label `label` (and id `id` when not empty).
  Result<std::vector<CK_OBJECT_HANDLE>> find(CK_OBJECT_CLASS cls, std::string_view key_label, ByteView id) {
    std::vector<CK_ATTRIBUTE> tmpl;
    tmpl.push_back({CKA_CLASS, &cls, sizeof cls});
    if (!key_label.empty()) {
      tmpl.push_back({CKA_LABEL, const_cast<char*>(key_label.data()), key_label.size()});
    }
    if (!id.empty()) tmpl.push_back({CKA_ID, const_cast<std::uint8_t*>(id.data()), id.size()});
    std::lock_guard lock(mu);
    if (CK_RV rv = call(f()->C_FindObjectsInit, session, tmpl.data(), tmpl.size()); rv != CKR_OK) {
      return ck_fail(rv, "C_FindObjectsInit", label);
    }
    std::vector<CK_OBJECT_HANDLE> out;
    CK_OBJECT_HANDLE found[16];
    CK_ULONG n = 0;
    CK_RV rv;
    while ((rv = call(f()->C_FindObjects, session, found, 16, &n)) == CKR_OK && n > 0) {
      out.insert(out.end(), found, found + n);
      if (out.size() > 64) break;
    }
    call(f()->C_FindObjectsFinal, session);
    if (rv != CKR_OK) return ck_fail(rv, "C_FindObjects", label);
    return out;
  }

  // The error of a failed signing call: token_removed when the slot no
  // longer holds this token (or the session went with it), key_not_found
  // when the token is there but the key is gone, else as ck_fail.
  tl::unexpected<Error> sign_fail(CK_RV rv, const std::string& what) {
    if (removed(rv)) return ck_fail(rv, what, label);
    CK_SLOT_INFO slot_info{};
    CK_TOKEN_INFO info{};
    CK_RV probe = call(f()->C_GetSlotInfo, slot, &slot_info);
    if (probe == CKR_OK && (slot_info.flags & CKF_TOKEN_PRESENT)) probe = call(f()->C_GetTokenInfo, slot, &info);
    else if (probe == CKR_OK) probe = CKR_TOKEN_NOT_PRESENT;
    if (probe != CKR_OK || !(info.flags & CKF_TOKEN_INITIALIZED) || padded(info.label, sizeof info.label) != label) {
      return fail(errc::token_removed, what + ": " + ckr_name(rv) + " and the slot no longer holds the token",
                  "token " + label);
    }
    if (rv == CKR_OBJECT_HANDLE_INVALID || rv == CKR_KEY_HANDLE_INVALID) {
      return fail(errc::key_not_found, what + ": " + ckr_name(rv) + ": the key is no longer in the token",
                  "token " + label);
    }
    return ck_fail(rv, what, label);
  }

  // Whether the token's slot offers `mechanism`.
  bool offers(CK_MECHANISM_TYPE mechanism) {
    CK_MECHANISM_INFO info{};
    return call(f()->C_GetMechanismInfo, slot, mechanism, &info) == CKR_OK;
  }
};

namespace {

// A signing session of a token key: the token's one session, serialised.
class Pkcs11Session final : public KeySession {
 public:
  Pkcs11Session(std::shared_ptr<Pkcs11Token::Impl> token, CK_OBJECT_HANDLE key, std::uint8_t algorithm,
                std::size_t max_out)
      : token_(std::move(token)), key_(key), algorithm_(algorithm), max_out_(max_out) {}

  Result<void> sign(ByteView data, Bytes& out) override {
    Bytes input;
    ByteView message = data;
    if (algorithm_ == alg::ECDSAP256SHA256 || algorithm_ == alg::ECDSAP384SHA384) {
      // CKM_ECDSA signs a digest; its signature is r||s already (PKCS#11 §2.3.1).
      input = base::digest(algorithm_ == alg::ECDSAP256SHA256 ? base::DigestAlgorithm::sha256
                                                               : base::DigestAlgorithm::sha384,
                           data);
      message = input;
    }
    CK_MECHANISM mech{sign_mechanism(algorithm_), nullptr, 0};
    Bytes sig(max_out_);
    CK_ULONG len = sig.size();
    std::lock_guard lock(token_->mu);
    auto f = token_->f();
    if (CK_RV rv = call(f->C_SignInit, token_->session, &mech, key_); rv != CKR_OK) {
      return token_->sign_fail(rv, "C_SignInit");
    }
    if (CK_RV rv = call(f->C_Sign, token_->session, const_cast<std::uint8_t*>(message.data()), message.size(),
                        sig.data(), &len);
        rv != CKR_OK) {
      return token_->sign_fail(rv, "C_Sign");
    }
    sig.resize(len);
    out.insert(out.end(), sig.begin(), sig.end());
    return {};
  }

 private:
  std::shared_ptr<Pkcs11Token::Impl> token_;
  CK_OBJECT_HANDLE key_;
  std::uint8_t algorithm_;
  std::size_t max_out_;
};

// A private key that stays in a token.
class Pkcs11KeyHolder final : public PrivateKeyHolder {
 public:
  Pkcs11KeyHolder(std::shared_ptr<Pkcs11Token::Impl> token, CK_OBJECT_HANDLE key, std::uint8_t algorithm,
                  unsigned bits, Bytes public_field)
      : token_(std::move(token)), key_(key), algorithm_(algorithm), bits_(bits), public_(std::move(public_field)) {}

  std::uint8_t algorithm() const override { return algorithm_; }
  unsigned bits() const override { return bits_; }
  Result<Bytes> public_key_field() const override { return public_; }
  Result<std::unique_ptr<KeySession>> open_session() const override {
    std::size_t max_out = algorithm_ == alg::RSASHA256 || algorithm_ == alg::RSASHA512 ? (bits_ + 7) / 8 + 16 : 128;
    return std::unique_ptr<KeySession>(std::make_unique<Pkcs11Session>(token_, key_, algorithm_, max_out));
  }

 private:
  std::shared_ptr<Pkcs11Token::Impl> token_;
  CK_OBJECT_HANDLE key_;
  std::uint8_t algorithm_;
  unsigned bits_;
  Bytes public_;
};

unsigned bit_length(const Bytes& big_endian) {
  if (big_endian.empty()) return 0;
  unsigned bits = static_cast<unsigned>(big_endian.size() - 1) * 8;
  for (unsigned v = big_endian[0]; v; v >>= 1) ++bits;
  return bits;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes the percent-escapes of a URI attribute value.
std::optional<std::string> unescape(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '%') {
      out += v[i];
      continue;
    }
    if (i + 2 >= v.size()) return std::nullopt;
    int hi = hex_value(v[i + 1]), lo = hex_value(v[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string escape(ByteView v, bool all) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (std::uint8_t c : v) {
    bool plain = !all && (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/');
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

Result<Pkcs11KeyRef> parse_pkcs11_uri(std::string_view uri) {
  const std::string where(uri);
  if (uri.substr(0, 7) != "pkcs11:") return fail(errc::bad_key, "not a pkcs11: URI (RFC 7512)", where);
  std::string_view rest = uri.substr(7);
  std::string_view path = rest, query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    path = rest.substr(0, q);
    query = rest.substr(q + 1);
  }
  Pkcs11KeyRef ref;
  auto each = [&](std::string_view list, char sep) -> Result<void> {
    while (!list.empty()) {
      auto end = list.find(sep);
      std::string_view attr = list.substr(0, end);
      list = end == std::string_view::npos ? std::string_view{} : list.substr(end + 1);
      if (attr.empty()) continue;
      auto eq = attr.find('=');
      if (eq == std::string_view::npos) return fail(errc::bad_key, "attribute without '='", where);
      auto value = unescape(attr.substr(eq + 1));
      if (!value) return fail(errc::bad_key, "malformed percent-escape", where);
      std::string_view name = attr.substr(0, eq);
      if (name == "token") ref.token = *value;
      else if (name == "object") ref.object = *value;
      else if (name == "id") ref.id.assign(value->begin(), value->end());
      else if (name == "module-path") ref.module = *value;
    }
    return {};
  };
  if (auto r = each(path, ';'); !r) return tl::unexpected(r.error());
  if (auto r = each(query, '&'); !r) return tl::unexpected(r.error());
  if (ref.token.empty()) return fail(errc::bad_key, "names no token (token=...)", where);
  if (ref.object.empty()) return fail(errc::bad_key, "names no key (object=...)", where);
  return ref;
}

std::string format_pkcs11_uri(const Pkcs11KeyRef& ref) {
  std::string out = "pkcs11:token=" + escape(as_bytes(ref.token), false) + ";object=" +
                    escape(as_bytes(ref.object), false);
  if (!ref.id.empty()) out += ";id=" + escape(ref.id, true);
  out += ";type=private";
  if (!ref.module.empty()) out += "?module-path=" + escape(as_bytes(ref.module), false);
  return out;
}

Result<base::SecureBuffer> read_pin_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return fail(base::errc::not_found, "no such PIN file", path);
    return base::fail_errno("open", path);
  }
  base::SecureBuffer buf(256);
  std::size_t n = 0;
  while (n < buf.size()) {
    ssize_t got = ::read(fd, buf.bytes().data() + n, buf.size() - n);
    if (got < 0) {
      ::close(fd);
      return base::fail_errno("read", path);
    }
    if (got == 0) break;
    n += static_cast<std::size_t>(got);
  }
  ::close(fd);
  std::size_t len = 0;
  while (len < n && buf.bytes()[len] != '\n' && buf.bytes()[len] != '\r') ++len;
  if (len == 0) return fail(errc::pin_required, "the PIN file is empty", path);
  base::SecureBuffer pin(buf.bytes().first(len));
  return pin;
}

PinSource environment_pin_source() {
  return [](std::string_view token) -> Result<base::SecureBuffer> {
    if (const char* pin = std::getenv("KSKLINE_PKCS11_PIN"); pin && *pin) {
      return base::SecureBuffer(as_bytes(std::string_view(pin)));
    }
    if (const char* file = std::getenv("KSKLINE_PKCS11_PIN_FILE"); file && *file) return read_pin_file(file);
    return fail(errc::pin_required, "set KSKLINE_PKCS11_PIN or KSKLINE_PKCS11_PIN_FILE",
                "token " + std::string(token));
  };
}

Result<std::shared_ptr<Pkcs11Token>> Pkcs11Token::open(const std::string& module, const std::string& token,
                                                       const PinSource& pin) {
  auto m = Module::get(module);
  if (!m) return tl::unexpected(m.error());
  auto f = (*m)->f;
  CK_ULONG count = 0;
  if (CK_RV rv = call(f->C_GetSlotList, CK_TRUE, nullptr, &count); rv != CKR_OK) {
    return ck_fail(rv, "C_GetSlotList", token);
  }
  std::vector<CK_SLOT_ID> slots(count);
  if (CK_RV rv = call(f->C_GetSlotList, CK_TRUE, slots.data(), &count); rv != CKR_OK) {
    return ck_fail(rv, "C_GetSlotList", token);
  }
  slots.resize(count);
  std::optional<CK_SLOT_ID> slot;
  std::vector<std::string> seen;
  for (auto s : slots) {
    CK_TOKEN_INFO info{};
    if (call(f->C_GetTokenInfo, s, &info) != CKR_OK) continue;
    std::string label = padded(info.label, sizeof info.label);
    if (label == token) {
      slot = s;
      break;
    }
    if (info.flags & CKF_TOKEN_INITIALIZED) seen.push_back(label);
  }
  if (!slot) {
    std::string list;
    for (const auto& s : seen) list += (list.empty() ? "" : ", ") + s;
    return fail(errc::token_missing,
                "no slot of " + module + " holds a token labelled '" + token + "'" +
                    (list.empty() ? std::string(" (no token present)") : " (present: " + list + ")"),
                "token " + token);
  }
  auto impl = std::make_shared<Impl>();
  impl->module = *m;
  impl->slot = *slot;
  impl->label = token;
  impl->module_path = module;
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  if (CK_RV rv = call(f->C_OpenSession, *slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &session);
      rv != CKR_OK) {
    return ck_fail(rv, "C_OpenSession", token);
  }
  auto secret = pin(token);
  if (!secret) {
    call(f->C_CloseSession, session);
    return tl::unexpected(secret.error());
  }
  CK_RV rv = call(f->C_Login, session, CKU_USER, secret->bytes().data(), secret->size());
  if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
    call(f->C_CloseSession, session);
    return ck_fail(rv, "C_Login", token);
  }
  impl->session = session;
  std::shared_ptr<Pkcs11Token> t(new Pkcs11Token());
  t->module_ = module;
  t->label_ = token;
  t->impl_ = std::move(impl);
  return t;
}

Pkcs11Token::~Pkcs11Token() = default;

Result<bool> Pkcs11Token::has_key(std::string_view label, ByteView id) {
  auto found = impl_->find(CKO_PRIVATE_KEY, label, id);
  if (!found) return tl::unexpected(found.error());
  return !found->empty();
}

Result<Pkcs11Token::Key> Pkcs11Token::find_key(std::string_view label, ByteView id, std::uint8_t algorithm) {
  const std::string where = "token " + label_ + ", key " + std::string(label);
  auto found = impl_->find(CKO_PRIVATE_KEY, label, id);
  if (!found) return tl::unexpected(found.error());
  if (found->empty()) return fail(errc::key_not_found, "the token holds no private key of that label", where);
  if (found->size() > 1) {
    return fail(errc::bad_key, "the token holds " + std::to_string(found->size()) + " private keys of that label "
                               "(name one by its id)", where);
  }
  CK_OBJECT_HANDLE priv = found->front();
  auto key_id = impl_->attribute(priv, CKA_ID);
  if (!key_id) return tl::unexpected(key_id.error());
  Bytes kid = key_id->value_or(Bytes{});
  auto type_bytes = impl_->attribute(priv, CKA_KEY_TYPE);
  if (!type_bytes) return tl::unexpected(type_bytes.error());
  if (!*type_bytes || (*type_bytes)->size() != sizeof(CK_KEY_TYPE)) {
    return fail(errc::bad_key, "the key has no key type", where);
  }
  CK_KEY_TYPE type;
  std::memcpy(&type, (*type_bytes)->data(), sizeof type);
  // The public key object of the same id (same label when the key has no id).
  auto pubs = kid.empty() ? impl_->find(CKO_PUBLIC_KEY, label, {}) : impl_->find(CKO_PUBLIC_KEY, {}, kid);
  if (!pubs) return tl::unexpected(pubs.error());
  std::optional<CK_OBJECT_HANDLE> pub;
  if (pubs->size() == 1) pub = pubs->front();
  std::uint8_t number = 0;
  unsigned bits = 0;
  Bytes field;
  if (type == CKK_RSA) {
    number = algorithm == 0 ? alg::RSASHA256 : algorithm;
    if (number != alg::RSASHA256 && number != alg::RSASHA512) {
      return fail(errc::bad_key, "an RSA key (algorithm 8 or 10), not one of algorithm " + algorithm_label(algorithm),
                  where);
    }
    auto n = impl_->attribute(pub.value_or(priv), CKA_MODULUS);
    if (!n) return tl::unexpected(n.error());
    auto e = impl_->attribute(pub.value_or(priv), CKA_PUBLIC_EXPONENT);
    if (!e) return tl::unexpected(e.error());
    if (!*n || !*e) return fail(errc::bad_key, "the token gives no RSA public key", where);
    Bytes mod = strip_zeros(**n), exp = strip_zeros(**e);
    if (exp.empty() || exp.size() > 0xffff || mod.empty()) return fail(errc::bad_key, "malformed RSA public key", where);
    if (exp.size() <= 255) {
      field.push_back(static_cast<std::uint8_t>(exp.size()));
    } else {
      field.push_back(0);
      field.push_back(static_cast<std::uint8_t>(exp.size() >> 8));
      field.push_back(static_cast<std::uint8_t>(exp.size()));
    }
    field.insert(field.end(), exp.begin(), exp.end());
    field.insert(field.end(), mod.begin(), mod.end());
    bits = bit_length(mod);
  } else if (type == CKK_EC || type == CKK_EC_EDWARDS) {
    if (!pub) return fail(errc::bad_key, "no single public key object of the key's id in the token", where);
    auto params = impl_->attribute(*pub, CKA_EC_PARAMS);
    if (!params) return tl::unexpected(params.error());
    auto point = impl_->attribute(*pub, CKA_EC_POINT);
    if (!point) return tl::unexpected(point.error());
    if (!*params || !*point) return fail(errc::bad_key, "the token gives no EC public key", where);
    std::size_t raw = 0;
    if (type == CKK_EC && **params == kP256) {
      number = alg::ECDSAP256SHA256;
      raw = 65;
    } else if (type == CKK_EC && **params == kP384) {
      number = alg::ECDSAP384SHA384;
      raw = 97;
    } else if (type == CKK_EC_EDWARDS && (**params == kEd25519 || **params == kEd25519Name)) {
      number = alg::ED25519;
      raw = 32;
    } else {
      return fail(errc::bad_key, "a curve kskline does not sign with", where);
    }
    if (algorithm != 0 && algorithm != number) {
      return fail(errc::bad_key,
                  "a key of algorithm " + algorithm_label(number) + ", not " + algorithm_label(algorithm), where);
    }
    Bytes p = unwrap_octet_string(**point, raw);
    if (p.size() != raw) return fail(errc::bad_key, "malformed CKA_EC_POINT", where);
    if (number == alg::ED25519) {
      field = p;
      bits = 256;
    } else {
      if (p[0] != 0x04) return fail(errc::bad_key, "a compressed EC point", where);
      field.assign(p.begin() + 1, p.end());
      bits = number == alg::ECDSAP256SHA256 ? 256 : 384;
    }
  } else {
    return fail(errc::bad_key, "a key type kskline does not sign with", where);
  }
  if (!impl_->offers(sign_mechanism(number))) {
    return fail(errc::unsupported_algorithm, "the token does not offer the signing mechanism of algorithm " +
                                                 std::to_string(number), where);
  }
  auto key = PrivateKey::from_holder(std::make_shared<const Pkcs11KeyHolder>(impl_, priv, number, bits, field));
  if (!key) return tl::unexpected(key.error().located(where));
  if (auto pk = key->public_key(); !pk) return tl::unexpected(pk.error().located(where));
  Pkcs11KeyRef ref{module_, label_, std::string(label), kid};
  return Key{std::move(*key), std::move(ref)};
}

Result<Pkcs11Token::Key> Pkcs11Token::generate_key(std::string_view label, std::uint8_t algorithm, unsigned bits) {
  const std::string where = "token " + label_ + ", key " + std::string(label);
  CK_MECHANISM_TYPE gen;
  const Bytes* params = nullptr;
  switch (algorithm) {
    case alg::RSASHA256:
    case alg::RSASHA512: gen = CKM_RSA_PKCS_KEY_PAIR_GEN; break;
    case alg::ECDSAP256SHA256: gen = CKM_EC_KEY_PAIR_GEN; params = &kP256; break;
    case alg::ECDSAP384SHA384: gen = CKM_EC_KEY_PAIR_GEN; params = &kP384; break;
    case alg::ED25519: gen = CKM_EC_EDWARDS_KEY_PAIR_GEN; params = &kEd25519Name; break;
    default: return fail(errc::unsupported_algorithm, "no token keys of algorithm " + std::to_string(algorithm), where);
  }
  if (bits == 0) bits = 2048;
  if (gen == CKM_RSA_PKCS_KEY_PAIR_GEN && (bits < 1024 || bits > 4096)) {
    return fail(errc::bad_key, "RSA modulus of " + std::to_string(bits) + " bits (1024..4096)", where);
  }
  if (!impl_->offers(gen) || !impl_->offers(sign_mechanism(algorithm))) {
    return fail(errc::unsupported_algorithm,
                "the token does not offer the mechanisms of algorithm " + std::to_string(algorithm), where);
  }
  std::uint8_t id[16];
  if (RAND_bytes(id, sizeof id) != 1) return fail(errc::crypto_failed, "no random id", where);
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  CK_ULONG modulus_bits = bits;
  std::uint8_t exponent[] = {0x01, 0x00, 0x01};
  std::string lbl(label);
  std::vector<CK_ATTRIBUTE> pub = {
      {CKA_TOKEN, &yes, sizeof yes},
      {CKA_VERIFY, &yes, sizeof yes},
      {CKA_LABEL, lbl.data(), lbl.size()},
      {CKA_ID, id, sizeof id},
  };
  if (gen == CKM_RSA_PKCS_KEY_PAIR_GEN) {
    pub.push_back({CKA_MODULUS_BITS, &modulus_bits, sizeof modulus_bits});
    pub.push_back({CKA_PUBLIC_EXPONENT, exponent, sizeof exponent});
  } else {
    pub.push_back({CKA_EC_PARAMS, const_cast<std::uint8_t*>(params->data()), params->size()});
  }
  std::vector<CK_ATTRIBUTE> priv = {
      {CKA_TOKEN, &yes, sizeof yes},       {CKA_PRIVATE, &yes, sizeof yes},
      {CKA_SENSITIVE, &yes, sizeof yes},   {CKA_EXTRACTABLE, &no, sizeof no},
      {CKA_SIGN, &yes, sizeof yes},        {CKA_LABEL, lbl.data(), lbl.size()},
      {CKA_ID, id, sizeof id},
  };
  CK_MECHANISM mech{gen, nullptr, 0};
  CK_OBJECT_HANDLE hpub = CK_INVALID_HANDLE, hpriv = CK_INVALID_HANDLE;
  {
    std::lock_guard lock(impl_->mu);
    CK_RV rv = call(impl_->f()->C_GenerateKeyPair, impl_->session, &mech, pub.data(), pub.size(), priv.data(),
                    priv.size(), &hpub, &hpriv);
    if (rv != CKR_OK) return ck_fail(rv, "C_GenerateKeyPair", label_);
  }
  return find_key(label, ByteView(id, sizeof id), algorithm);
}

Result<std::shared_ptr<Pkcs11Token>> Pkcs11Tokens::get(const std::string& module, const std::string& token) {
  auto key = std::make_pair(module, token);
  if (auto it = open_.find(key); it != open_.end()) return it->second;
  auto t = Pkcs11Token::open(module, token, pin_);
  if (!t) return tl::unexpected(t.error());
  open_.emplace(key, *t);
  return *t;
}

Result<std::string> write_pkcs11_key_pair(const std::string& dir, const KeyPair& pair, const Pkcs11KeyRef& ref,
                                          const KeyTimes& times) {
  auto base = key_basename(pair.owner, pair.algorithm(), pair.key_tag);
  if (!base) return tl::unexpected(base.error());
  std::string prefix = dir.empty() ? std::string(".") : dir;
  if (prefix.back() != '/') prefix += '/';
  std::string uri_path = prefix + *base + std::string(kPkcs11KeySuffix), key_path = prefix + *base + ".key";
  if (::access(key_path.c_str(), F_OK) == 0) {
    return fail(base::errc::io_error, "refusing to overwrite an existing key file", key_path);
  }
  // The URI on the first line, then the key's timing lines as a .private file has them.
  std::string uri = format_pkcs11_uri(ref) + "\n" + format_key_times_text(times);
  if (auto r = base::create_file_atomic(uri_path, as_bytes(uri), 0644); !r) return tl::unexpected(r.error());
  std::string pub = format_public_key_text(pair, times);
  if (auto r = base::create_file_atomic(key_path, as_bytes(pub), 0644); !r) {
    ::unlink(uri_path.c_str());  // ours, created just above
    return tl::unexpected(r.error());
  }
  return *base;
}

Result<KeyTimes> read_pkcs11_key_times(const std::string& path) {
  auto text = base::read_file(path, 1 << 16);
  if (!text) return tl::unexpected(text.error());
  return parse_key_times_text(*text, path);
}

Result<KeyPair> read_pkcs11_key_pair(const std::string& path, Pkcs11Tokens& tokens) {
  std::string base = path;
  for (std::string_view ext : {std::string_view(kPkcs11KeySuffix), std::string_view(".key")}) {
    if (base.size() > ext.size() && base.compare(base.size() - ext.size(), ext.size(), ext) == 0) {
      base.resize(base.size() - ext.size());
      break;
    }
  }
  const std::string uri_path = base + std::string(kPkcs11KeySuffix);
  auto text = base::read_file(uri_path, 1 << 16);
  if (!text) return tl::unexpected(text.error());
  std::string line = text->substr(0, text->find('\n'));
  auto ref = parse_pkcs11_uri(line);
  if (!ref) return tl::unexpected(ref.error().located(uri_path));
  if (ref->module.empty()) return fail(errc::bad_key, "the URI names no module (module-path=...)", uri_path);
  auto pub = read_public_key_file(base + ".key");
  if (!pub) return tl::unexpected(pub.error());
  auto dnskey = parse_dnskey(pub->rdata);
  if (!dnskey) return tl::unexpected(dnskey.error().located(base + ".key"));
  auto token = tokens.get(ref->module, ref->token);
  if (!token) return tl::unexpected(token.error());
  auto key = (*token)->find_key(ref->object, ref->id, dnskey->algorithm);
  if (!key) return tl::unexpected(key.error());
  auto field = key->key.public_key_field();
  if (!field) return tl::unexpected(field.error());
  if (!std::equal(field->begin(), field->end(), dnskey->public_key.begin(), dnskey->public_key.end())) {
    return fail(errc::bad_key, "the token's key is not the DNSKEY of " + base + ".key", uri_path);
  }
  return make_key_pair(pub->owner, dnskey->flags, std::move(key->key), pub->ttl);
}

const char* pkcs11_errc_name(std::error_code code) noexcept {
  if (code.category() != category()) return nullptr;
  switch (static_cast<errc>(code.value())) {
    case errc::pkcs11_module: return "pkcs11_module";
    case errc::token_missing: return "token_missing";
    case errc::wrong_pin: return "wrong_pin";
    case errc::pin_locked: return "pin_locked";
    case errc::pin_required: return "pin_required";
    case errc::key_not_found: return "key_not_found";
    case errc::token_removed: return "token_removed";
    case errc::pkcs11_failed: return "pkcs11_failed";
    default: return nullptr;
  }
}

}  // namespace kskline::zone
