// kskline-zonegen: writes a deterministic, realistic zone file for benchmarks.
//
// The zone has an exact number of records and of distinct owner names, so a
// checker's summary can be compared with what was generated. It is valid for
// named-checkzone (-i local), kzonecheck and ldns-read-zone. It uses no project
// library on purpose: a benchmark's input must not depend on the code under test.
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

// ---------------------------------------------------------------------------
// Deterministic randomness (splitmix64): the same seed gives the same file on
// every platform and standard library.

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0.
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  // True with probability percent/100.
  bool chance(double percent) { return static_cast<double>(next() >> 11) * 0x1.0p-53 * 100.0 < percent; }
  template <class T>
  const T& pick(const std::vector<T>& v) { return v[below(v.size())]; }

 private:
  std::uint64_t state_;
};

// ---------------------------------------------------------------------------
// Options.

// Weights of the RR types given to ordinary host names.
struct Mix {
  double a = 45, aaaa = 20, txt = 15, mx = 10, caa = 3;
  double total() const { return a + aaaa + txt + mx + caa; }
};

struct Options {
  std::string origin = "example.com.";
  std::uint64_t records = 0;
  std::uint64_t names = 0;  // 0: two thirds of records
  std::uint64_t seed = 1;
  double delegations = 5;   // % of name slots that are delegation points
  double ds = 50;           // % of delegations with DS records
  double glue = 60;         // % of delegations with in-bailiwick servers (glue)
  double cname = 10;        // % of name slots that are CNAMEs
  double srv = 3;           // % of name slots that are _service._proto SRV names
  double txtonly = 4;       // % of name slots with TXT only (_dmarc, DKIM, odd labels)
  double wildcard = 0.2;    // % of name slots that are wildcards
  double mixed_case = 5;    // % of owners written with upper-case letters
  double relative = 70;     // % of owners written relative to $ORIGIN
  double blank_owner = 80;  // % of further records at a name written with a blank owner
  double explicit_ttl = 15; // % of RRsets with their own TTL
  double long_txt = 5;      // % of TXT records that are long (split strings)
  double parens = 3;        // % of long TXT and DS records spread over lines in ( )
  Mix mix;
  bool plain = false;       // one record a line, absolute owners, TTL and class on each
  std::string output;
};

[[noreturn]] void usage(int code) {
  std::FILE* f = code == 0 ? stdout : stderr;
  std::fprintf(f,
               "usage: kskline-zonegen --records N -o FILE [options]\n"
               "  --origin Z               zone name (default example.com.)\n"
               "  --records N              exact number of records (>= 4)\n"
               "  --names M                exact number of distinct owner names (default 2N/3)\n"
               "  --seed S                 random seed (default 1)\n"
               "  --delegations-percent P  name slots that are delegations: NS, glue, DS (default 5)\n"
               "  --ds-percent P           delegations that have DS records (default 50)\n"
               "  --glue-percent P         delegations whose servers are inside them, with glue (default 60)\n"
               "  --cname-percent P        name slots that are CNAMEs (default 10)\n"
               "  --srv-percent P          name slots that are _service._tcp SRV names (default 3)\n"
               "  --txt-only-percent P     name slots with TXT only: _dmarc, DKIM, escaped labels (default 4)\n"
               "  --wildcard-percent P     name slots that are wildcards (default 0.2)\n"
               "  --mix a=45,aaaa=20,txt=15,mx=10,caa=3   type weights at host names\n"
               "  --mixed-case-percent P   owners with upper-case letters (default 5)\n"
               "  --relative-percent P     owners written relative (default 70)\n"
               "  --blank-owner-percent P  further records at a name with a blank owner (default 80)\n"
               "  --explicit-ttl-percent P RRsets with their own TTL (default 15)\n"
               "  --long-txt-percent P     long TXT records of several strings (default 5)\n"
               "  --parens-percent P       long TXT and DS records written over lines in ( ) (default 3)\n"
               "  --plain                  one record a line, absolute owner, TTL and class\n"
               "  -o, --output FILE        where to write ('-' for standard output)\n"
               "Writes the counts (names, RRsets, records) to standard error.\n");
  std::exit(code);
}

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "kskline-zonegen: %s\n", message.c_str());
  std::exit(2);
}

