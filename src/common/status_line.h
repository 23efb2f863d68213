#pragma once
// A status line on stderr: on a terminal it is rewritten in place; elsewhere each status is a line
// of its own. A line printed while a status shows first clears it, or, asked to keep it, ends it
// so that it stays on screen above.

#include <cstdio>
#include <string>

namespace edgejoule {

class StatusLine {
 public:
  explicit StatusLine(bool terminal) : terminal_(terminal) {}
  bool terminal() const { return terminal_; }
  void show(const std::string& text) {
    if (terminal_) {
      std::fprintf(stderr, "\r\033[K%s", text.c_str());
      shown_ = true;
    } else {
      std::fprintf(stderr, "%s\n", text.c_str());
    }
    std::fflush(stderr);
  }
  void line(const std::string& text, bool keep_status = false) {
    end(keep_status);
    std::fprintf(stderr, "%s\n", text.c_str());
    std::fflush(stderr);
  }
  // Ends a status shown in place: cleared, or kept on its line.
  void end(bool keep_status) {
    if (shown_) std::fputs(keep_status ? "\n" : "\r\033[K", stderr);
    shown_ = false;
  }

 private:
  bool terminal_;
  bool shown_ = false;
};

}  // namespace edgejoule
