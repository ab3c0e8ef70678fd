#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "zone/errc.hpp"
#include "zone/name.hpp"

using namespace kskline;
using namespace kskline::zone;

namespace {

Name N(std::string_view text) {
  auto name = Name::parse(text);
  INFO("parsing " << text);
  REQUIRE(name);
  return *name;
}

std::string wire_of(std::initializer_list<std::string_view> labels) {
  std::string w;
  for (auto l : labels) {
    w.push_back(static_cast<char>(l.size()));
    w.append(l);
  }
  w.push_back('\0');
  return w;
}

std::string label_text(std::size_t n, char c = 'a') { return std::string(n, c); }

int sign(int v) { return (v > 0) - (v < 0); }
int sign(std::strong_ordering o) { return o < 0 ? -1 : (o > 0 ? 1 : 0); }

}  // namespace

TEST_CASE("name: parse gives the uncompressed wire form with case preserved", "[zone][name]") {
  CHECK(N("www.Example.COM.").wire_string() == wire_of({"www", "Example", "COM"}));
  CHECK(N(".").wire_string() == std::string(1, '\0'));
  CHECK(N(".").is_root());
  CHECK(Name().wire_string() == std::string(1, '\0'));
  CHECK(N("a.b.c.").label_count() == 3);
  CHECK(Name().label_count() == 0);
  CHECK(N("www.example.").first_label() == "www");
  CHECK(N("*.example.").is_wildcard());
  CHECK_FALSE(N("a*.example.").is_wildcard());
  Bytes out;
  N("Www.Example.").append_wire(out, true);
  CHECK(std::string(out.begin(), out.end()) == wire_of({"www", "example"}));
}

TEST_CASE("name: presentation form escapes dots, specials and non-printable octets", "[zone][name]") {
  auto dotted = N("a\\.b.example.");
  CHECK(dotted.label_count() == 2);
  CHECK(dotted.first_label() == "a.b");
  CHECK(dotted.to_string() == "a\\.b.example.");

  auto decimal = N("\\000\\032\\255x.example.");
  CHECK(decimal.first_label() == std::string("\0 \xffx", 4));
  CHECK(decimal.to_string() == "\\000\\032\\255x.example.");

  CHECK(N("\\065.example.").first_label() == "A");  // \DDD is decimal
  CHECK(N("\\@\\$\\(\\)\\;\\\"\\\\.example.").to_string() == "\\@\\$\\(\\)\\;\\\"\\\\.example.");
  CHECK(N("a.").to_string() == "a.");
  CHECK(Name().to_string() == ".");
}

TEST_CASE("name: every octet value survives presentation form and back", "[zone][name]") {
  auto origin = N("example.");
  for (int start = 0; start < 256; start += 63) {
    std::string label;
    for (int v = start; v < std::min(256, start + 63); ++v) label.push_back(static_cast<char>(v));
    auto name = origin.prepend(label);
    REQUIRE(name);
    std::string text = name->to_string();
    CAPTURE(start, text);
    // The presentation form is printable ASCII only.
    CHECK(std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7f; }));
    auto back = Name::parse(text);
    REQUIRE(back);
    CHECK(back->wire_string() == name->wire_string());  // exact octets, case included
  }
  for (int v = 0; v < 256; ++v) {
    auto name = origin.prepend(std::string(1, static_cast<char>(v)));
    REQUIRE(name);
    auto back = Name::parse(name->to_string());
    CAPTURE(v, name->to_string());
    REQUIRE(back);
    CHECK(back->wire_string() == name->wire_string());
  }
}

