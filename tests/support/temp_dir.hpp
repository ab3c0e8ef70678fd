// A temporary directory for tests, removed with everything in it at the end.
#pragma once

#include <cstdlib>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace kskline::test {

// A fresh directory made by mkdtemp under the system temporary directory, removed recursively when destroyed.
class TempDir {
 public:
  // Makes the directory "<temp>/<prefix>-XXXXXX"; throws std::runtime_error when mkdtemp fails.
  explicit TempDir(const std::string& prefix = "kskline-test") {
    std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + tmpl);
    path_ = tmpl;
  }

  // Removes the directory and everything in it, ignoring errors.
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // The directory's path.
  const std::string& path() const { return path_; }

  // The path of `name` inside the directory (nothing is created).
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace kskline::test
