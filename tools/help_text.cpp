#include "tools/help_text.hpp"

#include <string_view>

namespace kskline::tools {
namespace {

// The label of an option's value, by the option's long name.
struct OptionLabel {
  std::string_view option;
  std::string_view label;
};
constexpr OptionLabel kOptionLabels[] = {
    {"--dir", "DIR"},           {"--ksk-dir", "DIR"},       {"--workdir", "DIR"},     {"--output-dir", "DIR"},
    {"--state-dir", "DIR"},     {"--link-dir", "DIR"},      {"--output", "FILE"},     {"--trust-anchor", "FILE"},
    {"--identity", "FILE"},     {"--zone-file", "FILE"},    {"--signed-file", "FILE"}, {"--keyset", "FILE"},
    {"--reuse", "FILE"},        {"--import", "KEYFILE"},    {"--key", "KEYFILE"},     {"--peer", "KEY"},
    {"--now", "TIME"},          {"--from", "TIME"},         {"--until", "TIME"},      {"--wait", "SECONDS"},
    {"--timeout", "SECONDS"},   {"--request-wait", "SECONDS"}, {"--link", "LINK"},    {"--zone", "ZONE"},
    {"--origin", "ZONE"},       {"--algorithm", "ALG"},     {"--rsa-bits", "BITS"},   {"--bits", "BITS"},
    {"--threads", "N"},         {"--count", "N"},           {"--max-records", "N"},   {"--seed", "N"},
    {"--baud", "N"},            {"--bytes", "N"},           {"--pings", "N"},         {"--ber", "P"},
    {"--drop", "P"},            {"--garbage", "P"},         {"--auth", "POLICY"},     {"--side", "SIDE"},
    {"--format", "FORMAT"},     {"--digest", "DIGESTS"},    {"--serial", "SERIAL"},   {"--dnskey-ttl", "TTL"},    {"--ttl", "TTL"},
    {"--pem-key", "ALG:FLAGS:FILE"}, {"--outage", "START:SECONDS"}, {"--unplug", "START:SECONDS[:a|b]"},
    {"--note", "TEXT"},         {"--validity", "DURATION"}, {"--jitter", "DURATION"}, {"--refresh", "DURATION"},
    {"--inception-offset", "DURATION"}, {"--zsk-lifetime", "DURATION"}, {"--prepublish", "DURATION"},
    {"--retire", "DURATION"},   {"--slot-interval", "DURATION"}, {"--refresh-margin", "DURATION"},
    {"--propagation-delay", "DURATION"}, {"--warning", "DURATION"}, {"--critical", "DURATION"},
    {"--exec", "COMMAND"},      {"--exec-timeout", "SECONDS"},
    {"--pkcs11-module", "MODULE"}, {"--token", "LABEL"},    {"--key-label", "LABEL|URI"}, {"--pin-file", "FILE"},
};

// The example at the end of each command's help, by the command's path.
struct HelpExample {
  std::string_view command;
  std::string_view example;
};
constexpr HelpExample kHelpExamples[] = {
    {"keygen", "kskline keygen --zone example.com --algorithm ECDSAP256SHA256 --ksk --dir keys"},
    {"ds", "kskline ds keys/Kexample.com.+013+12345.key --digest sha256,sha384"},
    {"zone check", "kskline zone check example.com.zone --origin example.com"},
    {"zone verify", "kskline zone verify example.com.signed --origin example.com --trust-anchor anchor.ds"},
    {"zone sign", "kskline zone sign example.com.zone --origin example.com --key Kexample.com.+013+12345 "
                  "--keyset answer.keyset -o example.com.signed"},
    {"zone merge", "kskline zone merge example.com.signed answer.skr --origin example.com --key Kexample.com.+013+12345 "
                   "-o example.com.final"},
    {"zone init", "kskline zone init --zone example.com --dir zone --zone-file example.com.zone "
                  "--signed-file example.com.signed --trust-anchor anchor.ds --peer ksk-link.id.pub"},
    {"zone pregenerate", "kskline zone pregenerate --dir zone --until +90d"},
    {"zone request", "kskline zone request --dir zone --until +90d -o request.txt"},
    {"zone import", "kskline zone import --dir zone /media/stick/to-zone/*.kske"},
    {"zone publish", "kskline zone publish --dir zone -q"},
    {"zone status", "kskline zone status --dir zone --format prometheus"},
    {"zone submit", "kskline zone submit --dir zone --link serial:/dev/ttyUSB0,baud=115200"},
    {"zone relay", "kskline zone relay example.com.ksr -o example.com.skr --trust-anchor anchor.ds "
                   "--link spool:/media/stick"},
    {"ksk init", "kskline ksk init --zone example.com --dir ksk"},
    {"ksk sign", "kskline ksk sign --dir ksk request.txt -o answer.txt"},
    {"ksk serve", "kskline ksk serve --dir ksk --link spool:/media/stick"},
    {"ksk pin", "kskline ksk pin --dir ksk zone-link.id.pub"},
    {"ksk audit verify", "kskline ksk audit verify --dir ksk"},
    {"ksk audit accept", "kskline ksk audit accept --dir ksk --note 'restored from the backup of 2026-11-30'"},
    {"link-test", "kskline link-test --link serial:/dev/ttyUSB0,baud=115200 --identity zone-link.id "
                  "--peer ksk-link.id.pub   (the same on both ends)"},
    {"link-keygen", "kskline link-keygen -o zone-link.id"},
    {"send", "kskline send --link serial:/dev/ttyUSB0 --identity zone-link.id --peer ksk-link.id.pub example.com.zone"},
    {"receive", "kskline receive --link serial:/dev/ttyUSB0 --identity ksk-link.id --peer zone-link.id.pub -d inbox"},
    {"linesim", "kskline linesim --baud 9600 --ber 1e-5 --link-dir /tmp/line"},
    {"demo", "kskline demo --workdir /tmp/kskline-demo"},
};

// Adds the examples to `app` and its subcommands; `path` is app's command path.
void add_examples(CLI::App& app, const std::string& path, std::vector<std::string>& missing) {
  const auto subs = app.get_subcommands([](const CLI::App*) { return true; });
  if (!path.empty() && subs.empty()) {
    bool found = false;
    for (const auto& e : kHelpExamples) {
      if (e.command == path) {
        app.footer("Example:\n  " + std::string(e.example) + "\n");
        found = true;
      }
    }
    if (!found) missing.push_back(path);
  }
  for (auto* sub : subs) add_examples(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), missing);
}

}  // namespace

std::string HelpFormatter::make_option_opts(const CLI::Option* option) const {
  std::string out;
  if (option->get_type_size() == 0) return out;
  std::string label;
  for (const auto& l : kOptionLabels) {
    if (option->check_lname(std::string(l.option.substr(2)))) label = l.label;
  }
  if (label.empty()) {
    label = option->get_type_name();
    label = label.substr(0, label.find(':'));  // "UINT:UINT in [0 - 1024]": the validators say it in words
  }
  if (!label.empty()) out += " " + label;
  if (option->get_expected_max() == CLI::detail::expected_max_vector_size) out += " ...";
  if (option->get_required()) out += " REQUIRED";
  return out;
}

std::shared_ptr<HelpFormatter> make_help_formatter() {
  auto formatter = std::make_shared<HelpFormatter>();
  formatter->column_width(34);
  return formatter;
}

std::vector<std::string> add_help_examples(CLI::App& app) {
  std::vector<std::string> missing;
  add_examples(app, "", missing);
  return missing;
}

}  // namespace kskline::tools