TEST_CASE("name: relative names are completed with the origin and '@' is the origin", "[zone][name]") {
  auto origin = N("example.com.");
  auto www = Name::parse("www", &origin);
  REQUIRE(www);
  CHECK(*www == N("www.example.com."));
  auto deep = Name::parse("a.b", &origin);
  REQUIRE(deep);
  CHECK(deep->wire_string() == wire_of({"a", "b", "example", "com"}));
  auto at = Name::parse("@", &origin);
  REQUIRE(at);
  CHECK(at->wire_string() == origin.wire_string());
  auto absolute = Name::parse("other.org.", &origin);
  REQUIRE(absolute);
  CHECK(*absolute == N("other.org."));

  auto no_origin = Name::parse("www");
  REQUIRE_FALSE(no_origin);
  CHECK(no_origin.error().code == errc::bad_name);
  auto at_no_origin = Name::parse("@");
  REQUIRE_FALSE(at_no_origin);
  CHECK(at_no_origin.error().code == errc::bad_name);

  CHECK(N("www.example.com.").to_string_relative(origin) == "www");
  CHECK(N("a\\.b.x.example.com.").to_string_relative(origin) == "a\\.b.x");
  CHECK(N("Example.COM.").to_string_relative(origin) == "@");
  CHECK(N("example.org.").to_string_relative(origin) == "example.org.");
  auto rel = Name::parse(N("a\\.b.x.example.com.").to_string_relative(origin), &origin);
  REQUIRE(rel);
  CHECK(*rel == N("a\\.b.x.example.com."));
}

TEST_CASE("name: equality ignores ASCII case only", "[zone][name]") {
  CHECK(N("WWW.Example.COM.") == N("www.example.com."));
  CHECK_FALSE(N("www.example.com.") == N("www.example.org."));
  CHECK_FALSE(N("www.example.com.") == N("ww.wexample.com."));
  // Octets outside A-Z are compared exactly (0xC0 and 0xE0 are not a case pair in DNS).
  CHECK_FALSE(N("\\192.example.") == N("\\224.example."));
  CHECK_FALSE(N("[.example.") == N("{.example."));
  CHECK(N("Www.Example.").lowercased().wire_string() == wire_of({"www", "example"}));
  CHECK(N("\\192.example.").lowercased().wire_string() == N("\\192.example.").wire_string());
}

TEST_CASE("name: is_subdomain_of follows label boundaries, ignoring case", "[zone][name]") {
  auto apex = N("example.com.");
  CHECK(N("www.example.com.").is_subdomain_of(apex));
  CHECK(N("a.b.EXAMPLE.com.").is_subdomain_of(apex));
  CHECK(apex.is_subdomain_of(apex));
  CHECK(apex.is_subdomain_of(Name()));
  CHECK_FALSE(N("wwwexample.com.").is_subdomain_of(apex));
  CHECK_FALSE(N("com.").is_subdomain_of(apex));
  CHECK_FALSE(N("example.org.").is_subdomain_of(apex));
  CHECK_FALSE(Name().is_subdomain_of(apex));
  // A label that contains the origin's text is not a boundary.
  CHECK_FALSE(N("x\\.example.com.").is_subdomain_of(N("example.com.com.")));
  CHECK(N("x\\.example.com.").is_subdomain_of(N("com.")));
}

TEST_CASE("name: parent, strip_labels and prepend", "[zone][name]") {
  auto name = N("a.b.example.");
  CHECK(name.parent() == N("b.example."));
  CHECK(name.parent().parent().parent().is_root());
  CHECK(Name().parent().is_root());
  CHECK(name.strip_labels(0) == name);
  CHECK(name.strip_labels(2) == N("example."));
  CHECK(name.strip_labels(3).is_root());

  auto longer = name.prepend("New");
  REQUIRE(longer);
  CHECK(longer->wire_string() == wire_of({"New", "a", "b", "example"}));
  auto dotted = name.prepend("x.y");  // a raw label: the dot is an octet
  REQUIRE(dotted);
  CHECK(dotted->label_count() == 4);
  CHECK(dotted->to_string() == "x\\.y.a.b.example.");

  auto empty = name.prepend("");
  REQUIRE_FALSE(empty);
  CHECK(empty.error().code == errc::bad_name);
  auto long_label = name.prepend(label_text(64));
  REQUIRE_FALSE(long_label);
  CHECK(long_label.error().code == errc::label_too_long);
  CHECK(name.prepend(label_text(63)));

  // 3 * 64 + 60 + 1 = 253 octets; one more label of one octet makes 255.
  auto base = N(label_text(63) + "." + label_text(63) + "." + label_text(63) + "." + label_text(59) + ".");
  CHECK(base.wire().size() == 253);
  auto at_limit = base.prepend("a");
  REQUIRE(at_limit);
  CHECK(at_limit->wire().size() == 255);
  auto too_long = base.prepend("ab");
  REQUIRE_FALSE(too_long);
  CHECK(too_long.error().code == errc::name_too_long);
}