std::uint64_t to_count(const std::string& flag, const char* text) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-') die(flag + ": not a count: " + text);
  return v;
}

double to_percent(const std::string& flag, const char* text) {
  char* end = nullptr;
  double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(v >= 0 && v <= 100)) die(flag + ": not a percentage 0..100: " + text);
  return v;
}

void parse_mix(const std::string& text, Mix& mix) {
  Mix m{0, 0, 0, 0, 0};
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(pos, comma - pos);
    std::size_t eq = item.find('=');
    if (eq == std::string::npos) die("--mix: expected type=weight, got '" + item + "'");
    std::string key = item.substr(0, eq);
    char* end = nullptr;
    double w = std::strtod(item.c_str() + eq + 1, &end);
    if (*end != '\0' || !(w >= 0)) die("--mix: bad weight in '" + item + "'");
    if (key == "a") m.a = w;
    else if (key == "aaaa") m.aaaa = w;
    else if (key == "txt") m.txt = w;
    else if (key == "mx") m.mx = w;
    else if (key == "caa") m.caa = w;
    else die("--mix: unknown type '" + key + "' (a, aaaa, txt, mx, caa)");
    pos = comma + 1;
  }
  if (m.total() <= 0) die("--mix: all weights are zero");
  mix = m;
}

Options parse_args(int argc, char** argv) {
  Options o;
  bool have_records = false;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "-h" || flag == "--help") usage(0);
    if (flag == "--plain") {
      o.plain = true;
      continue;
    }
    if (i + 1 >= argc) die(flag + " needs a value (see --help)");
    const char* v = argv[++i];
    if (flag == "--origin") o.origin = v;
    else if (flag == "--records") o.records = to_count(flag, v), have_records = true;
    else if (flag == "--names") o.names = to_count(flag, v);
    else if (flag == "--seed") o.seed = to_count(flag, v);
    else if (flag == "--delegations-percent") o.delegations = to_percent(flag, v);
    else if (flag == "--ds-percent") o.ds = to_percent(flag, v);
    else if (flag == "--glue-percent") o.glue = to_percent(flag, v);
    else if (flag == "--cname-percent") o.cname = to_percent(flag, v);
    else if (flag == "--srv-percent") o.srv = to_percent(flag, v);
    else if (flag == "--txt-only-percent") o.txtonly = to_percent(flag, v);
    else if (flag == "--wildcard-percent") o.wildcard = to_percent(flag, v);
    else if (flag == "--mix") parse_mix(v, o.mix);
    else if (flag == "--mixed-case-percent") o.mixed_case = to_percent(flag, v);
    else if (flag == "--relative-percent") o.relative = to_percent(flag, v);
    else if (flag == "--blank-owner-percent") o.blank_owner = to_percent(flag, v);
    else if (flag == "--explicit-ttl-percent") o.explicit_ttl = to_percent(flag, v);
    else if (flag == "--long-txt-percent") o.long_txt = to_percent(flag, v);
    else if (flag == "--parens-percent") o.parens = to_percent(flag, v);
    else if (flag == "-o" || flag == "--output") o.output = v;
    else die("unknown option " + flag + " (see --help)");
  }
  if (!have_records) die("--records is required (see --help)");
  if (o.output.empty()) die("-o FILE is required (see --help)");
  if (o.records < 4) die("--records must be at least 4 (SOA, two apex NS, glue A)");
  if (o.names == 0) o.names = std::max<std::uint64_t>(2, o.records * 2 / 3);
  if (o.names < 2) die("--names must be at least 2 (the apex and its name server)");
  if (o.names > o.records - 2) die("--names must be at most --records minus 2 (the apex has three records)");
  double slots = o.delegations + o.cname + o.srv + o.txtonly + o.wildcard;
  if (slots > 100) die("the name-slot percentages add up to more than 100");
  if (o.origin.empty() || o.origin.back() != '.') o.origin += '.';
  if (o.origin.size() > 200) die("--origin is too long for the names made below it");
  return o;
}

