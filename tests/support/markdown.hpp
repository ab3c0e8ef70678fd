// Reading the shell blocks of a Markdown file (README.md), for tests that
// run what the documentation shows.
#pragma once

#include <catch2/catch.hpp>

#include <string>

namespace kskline::test {

// The ```sh blocks (the first `most`) between "## <section>" and the next "## " heading, joined.
inline std::string shell_blocks(const std::string& markdown, const std::string& section, std::size_t most = 1000) {
  auto start = markdown.find("\n## " + section + "\n");
  REQUIRE(start != std::string::npos);
  auto end = markdown.find("\n## ", start + 1);
  std::string part = markdown.substr(start, end == std::string::npos ? std::string::npos : end - start);
  std::string script;
  std::size_t pos = 0;
  for (std::size_t n = 0; n < most && (pos = part.find("```sh\n", pos)) != std::string::npos; ++n) {
    pos += 6;
    auto close = part.find("```", pos);
    REQUIRE(close != std::string::npos);
    script += part.substr(pos, close - pos);
    pos = close + 3;
  }
  return script;
}

}  // namespace kskline::test