TEST_CASE("name: a label of 63 octets is accepted and one of 64 refused", "[zone][name]") {
  CHECK(Name::parse(label_text(63) + ".example."));
  auto r = Name::parse(label_text(64) + ".example.");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::label_too_long);
  // Escapes count as the octets they stand for.
  std::string escaped;
  for (int i = 0; i < 63; ++i) escaped += "\\046";
  auto e = Name::parse(escaped + ".");
  REQUIRE(e);
  CHECK(e->first_label().size() == 63);
  auto e64 = Name::parse(escaped + "\\046.");
  REQUIRE_FALSE(e64);
  CHECK(e64.error().code == errc::label_too_long);
  // A relative last label is checked too.
  auto origin = N("example.");
  auto rel = Name::parse(label_text(64), &origin);
  REQUIRE_FALSE(rel);
  CHECK(rel.error().code == errc::label_too_long);
}

TEST_CASE("name: a name of 255 octets is accepted and one of 256 refused", "[zone][name]") {
  std::string three = label_text(63) + "." + label_text(63) + "." + label_text(63) + ".";
  auto ok = Name::parse(three + label_text(61) + ".");
  REQUIRE(ok);
  CHECK(ok->wire().size() == 255);
  auto over = Name::parse(three + label_text(62) + ".");
  REQUIRE_FALSE(over);
  CHECK(over.error().code == errc::name_too_long);

  // Completing a relative name can push it over the limit.
  auto origin = N(label_text(63) + "." + label_text(63) + ".");
  CHECK(Name::parse(label_text(63) + "." + label_text(61), &origin));
  auto rel = Name::parse(label_text(63) + "." + label_text(62), &origin);
  REQUIRE_FALSE(rel);
  CHECK(rel.error().code == errc::name_too_long);

  // Many short labels: 127 one-octet labels make 255 octets.
  std::string many;
  for (int i = 0; i < 127; ++i) many += "a.";
  auto deep = Name::parse(many);
  REQUIRE(deep);
  CHECK(deep->label_count() == 127);
  CHECK(deep->wire().size() == 255);
  auto deeper = Name::parse("a." + many);
  REQUIRE_FALSE(deeper);
  CHECK(deeper.error().code == errc::name_too_long);
  // The deepest names still sort and key without trouble.
  CHECK(((*deep <=> N("a.")) > 0));
  CHECK(deep->canonical_key().size() == 127 * 2);
}

TEST_CASE("name: empty labels and bad escapes are refused", "[zone][name]") {
  auto origin = N("example.");
  for (std::string_view bad : {"", "a..b.", ".a.", "..", "a..", "\\", "a\\", "\\25.", "\\2x5.", "\\256.", "\\999."}) {
    CAPTURE(bad);
    auto r = Name::parse(bad, &origin);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::bad_name);
  }
}

TEST_CASE("name: from_wire reads a name and refuses pointers, truncation and overlong names", "[zone][name]") {
  std::string w = wire_of({"www", "example"}) + "trailing";
  std::size_t used = 0;
  auto name = Name::from_wire(as_bytes(w), &used);
  REQUIRE(name);
  CHECK(used == 13);
  CHECK(*name == N("www.example."));

  auto root = Name::from_wire(as_bytes(std::string(1, '\0')), &used);
  REQUIRE(root);
  CHECK(root->is_root());
  CHECK(used == 1);

  auto check_bad = [](std::string bytes) {
    CAPTURE(bytes);
    auto r = Name::from_wire(as_bytes(bytes));
    REQUIRE_FALSE(r);
    return r.error().code;
  };
  CHECK(check_bad(std::string("\x03www\xc0\x0c", 6)) == errc::bad_name);   // compression pointer
  CHECK(check_bad(std::string("\xc0\x0c", 2)) == errc::bad_name);
  CHECK(check_bad(std::string("\x40", 1) + label_text(64) + '\0') == errc::bad_name);  // 0x40 label type
  CHECK(check_bad(std::string("\x03ww", 3)) == errc::bad_name);             // label cut short
  CHECK(check_bad(std::string("\x03www", 4)) == errc::bad_name);            // no root label
  CHECK(check_bad("") == errc::bad_name);

  std::string w255;
  for (int i = 0; i < 127; ++i) w255 += std::string("\x01" "a");
  CHECK(Name::from_wire(as_bytes(w255 + '\0')));
  CHECK(check_bad(std::string("\x01" "a") + w255 + '\0') == errc::name_too_long);
}