// ---------------------------------------------------------------------------
// The plan: every name with its kind and record count, decided before any
// text is written so that the totals come out exact.

enum class Kind : std::uint8_t { host, wildcard, srv, txtonly, cname, delegation };

struct Slot {
  Kind kind;
  std::uint32_t records;      // for delegations: NS + DS + glue records
  std::uint8_t ns = 0;        // delegation: NS records
  std::uint8_t ds = 0;        // delegation: DS records
  std::uint8_t glue = 0;      // delegation: in-bailiwick servers (each a name with A)
  std::uint8_t glue_aaaa = 0; // delegation: bit i set when server i also has AAAA
};

struct Plan {
  std::vector<Slot> slots;
  std::uint64_t names = 0;
};

Plan make_plan(const Options& o, Rng& rng) {
  Plan plan;
  const std::uint64_t apex_names = 2, apex_records = 4;  // SOA, NS x2 | ns1 A
  std::uint64_t names_left = o.names - apex_names;
  std::uint64_t fixed = 0, variable = 0;
  while (names_left > 0) {
    double r = static_cast<double>(rng.next() >> 11) * 0x1.0p-53 * 100.0;
    Slot s{Kind::host, 0};
    if ((r -= o.delegations) < 0) {
      s.kind = Kind::delegation;
      s.ns = rng.chance(10) ? 3 : 2;
      s.glue = (names_left >= 3 && rng.chance(o.glue)) ? 2 : 0;
      for (int g = 0; g < s.glue; ++g) {
        if (rng.chance(50)) s.glue_aaaa |= static_cast<std::uint8_t>(1u << g);
      }
      s.ds = rng.chance(o.ds) ? (rng.chance(20) ? 2 : 1) : 0;
      s.records = s.ns + s.ds + s.glue + static_cast<std::uint32_t>(__builtin_popcount(s.glue_aaaa));
      fixed += s.records;
      names_left -= 1 + s.glue;
      plan.slots.push_back(s);
      continue;
    }
    if ((r -= o.cname) < 0) {
      s.kind = Kind::cname;
      s.records = 1;
      ++fixed;
      --names_left;
      plan.slots.push_back(s);
      continue;
    }
    if ((r -= o.srv) < 0) s.kind = Kind::srv;
    else if ((r -= o.txtonly) < 0) s.kind = Kind::txtonly;
    else if ((r -= o.wildcard) < 0) s.kind = Kind::wildcard;
    s.records = 1;
    ++variable;
    --names_left;
    plan.slots.push_back(s);
  }
  std::uint64_t budget = o.records - apex_records;
  if (fixed + variable > budget) {
    die("cannot fit " + std::to_string(o.names) + " names into " + std::to_string(o.records) +
        " records with these percentages: delegations and CNAMEs alone need " + std::to_string(fixed) +
        " records and the other " + std::to_string(variable) +
        " names one each; give more --records, fewer --names or a lower --delegations-percent");
  }
  if (variable == 0 && fixed < budget) {
    die("every name is a CNAME or a delegation, so the extra records have nowhere to go; "
        "lower --cname-percent or --delegations-percent");
  }
  // The records left over go one by one to names with a variable count.
  std::vector<std::uint32_t> var_index;
  var_index.reserve(variable);
  for (std::uint32_t i = 0; i < plan.slots.size(); ++i) {
    if (plan.slots[i].kind != Kind::cname && plan.slots[i].kind != Kind::delegation) var_index.push_back(i);
  }
  for (std::uint64_t extra = budget - fixed - variable; extra > 0; --extra) {
    ++plan.slots[var_index[rng.below(var_index.size())]].records;
  }
  plan.names = o.names;
  return plan;
}

// ---------------------------------------------------------------------------
// Writing.

constexpr const char* kWords[] = {"www",  "mail", "api",   "app",  "cdn",   "vpn",  "dev",  "test", "shop",
                                  "blog", "git",  "admin", "m",    "ftp",   "smtp", "imap", "web",  "static",
                                  "img",  "db",   "auth",  "sso",  "portal", "news", "cloud", "host", "node"};
constexpr std::size_t kWordCount = sizeof(kWords) / sizeof(kWords[0]);

