#include <catch2/catch.hpp>

#include "transport/errc.hpp"
#include "transport/link_spec.hpp"

using namespace kskline;
using namespace kskline::transport;

TEST_CASE("link_spec: serial specs with every option, defaults 115200 8N1 no flow", "[transport][link_spec]") {
  auto plain = parse_link_spec("serial:/dev/ttyUSB0");
  REQUIRE(plain);
  const auto& s = std::get<SerialLink>(*plain);
  CHECK(s.path == "/dev/ttyUSB0");
  CHECK(s.settings.baud == 115200);
  CHECK(s.settings.data_bits == 8);
  CHECK(s.settings.parity == Parity::none);
  CHECK(s.settings.stop_bits == 1);
  CHECK(s.settings.flow == Flow::none);
  CHECK(s.settings.bytes_per_second() == 11520);

  auto full = parse_link_spec("serial:/dev/ttyS0,baud=9600,flow=xonxoff,parity=even,bits=7,stop=2");
  REQUIRE(full);
  const auto& f = std::get<SerialLink>(*full).settings;
  CHECK(f.baud == 9600);
  CHECK(f.flow == Flow::xonxoff);
  CHECK(f.parity == Parity::even);
  CHECK(f.data_bits == 7);
  CHECK(f.stop_bits == 2);
  CHECK(f.bits_per_char() == 11);
  CHECK(to_string(*full) == "serial:/dev/ttyS0,baud=9600,flow=xonxoff,parity=even,bits=7,stop=2");
  auto again = parse_link_spec(to_string(*full));
  REQUIRE(again);
  CHECK(to_string(*again) == to_string(*full));

  auto rts = parse_link_spec("serial:/dev/x,flow=rtscts,parity=odd");
  REQUIRE(rts);
  CHECK(std::get<SerialLink>(*rts).settings.flow == Flow::rtscts);
  CHECK(std::get<SerialLink>(*rts).settings.parity == Parity::odd);
}

TEST_CASE("link_spec: spool and loopback specs", "[transport][link_spec]") {
  auto spool = parse_link_spec("spool:/media/usb/kskline");
  REQUIRE(spool);
  CHECK(std::get<SpoolLink>(*spool).dir == "/media/usb/kskline");

  auto lo = parse_link_spec("loopback");
  REQUIRE(lo);
  CHECK(std::get<LoopbackLink>(*lo).ber == 0);
  CHECK(std::get<LoopbackLink>(*lo).seed == 1);

  auto imp = parse_link_spec("loopback,ber=1e-5,drop=0.001,seed=42,dup=0.0001,baud=9600");
  REQUIRE(imp);
  const auto& l = std::get<LoopbackLink>(*imp);
  CHECK(l.ber == Approx(1e-5));
  CHECK(l.drop == Approx(0.001));
  CHECK(l.dup == Approx(0.0001));
  CHECK(l.seed == 42);
  CHECK(l.baud == 9600);
}

TEST_CASE("link_spec: malformed specs are refused, naming what is wrong", "[transport][link_spec]") {
  struct Case {
    const char* spec;
    const char* message;
  };
  for (const Case& c : {
           Case{"", "unknown link ''"},
           Case{"tcp:host:1234", "unknown link 'tcp:host:1234'"},
           Case{"serial:", "without a device path"},
           Case{"serial:,baud=9600", "without a device path"},
           Case{"serial:/dev/x,baud=fast", "baud=fast: not a whole number"},
           Case{"serial:/dev/x,baud=10", "baud=10: must be 50..4000000"},
           Case{"serial:/dev/x,baud=", "baud=: not a whole number"},
           Case{"serial:/dev/x,bits=6", "bits=6: must be 7 or 8"},
           Case{"serial:/dev/x,stop=3", "stop=3: must be 1 or 2"},
           Case{"serial:/dev/x,parity=mark", "parity=mark: must be none, even or odd"},
           Case{"serial:/dev/x,flow=dtr", "flow=dtr: must be none, xonxoff or rtscts"},
           Case{"serial:/dev/x,speed=9600", "unknown serial option 'speed'"},
           Case{"serial:/dev/x,baud=9600,baud=1200", "option 'baud' given twice"},
           Case{"serial:/dev/x,,baud=9600", "empty option"},
           Case{"serial:/dev/x,xonxoff", "must be NAME=VALUE"},
           Case{"spool:", "without a directory"},
           Case{"loopback,ber=2", "ber=2: must be a probability"},
           Case{"loopback,drop=x", "drop=x: not a number"},
           Case{"loopback,seed=-1", "seed=-1: not a whole number"},
           Case{"loopback,noise=1", "unknown loopback option 'noise'"},
           Case{"loopbacks", "unknown link 'loopbacks'"},
       }) {
    INFO(c.spec);
    auto r = parse_link_spec(c.spec);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::bad_link_spec);
    CHECK_THAT(r.error().message(), Catch::Contains(c.message));
  }
}