TEST_CASE("name: canonical order is RFC 4034 section 6.1's example order", "[zone][name]") {
  const std::vector<std::string> expected = {
      "example.",       "a.example.",       "yljkjljk.a.example.", "Z.a.example.", "zABC.a.EXAMPLE.",
      "z.example.",     "\\001.z.example.", "*.z.example.",        "\\200.z.example.",
  };
  std::vector<Name> names;
  for (const auto& t : expected) names.push_back(N(t));
  std::vector<Name> shuffled = names;
  std::mt19937 rng(4034);
  for (int round = 0; round < 20; ++round) {
    std::shuffle(shuffled.begin(), shuffled.end(), rng);

    auto by_operator = shuffled;
    std::sort(by_operator.begin(), by_operator.end(), [](const Name& a, const Name& b) { return (a <=> b) < 0; });
    for (std::size_t i = 0; i < names.size(); ++i) CHECK(by_operator[i].wire_string() == names[i].wire_string());

    auto by_key = shuffled;
    std::sort(by_key.begin(), by_key.end(),
              [](const Name& a, const Name& b) { return a.canonical_key() < b.canonical_key(); });
    for (std::size_t i = 0; i < names.size(); ++i) CHECK(by_key[i].wire_string() == names[i].wire_string());
  }
  for (std::size_t i = 0; i + 1 < names.size(); ++i) {
    CAPTURE(expected[i], expected[i + 1]);
    CHECK(((names[i] <=> names[i + 1]) < 0));
    CHECK(((names[i + 1] <=> names[i]) > 0));
    CHECK(names[i].canonical_key() < names[i + 1].canonical_key());
  }
  CHECK(((N("Z.a.example.") <=> N("z.A.EXAMPLE.")) == 0));
  CHECK(N("Z.a.example.").canonical_key() == N("z.A.EXAMPLE.").canonical_key());
}

TEST_CASE("name: canonical_key keeps order around octets 0 and 1", "[zone][name]") {
  // Each is strictly before the next in canonical order.
  const std::vector<std::string> ordered = {
      "\\000.",      "a.\\000.",      "\\000\\000.", "\\001.",         "\\001\\000.",
      "a.",          "\\000.a.",      "\\001.a.",     "\\001\\000.a.", "\\001\\001.a.",
      "\\002.a.",    "a\\000.",       "a\\000\\000.", "a\\000\\001.",  "a\\001.",
      "\\000.a\\001.", "a\\001\\000.", "a\\002.",      "b.",
  };
  for (std::size_t i = 0; i + 1 < ordered.size(); ++i) {
    auto a = N(ordered[i]), b = N(ordered[i + 1]);
    CAPTURE(ordered[i], ordered[i + 1]);
    CHECK(((a <=> b) < 0));
    CHECK(a.canonical_key() < b.canonical_key());
  }
}

TEST_CASE("name: canonical_key order equals operator<=> on random names", "[zone][name]") {
  std::mt19937 rng(20240601);
  const std::string alphabet("\x00\x01\x02\x03" "aAbB-\x7f\x80\xff", 12);
  auto random_name = [&]() {
    std::uniform_int_distribution<int> labels(0, 4), length(1, 4), pick(0, static_cast<int>(alphabet.size()) - 1);
    Name name;
    int n = labels(rng);
    for (int i = 0; i < n; ++i) {
      std::string label;
      int len = length(rng);
      for (int j = 0; j < len; ++j) label.push_back(alphabet[pick(rng)]);
      name = *name.prepend(label);
    }
    return name;
  };
  std::vector<Name> names;
  for (int i = 0; i < 400; ++i) names.push_back(random_name());
  int equal_pairs = 0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    for (std::size_t j = 0; j < names.size(); ++j) {
      const auto& a = names[i];
      const auto& b = names[j];
      int by_op = sign(a <=> b);
      int by_key = sign(a.canonical_key().compare(b.canonical_key()));
      if (by_op != by_key) {
        FAIL_CHECK("order differs for " << a.to_string() << " and " << b.to_string());
      }
      CHECK((a == b) == (by_op == 0));
      if (i != j && by_op == 0) ++equal_pairs;
    }
  }
  CHECK(equal_pairs > 0);  // the alphabet makes some names equal up to case
}