constexpr const char* kTtls[] = {"300", "600", "1800", "86400", "1h", "1D", "2h30m", "60"};
constexpr std::uint32_t kTtlValues[] = {300, 600, 1800, 86400, 3600, 86400, 9000, 60};

class Writer {
 public:
  Writer(const Options& o, Rng& rng) : o_(o), rng_(rng) {}

  std::string& out() { return out_; }
  std::uint64_t records() const { return records_; }
  std::uint64_t rrsets() const { return rrsets_; }

  void header();
  void slot(const Slot& s, std::uint64_t index);

 private:
  // Starts a record: owner (or blank), TTL/class field, type.
  void begin_record(const std::string& owner_text, bool first_at_name, const char* type);
  // The owner of a new name as written: relative or absolute, case changed or not.
  std::string owner_text(const std::string& rel);
  std::string absolute(const std::string& rel) const {
    return o_.origin == "." ? rel + "." : rel + "." + o_.origin;
  }
  // A name used in RDATA, relative to the origin or absolute.
  std::string target(const std::string& rel) {
    return (!o_.plain && rng_.chance(50)) ? rel : absolute(rel);
  }
  void new_rrset() {
    ++rrsets_;
    ttl_ = -1;
    if (rng_.chance(o_.explicit_ttl)) ttl_ = static_cast<int>(rng_.below(std::size(kTtls)));
  }
  void a_rdata() {
    std::uint32_t v = 0x0a000000u + (addr_++ & 0x00ffffffu);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255);
    out_ += buf;
  }
  void aaaa_rdata() {
    std::uint64_t v = addr6_++;
    char buf[64];
    switch (v % 3) {
      case 0:
        std::snprintf(buf, sizeof buf, "2001:db8::%x:%x", static_cast<unsigned>((v >> 16) & 0xffff),
                      static_cast<unsigned>(v & 0xffff));
        break;
      case 1:
        std::snprintf(buf, sizeof buf, "2001:db8:%x:%x::1", static_cast<unsigned>((v >> 16) & 0xffff),
                      static_cast<unsigned>(v & 0xffff));
        break;
      default:
        std::snprintf(buf, sizeof buf, "2001:0db8:0:0:%x:%x:0:53", static_cast<unsigned>((v >> 16) & 0xffff),
                      static_cast<unsigned>(v & 0xffff));
    }
    out_ += buf;
  }
  void txt_rdata(std::uint64_t n);
  void hex(std::size_t bytes, bool split);
  void host_records(const std::string& owner, std::uint32_t count, bool is_wildcard, std::uint64_t n);

  const Options& o_;
  Rng& rng_;
  std::string out_;
  std::uint64_t records_ = 0, rrsets_ = 0;
  std::uint64_t addr_ = 0, addr6_ = 0, serial_ = 0;
  int ttl_ = -1;  // index into kTtls for the current RRset, -1 for $TTL
  std::vector<std::string> address_hosts_;  // names with A/AAAA: MX, SRV and CNAME targets
};

void Writer::header() {
  out_ += "; Generated by kskline-zonegen (seed " + std::to_string(o_.seed) + "): " +
          std::to_string(o_.names) + " names, " + std::to_string(o_.records) + " records\n";
  out_ += "$ORIGIN " + o_.origin + "\n$TTL 3600\n";
  ++rrsets_;
  if (o_.plain) {
    out_ += o_.origin + "\t3600\tIN\tSOA\t" + absolute("ns1") + " " + absolute("hostmaster") +
            " 2024010101 7200 3600 1209600 3600\n";
  } else {
    out_ += "@\tIN\tSOA\tns1 hostmaster (\n"
            "\t\t\t2024010101 ; serial\n"
            "\t\t\t2h         ; refresh\n"
            "\t\t\t3600       ; retry\n"
            "\t\t\t2w         ; expire\n"
            "\t\t\t3600 )     ; negative caching TTL\n";
  }
  ++rrsets_;
  if (o_.plain) {
    out_ += o_.origin + "\t3600\tIN\tNS\t" + absolute("ns1") + "\n";
    out_ += o_.origin + "\t3600\tIN\tNS\tns2.dns-provider.net.\n";
  } else {
    out_ += "\t\tIN\tNS\tns1\n\t\tIN\tNS\tns2.dns-provider.net.\n";
  }
  ++rrsets_;
  out_ += o_.plain ? absolute("ns1") + "\t3600\tIN\tA\t192.0.2.53\n" : "ns1\t\tA\t192.0.2.53\n";
  records_ += 4;
  address_hosts_.push_back("ns1");
}

