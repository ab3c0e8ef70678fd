#include "signer/fingerprint.hpp"

#include "base/encoding.hpp"

namespace kskline::signer {
namespace {

// Short, common, distinct words that are hard to mishear for one another.
constexpr std::array<std::string_view, 256> kWords = {
    "able", "acid", "aged", "also", "area", "army", "atom", "aunt", "away", "baby", "back", "bake",
    "ball", "band", "bank", "barn", "base", "bath", "bead", "beam", "bean", "bear", "beef", "bell",
    "belt", "bench", "berry", "bird", "blade", "blue", "boat", "body", "bold", "bolt", "bone",
    "book", "boot", "born", "boss", "bowl", "brave", "bread", "brick", "bride", "brook", "brush",
    "cabin", "cake", "calm", "camel", "camp", "canal", "candy", "cape", "card", "cargo", "cart",
    "case", "cash", "castle", "cedar", "chain", "chair", "chalk", "charm", "chess", "chief",
    "child", "chin", "city", "clay", "cliff", "clock", "cloud", "clown", "coal", "coast", "coat",
    "cocoa", "comet", "coral", "corn", "cotton", "couch", "crab", "crane", "crown", "cube", "cup",
    "curve", "daisy", "dance", "dawn", "deer", "delta", "desk", "dial", "dime", "disk", "dock",
    "dog", "dolphin", "door", "dove", "dragon", "dream", "drum", "duck", "dune", "eagle", "earth",
    "echo", "edge", "eel", "elbow", "elk", "ember", "engine", "eye", "fable", "face", "falcon",
    "farm", "feather", "fence", "fern", "ferry", "field", "fig", "film", "fire", "fish", "flag",
    "flame", "flute", "foam", "fog", "forest", "fork", "fox", "frog", "frost", "fruit", "gate",
    "gem", "ghost", "giant", "gift", "ginger", "glass", "globe", "glove", "goat", "gold", "goose",
    "grape", "grass", "gravel", "gull", "habit", "hammer", "harbor", "harp", "hawk", "hazel",
    "heart", "hedge", "helmet", "hero", "hill", "honey", "hook", "horse", "hotel", "house",
    "husky", "ice", "igloo", "index", "ink", "iris", "iron", "island", "ivory", "ivy", "jacket",
    "jade", "jaguar", "jar", "jazz", "jelly", "jewel", "judge", "juice", "jungle", "kayak",
    "kettle", "key", "kiwi", "knee", "knife", "koala", "ladder", "lake", "lamp", "lantern",
    "laser", "lava", "lawn", "leaf", "lemon", "lens", "lily", "lime", "lion", "lizard", "llama",
    "lobster", "lotus", "lunar", "magnet", "mango", "maple", "marble", "market", "mask", "meadow",
    "melon", "metal", "mint", "mirror", "moon", "moss", "motor", "mouse", "mule", "museum",
    "needle", "nest", "night", "noble", "north", "nut", "oak", "oasis", "ocean", "olive", "onion",
    "orbit", "otter", "owl", "oyster", "paddle", "palm", "panda", "paper"
};

}  // namespace

const std::array<std::string_view, 256>& fingerprint_word_list() noexcept { return kWords; }

std::string hex_groups(const Sha256& digest) {
  std::string hex = base::to_hex(digest);
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 4) {
    if (i != 0) out += ' ';
    out.append(hex, i, 4);
  }
  return out;
}

std::string word_fingerprint(const Sha256& digest, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count && i < digest.size(); ++i) {
    if (i != 0) out += ' ';
    out += kWords[digest[i]];
  }
  return out;
}

std::string digest_lines(const Sha256& digest) {
  return "sha256      " + hex_groups(digest) + "\nwords       " + word_fingerprint(digest) + "\n";
}

}  // namespace kskline::signer
