// JsonObjectWriter: builds a flat JSON object text for audit details and similar records,
// without exposing a JSON library to domain modules. Keys are emitted in insertion order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/strings.h"

namespace herald {

class JsonObjectWriter {
 public:
  JsonObjectWriter& Add(std::string_view key, std::string_view value) {
    Key(key);
    out_ += '"';
    out_ += JsonEscape(value);
    out_ += '"';
    return *this;
  }
  JsonObjectWriter& Add(std::string_view key, const char* value) {
    return Add(key, std::string_view(value));
  }
  JsonObjectWriter& Add(std::string_view key, int64_t value) {
    Key(key);
    out_ += std::to_string(value);
    return *this;
  }
  JsonObjectWriter& Add(std::string_view key, int value) {
    return Add(key, static_cast<int64_t>(value));
  }
  JsonObjectWriter& Add(std::string_view key, bool value) {
    Key(key);
    out_ += value ? "true" : "false";
    return *this;
  }
  // `json` must already be valid JSON text (an object, array, number, ...).
  JsonObjectWriter& AddRaw(std::string_view key, std::string_view json) {
    Key(key);
    out_ += json;
    return *this;
  }
  std::string str() const { return out_ + "}"; }

 private:
  void Key(std::string_view key) {
    out_ += out_.size() == 1 ? "\"" : ",\"";
    out_ += JsonEscape(key);
    out_ += "\":";
  }
  std::string out_ = "{";
};

}  // namespace herald