std::string Writer::owner_text(const std::string& rel) {
  std::string text = (o_.plain || !rng_.chance(o_.relative)) ? absolute(rel) : rel;
  if (!o_.plain && rng_.chance(o_.mixed_case)) {
    bool all = rng_.chance(50);
    bool start = true;
    for (char& c : text) {
      if (c >= 'a' && c <= 'z' && (all || start)) c = static_cast<char>(c - 32);
      start = c == '.';
    }
  }
  return text;
}

void Writer::begin_record(const std::string& owner, bool first_at_name, const char* type) {
  ++records_;
  if (o_.plain) {
    out_ += owner;
    out_ += '\t';
    out_ += std::to_string(ttl_ < 0 ? 3600 : kTtlValues[ttl_]);
    out_ += "\tIN\t";
    out_ += type;
    out_ += '\t';
    return;
  }
  if (first_at_name || !rng_.chance(o_.blank_owner)) out_ += owner;
  out_ += '\t';
  // [TTL] [class]. RFC 1035 also allows [class] [TTL], but ldns-read-zone
  // 1.8.3 rejects that order ("could not parse the RR's rdata").
  bool cls = rng_.chance(40);
  if (ttl_ >= 0) {
    out_ += kTtls[ttl_];
    if (cls) out_ += " IN";
  } else if (cls) {
    out_ += "IN";
  }
  out_ += '\t';
  out_ += type;
  out_ += '\t';
}

void Writer::hex(std::size_t bytes, bool split) {
  static const char digits[] = "0123456789ABCDEF";
  for (std::size_t i = 0; i < bytes; ++i) {
    if (split && i > 0 && i % 16 == 0) out_ += "\n\t\t\t";
    std::uint8_t b = static_cast<std::uint8_t>(rng_.next());
    out_ += digits[b >> 4];
    out_ += digits[b & 15];
  }
}

void Writer::txt_rdata(std::uint64_t n) {
  std::string id = std::to_string(n);
  std::uint64_t style = rng_.below(100);
  if (rng_.chance(o_.long_txt)) {
    // DKIM-like: a key longer than 255 octets, in several strings.
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string key;
    for (int i = 0; i < 392; ++i) key += b64[rng_.below(64)];
    bool parens = !o_.plain && rng_.chance(o_.parens);
    if (parens) out_ += "( ";
    out_ += "\"v=DKIM1; k=rsa; t=s; n=" + id + "; p=" + key.substr(0, 200) + "\"";
    out_ += parens ? "\n\t\t\t\"" : " \"";
    out_ += key.substr(200) + "\"";
    if (parens) out_ += " ) ; a long key";
    return;
  }
  if (style < 40) {
    out_ += "\"v=spf1 ip4:198.51.100.0/24 include:_spf.mail-provider.net id" + id + " ~all\"";
  } else if (style < 55) {
    out_ += "google-site-verification=" + id + "x";  // unquoted
  } else if (style < 65) {
    out_ += "\"say \\\"hello\\\" to " + id + "\"";  // escaped quotes
  } else if (style < 72) {
    out_ += "\"semicolon; inside (parens) and \\\\backslash " + id + "\"";
  } else if (style < 80) {
    out_ += "\"caf\\195\\169 \\009tab " + id + "\"";  // \DDD escapes
  } else if (style < 88) {
    out_ += "two words" + id;  // two strings, unquoted
  } else {
    out_ += "\"part one " + id + "\" \"part two\" \"\"";  // an empty string too
  }
}

