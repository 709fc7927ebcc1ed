#include "support/error.hpp"

#include <cstring>

namespace procmatrix {

std::string Error::describe() const {
  if (errno_ == 0) return message_;
  return message_ + ": " + std::strerror(errno_);
}

}  // namespace procmatrix
