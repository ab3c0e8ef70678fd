#include "zone/record.hpp"

#include <utility>

#include "zone/rdata.hpp"

namespace kskline::zone {

std::string RecordList::where(SourceLoc loc) const {
  std::string file = loc.file < files.size() ? files[loc.file] : std::string("<generated>");
  if (loc.line == 0) return file;
  return file + ":" + std::to_string(loc.line);
}

Record make_record(const Name& owner, std::uint16_t type, std::uint32_t ttl, Bytes rdata) {
  Record r;
  r.owner = owner;
  r.type = type;
  r.ttl = ttl;
  r.rdata = std::move(rdata);
  return r;
}

void append_text(const Record& record, std::string& out) {
  out += record.owner.to_string();
  out.push_back('\t');
  out += std::to_string(record.ttl);
  out.push_back('\t');
  out += class_to_string(record.rclass);
  out.push_back('\t');
  out += type_to_string(record.type);
  out.push_back('\t');
  append_rdata_text(record.type, record.rdata, out);
  out.push_back('\n');
}

std::string to_text(const Record& record) {
  std::string out;
  append_text(record, out);
  out.pop_back();
  return out;
}

}  // namespace kskline::zone