void Writer::host_records(const std::string& rel, std::uint32_t count, bool is_wildcard, std::uint64_t n) {
  // Choose each record's type, then write them RRset by RRset.
  std::uint32_t per[5] = {0, 0, 0, 0, 0};  // A, AAAA, TXT, MX, CAA
  const Mix& m = o_.mix;
  double total = m.total();
  for (std::uint32_t i = 0; i < count; ++i) {
    double r = static_cast<double>(rng_.next() >> 11) * 0x1.0p-53 * total;
    int t = (r -= m.a) < 0 ? 0 : (r -= m.aaaa) < 0 ? 1 : (r -= m.txt) < 0 ? 2 : (r -= m.mx) < 0 ? 3 : 4;
    ++per[t];
  }
  std::string owner = owner_text(rel);
  bool first = true;
  static const char* names[] = {"A", "AAAA", "TXT", "MX", "CAA"};
  for (int t = 0; t < 5; ++t) {
    if (per[t] == 0) continue;
    new_rrset();
    for (std::uint32_t j = 0; j < per[t]; ++j) {
      begin_record(owner, first, names[t]);
      first = false;
      switch (t) {
        case 0: a_rdata(); break;
        case 1: aaaa_rdata(); break;
        case 2: txt_rdata(serial_++); break;
        case 3:
          // Distinct preferences, or distinct targets in huge RRsets: no duplicates.
          out_ += std::to_string(j < 6000 ? 10 * (j + 1) : j % 65536) + " ";
          if (j < 6000 && address_hosts_.size() > 1 && rng_.chance(60)) out_ += target(rng_.pick(address_hosts_));
          else out_ += "mx" + std::to_string(j) + ".mail-provider.net.";
          break;
        case 4: {
          std::uint64_t c = serial_++;
          std::uint64_t k = rng_.below(10);
          if (k < 6) out_ += "0 issue \"ca" + std::to_string(c) + ".example.net\"";
          else if (k < 8) out_ += "0 issuewild \"ca" + std::to_string(c) + ".example.net; account=" + std::to_string(n) + "\"";
          else out_ += "128 iodef \"mailto:security" + std::to_string(c) + "@example.org\"";
          break;
        }
      }
      if (!o_.plain && rng_.chance(2)) out_ += "\t; comment";
      out_ += '\n';
    }
  }
  if (!is_wildcard && (per[0] > 0 || per[1] > 0) && address_hosts_.size() < 100000) {
    address_hosts_.push_back(rel);
  } else if (!is_wildcard && (per[0] > 0 || per[1] > 0)) {
    address_hosts_[rng_.below(address_hosts_.size())] = rel;
  }
}

void Writer::slot(const Slot& s, std::uint64_t index) {
  std::string label = std::string(kWords[rng_.below(kWordCount)]) + std::to_string(index);
  if (!o_.plain && rng_.chance(10)) label = std::string(kWords[rng_.below(kWordCount)]) + "." + label;
  switch (s.kind) {
    case Kind::host:
      host_records(label, s.records, false, index);
      break;
    case Kind::wildcard:
      host_records("*." + label, s.records, true, index);
      break;
    case Kind::srv: {
      static const char* services[] = {"_sip._tcp.", "_xmpp-server._tcp.", "_ldap._tcp.", "_imaps._tcp.", "_sip._udp."};
      std::string owner = owner_text(services[rng_.below(5)] + label);
      new_rrset();
      for (std::uint32_t j = 0; j < s.records; ++j) {
        begin_record(owner, j == 0, "SRV");
        out_ += std::to_string(rng_.below(3) * 10) + " " + std::to_string(rng_.below(100)) + " " +
                std::to_string(1024 + j % 64000) + " ";
        if (j < 64000 && address_hosts_.size() > 1 && rng_.chance(70)) out_ += target(rng_.pick(address_hosts_));
        else out_ += "sip" + std::to_string(j / 64000) + ".voip-provider.net.";
        out_ += '\n';
      }
      break;
    }
    case Kind::txtonly: {
      std::uint64_t k = rng_.below(10);
      std::string rel = k < 5 ? "_dmarc." + label
                        : k < 8 ? "s" + std::to_string(k) + "._domainkey." + label
                        : k < 9 ? "odd\\.dot-" + label  // a label with a dot in it
                                : "\\@at\\032space-" + label;
      std::string owner = owner_text(rel);
      new_rrset();
      for (std::uint32_t j = 0; j < s.records; ++j) {
        begin_record(owner, j == 0, "TXT");
        if (k < 5 && j == 0) out_ += "\"v=DMARC1; p=reject; rua=mailto:dmarc@" + absolute(label) + "\"";
        else txt_rdata(serial_++);
        out_ += '\n';
      }
      break;
    }
    case Kind::cname: {
      std::string owner = owner_text(label);
      new_rrset();
      begin_record(owner, true, "CNAME");
      if (rng_.chance(70)) out_ += target(rng_.pick(address_hosts_));
      else out_ += "edge" + std::to_string(index % 997) + ".cdn-provider.net.";
      out_ += '\n';
      break;
    }
    case Kind::delegation: {
      std::string owner = owner_text(label);
      new_rrset();
      int provider = static_cast<int>(rng_.below(50));
      for (int j = 0; j < s.ns; ++j) {
        begin_record(owner, j == 0, "NS");
        if (j < s.glue) out_ += target("ns" + std::to_string(j + 1) + "." + label);
        else out_ += "ns" + std::to_string(j + 1) + ".dns" + std::to_string(provider) + ".net.";
        out_ += '\n';
      }
      if (s.ds > 0) {
        new_rrset();
        for (int j = 0; j < s.ds; ++j) {
          begin_record(owner, false, "DS");
          bool sha384 = j == 1;
          bool parens = !o_.plain && rng_.chance(o_.parens);
          out_ += std::to_string(rng_.below(65536)) + (rng_.chance(70) ? " 13 " : " 8 ") + (sha384 ? "4 " : "2 ");
          if (parens) out_ += "(\n\t\t\t";
          hex(sha384 ? 48 : 32, parens);
          if (parens) out_ += " )";
          out_ += '\n';
        }
      }
      // Glue: the in-bailiwick servers, each a name of its own below the cut.
      for (int g = 0; g < s.glue; ++g) {
        std::string glue_owner = owner_text("ns" + std::to_string(g + 1) + "." + label);
        new_rrset();
        begin_record(glue_owner, true, "A");
        a_rdata();
        out_ += '\n';
        if (s.glue_aaaa & (1u << g)) {
          new_rrset();
          begin_record(glue_owner, false, "AAAA");
          aaaa_rdata();
          out_ += '\n';
        }
      }
      break;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_args(argc, argv);
  Rng rng(o.seed);
  Plan plan = make_plan(o, rng);

  std::FILE* f = stdout;
  std::string tmp;
  if (o.output != "-") {
    tmp = o.output + ".tmp";
    f = std::fopen(tmp.c_str(), "wb");
    if (f == nullptr) die("cannot write " + tmp + ": " + std::strerror(errno));
  }
  Writer w(o, rng);
  w.out().reserve(1 << 22);
  w.header();
  for (std::size_t i = 0; i < plan.slots.size(); ++i) {
    w.slot(plan.slots[i], i);
    if (w.out().size() >= (1u << 22)) {
      if (std::fwrite(w.out().data(), 1, w.out().size(), f) != w.out().size()) die("write failed");
      w.out().clear();
    }
  }
  if (std::fwrite(w.out().data(), 1, w.out().size(), f) != w.out().size()) die("write failed");
  if (f != stdout) {
    if (std::fclose(f) != 0) die("cannot write " + tmp + ": " + std::strerror(errno));
    if (std::rename(tmp.c_str(), o.output.c_str()) != 0) die("cannot rename " + tmp + ": " + std::strerror(errno));
  } else if (std::fflush(f) != 0) {
    die("write failed");
  }
  if (w.records() != o.records) die("internal error: wrote " + std::to_string(w.records()) + " records");
  std::fprintf(stderr, "%s: %s: %llu names, %llu RRsets, %llu records\n", o.output.c_str(), o.origin.c_str(),
               static_cast<unsigned long long>(plan.names), static_cast<unsigned long long>(w.rrsets()),
               static_cast<unsigned long long>(w.records()));
  return 0;
}
