// LineReceiver over a StringTransport: every split of the input down to single
// bytes gives the same lines; the length limit, the over-length hook and
// closing from inside a callback.
#include "braid/line_receiver.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "braid/testing/string_transport.hpp"

namespace braid {
namespace {

using testing::StringTransport;
using Lines = std::vector<std::string>;

// Records every line and every over-length call. By default it keeps the
// stock over-length behaviour (close); `close_on_exceed = false` overrides it.
class Recorder : public LineReceiver {
 public:
  void line_received(std::string_view line) override {
    lines.emplace_back(line);
    if (on_line) on_line(line);
  }
  void line_length_exceeded(std::string_view partial) override {
    exceeded.emplace_back(partial);
    if (close_on_exceed) LineReceiver::line_length_exceeded(partial);
  }

  Lines lines;
  Lines exceeded;
  bool close_on_exceed = true;
  std::function<void(std::string_view)> on_line;
};

struct Setup {
  std::string delimiter = "\n";
  std::size_t max = 0;  // 0: the default
  bool close_on_exceed = true;
};

struct Result {
  Lines lines;
  Lines exceeded;
  std::size_t buffered = 0;
  bool disconnecting = false;
};

// Feeds `chunks` to a fresh receiver and reports what it saw.
Result feed(const Setup& setup, const std::vector<std::string_view>& chunks) {
  StringTransport transport;
  Recorder r;
  r.set_delimiter(setup.delimiter);
  if (setup.max > 0) r.set_max_line_length(setup.max);
  r.close_on_exceed = setup.close_on_exceed;
  transport.connect(r);
  for (auto c : chunks) transport.deliver(c);
  return {r.lines, r.exceeded, r.buffered_line_bytes(), transport.disconnecting()};
}

// Checks that every way of cutting `input` into two or three chunks, and
// into single bytes, gives `want`.
void expect_every_split(const Setup& setup, std::string_view input, const Lines& want_lines,
                        std::size_t want_buffered) {
  const Result whole = feed(setup, {input});
  EXPECT_EQ(whole.lines, want_lines) << "whole input";
  EXPECT_EQ(whole.buffered, want_buffered) << "whole input";
  EXPECT_TRUE(whole.exceeded.empty());
  for (std::size_t i = 0; i <= input.size(); ++i) {
    const Result two = feed(setup, {input.substr(0, i), input.substr(i)});
    EXPECT_EQ(two.lines, want_lines) << "split at " << i;
    EXPECT_EQ(two.buffered, want_buffered) << "split at " << i;
    EXPECT_TRUE(two.exceeded.empty()) << "split at " << i;
    for (std::size_t j = i; j <= input.size(); ++j) {
      const Result three = feed(setup, {input.substr(0, i), input.substr(i, j - i), input.substr(j)});
      EXPECT_EQ(three.lines, want_lines) << "split at " << i << " and " << j;
    }
  }
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < input.size(); ++i) bytes.push_back(input.substr(i, 1));
  const Result single = feed(setup, bytes);
  EXPECT_EQ(single.lines, want_lines) << "single bytes";
  EXPECT_EQ(single.buffered, want_buffered) << "single bytes";
  EXPECT_TRUE(single.exceeded.empty()) << "single bytes";
}

// --- splitting -----------------------------------------------------------------------

TEST(LineReceiver, MixedLineEndsAtEverySplit) {
  expect_every_split({}, "alpha\nbeta\r\n\ngamma\r\n\r\ndelta\nepsilon", {"alpha", "beta", "", "gamma", "", "delta"},
                     7);
}

TEST(LineReceiver, OnlyOneCarriageReturnIsStripped) {
  expect_every_split({}, "x\r\r\ny\rz\n\r\n", {"x\r", "y\rz", ""}, 0);
}

TEST(LineReceiver, AnEmptyDelimiterIsRefusedAndTheOldOneKept) {
  Recorder receiver;
  receiver.set_delimiter("\r\n");
  EXPECT_THROW(receiver.set_delimiter(""), std::invalid_argument);
  EXPECT_EQ(receiver.delimiter(), "\r\n");
}

TEST(LineReceiver, CrLfDelimiterAtEverySplit) {
  expect_every_split({.delimiter = "\r\n"}, "a\nb\r\nc\r\n\r\nd\r", {"a\nb", "c", ""}, 2);
}

TEST(LineReceiver, CustomTwoByteDelimiterAtEverySplit) {
  expect_every_split({.delimiter = "||"}, "one||two|three||||four|", {"one", "two|three", ""}, 5);
}

TEST(LineReceiver, OverlappingDelimiterTakesTheFirstMatch) {
  expect_every_split({.delimiter = "||"}, "a|||b||", {"a", "|b"}, 0);
}

TEST(LineReceiver, LongDelimiterAtEverySplit) {
  expect_every_split({.delimiter = "<END>"}, "x<EN<END>y<END><END>z<E", {"x<EN", "y", ""}, 3);
}

TEST(LineReceiver, EveryChunkSize) {
  const std::string input = "first\nsecond\r\nthird\n\nfourth";
  for (std::size_t chunk = 1; chunk <= input.size(); ++chunk) {
    StringTransport transport;
    Recorder r;
    transport.connect(r);
    transport.deliver_chunked(input, chunk);
    EXPECT_EQ(r.lines, (Lines{"first", "second", "third", ""})) << "chunk " << chunk;
    EXPECT_EQ(r.buffered_line_bytes(), 6u) << "chunk " << chunk;
  }
}

TEST(LineReceiver, BytesAfterTheDelimiterAreKept) {
  StringTransport transport;
  Recorder r;
  transport.connect(r);
  transport.deliver("abc\nde");
  EXPECT_EQ(r.lines, (Lines{"abc"}));
  EXPECT_EQ(r.buffered_line_bytes(), 2u);
  transport.deliver("f\ngh");
  EXPECT_EQ(r.lines, (Lines{"abc", "def"}));
  EXPECT_EQ(r.buffered_line_bytes(), 2u);
  transport.deliver("\n");
  EXPECT_EQ(r.lines, (Lines{"abc", "def", "gh"}));
  EXPECT_EQ(r.buffered_line_bytes(), 0u);
}

TEST(LineReceiver, EmptyLines) {
  StringTransport transport;
  Recorder r;
  transport.connect(r);
  transport.deliver("\n\r\n\n");
  EXPECT_EQ(r.lines, (Lines{"", "", ""}));
}

TEST(LineReceiver, EmptyChunkChangesNothing) {
  StringTransport transport;
  Recorder r;
  transport.connect(r);
  transport.deliver("ab");
  transport.deliver("");
  EXPECT_EQ(r.buffered_line_bytes(), 2u);
  transport.deliver("\n");
  EXPECT_EQ(r.lines, (Lines{"ab"}));
}

// A new delimiter set from line_received applies from the next line, even
// in the same chunk, and wherever the input is cut. The long delimiters live
// on the heap, so a stale view of the old one would read freed memory.
TEST(LineReceiver, DelimiterChangedInsideLineReceivedAtEverySplit) {
  const std::string long_delim = "<-- a delimiter too long for SSO -->";
  const std::string input =
      "switch\nA" + long_delim + "B" + long_delim + "back" + long_delim + "C" + long_delim + "\nD\nE";
  auto run = [&](const std::vector<std::string_view>& chunks) {
    StringTransport transport;
    Recorder r;
    r.set_delimiter(std::string(64, '#'));  // heap-allocated too
    r.set_delimiter("\n");
    r.on_line = [&](std::string_view line) {
      if (line == "switch") r.set_delimiter(long_delim);
      if (line == "back") r.set_delimiter("\n");
    };
    transport.connect(r);
    for (auto c : chunks) transport.deliver(c);
    return std::make_pair(r.lines, r.buffered_line_bytes());
  };
  const Lines want{"switch", "A", "B", "back", "C" + long_delim, "D"};
  EXPECT_EQ(run({input}).first, want);
  EXPECT_EQ(run({input}).second, 1u);
  for (std::size_t i = 0; i <= input.size(); ++i) {
    const std::string_view in = input;
    EXPECT_EQ(run({in.substr(0, i), in.substr(i)}).first, want) << "split at " << i;
  }
}

TEST(LineReceiver, LimitChangedInsideLineReceived) {
  StringTransport transport;
  Recorder r;
  r.on_line = [&](std::string_view line) {
    if (line == "strict") r.set_max_line_length(3);
  };
  transport.connect(r);
  transport.deliver("longer line\nstrict\nabc\nabcd\n");
  EXPECT_EQ(r.lines, (Lines{"longer line", "strict", "abc"}));
  EXPECT_EQ(r.exceeded, (Lines{"abcd"}));
}

// --- sending ---------------------------------------------------------------------------

TEST(LineReceiver, SendLineWritesLineAndDelimiterInOneWrite) {
  StringTransport transport;
  Recorder r;
  transport.connect(r);
  r.send_line("hello");
  EXPECT_EQ(transport.value(), "hello\n");
  EXPECT_EQ(transport.write_calls(), 1u);
  r.set_delimiter("\r\n");
  r.send_line("");
  EXPECT_EQ(transport.value(), "hello\n\r\n");
  EXPECT_EQ(transport.write_calls(), 2u);
}

TEST(LineReceiver, EchoesWhatItReceives) {
  StringTransport transport;
  Recorder r;
  r.on_line = [&](std::string_view line) { r.send_line(line); };
  transport.connect(r);
  transport.deliver_chunked("one\r\ntwo\nthree", 2);
  EXPECT_EQ(transport.value(), "one\ntwo\n");
}

// --- the length limit --------------------------------------------------------------

TEST(LineReceiver, DefaultLimit) {
  StringTransport transport;
  Recorder r;
  transport.connect(r);
  EXPECT_EQ(r.max_line_length(), LineReceiver::default_max_line_length);
  const std::string at_limit(LineReceiver::default_max_line_length, 'x');
  transport.deliver(at_limit + "\n");
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0].size(), LineReceiver::default_max_line_length);
  transport.deliver(at_limit + "y\n");
  EXPECT_EQ(r.exceeded.size(), 1u);
  EXPECT_TRUE(transport.disconnecting());
}

TEST(LineReceiver, LineExactlyAtTheLimitAtEverySplit) {
  expect_every_split({.max = 5}, "abcde\nvwxyz\n12345", {"abcde", "vwxyz"}, 5);
}

// With the "\n" delimiter the '\r' of "\r\n" is stripped from the line and,
// like the delimiter, does not count toward the limit (Twisted's MAX_LENGTH),
// the same way however the input is cut.
TEST(LineReceiver, CarriageReturnDoesNotCountTowardTheLimitAtEverySplit) {
  expect_every_split({.max = 5}, "abcde\r\nvwxyz\nabcde\r", {"abcde", "vwxyz"}, 6);
  const std::string at_limit(100, 'a');
  expect_every_split({.max = 100}, at_limit + "\n" + at_limit + "\r\n", {at_limit, at_limit}, 0);
  // One byte over, with either line end, is refused wherever the input is cut.
  const std::string over(101, 'a');
  for (const std::string& input : {over + "\nnext\n", over + "\r\nnext\n", std::string("abcde\r\r\nnext\n")}) {
    const std::size_t max = input.starts_with("abcde") ? 5 : 100;
    const std::string_view in = input;
    std::vector<std::vector<std::string_view>> splits;
    for (std::size_t i = 0; i <= in.size(); ++i) splits.push_back({in.substr(0, i), in.substr(i)});
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < in.size(); ++i) bytes.push_back(in.substr(i, 1));
    splits.push_back(bytes);
    for (std::size_t k = 0; k < splits.size(); ++k) {
      const Result res = feed({.max = max}, splits[k]);
      EXPECT_TRUE(res.lines.empty()) << "split " << k << " of " << input.size() + 1;
      EXPECT_EQ(res.exceeded.size(), 1u) << "split " << k;
      EXPECT_TRUE(res.disconnecting) << "split " << k;
    }
  }
}

// A held line of exactly the limit followed by "\r" waits for its "\n"; any
// other byte after the "\r" makes it too long.
TEST(LineReceiver, HeldLineAtTheLimitThenCarriageReturnWaitsForTheNewline) {
  StringTransport transport;
  Recorder r;
  r.set_max_line_length(5);
  transport.connect(r);
  transport.deliver("abcde");
  transport.deliver("\r");
  EXPECT_TRUE(r.exceeded.empty());
  EXPECT_EQ(r.buffered_line_bytes(), 6u);
  transport.deliver("\n");
  EXPECT_EQ(r.lines, (Lines{"abcde"}));
  transport.deliver("vwxyz\r");
  transport.deliver("x");
  EXPECT_EQ(r.exceeded, (Lines{"vwxyz\rx"}));
  EXPECT_TRUE(transport.disconnecting());
}

// A delimiter split across chunks is not counted as part of the line.
TEST(LineReceiver, MultiByteDelimiterAfterALineAtTheLimitAtEverySplit) {
  expect_every_split({.delimiter = "\r\n", .max = 5}, "abcde\r\nvwxyz\r\n", {"abcde", "vwxyz"}, 0);
  expect_every_split({.delimiter = "<END>", .max = 3}, "abc<END>xyz<END>", {"abc", "xyz"}, 0);
  // Held input may be mostly delimiter: "x<EN" is a one-byte line so far.
  expect_every_split({.delimiter = "<END>", .max = 1}, "<END>x<END>y<EN", {"", "x"}, 4);
}

TEST(LineReceiver, OneOverTheLimitCallsTheHookAndCloses) {
  StringTransport transport;
  Recorder r;
  r.set_max_line_length(5);
  transport.connect(r);
  transport.deliver("ok\nabcdef\nlater\n");
  EXPECT_EQ(r.lines, (Lines{"ok"}));
  EXPECT_EQ(r.exceeded, (Lines{"abcdef"}));
  EXPECT_TRUE(transport.disconnecting());
}

TEST(LineReceiver, OverLongLineClosesAtEverySplit) {
  const std::string input = "ok\nabcdef\nlater\n";
  for (std::size_t i = 0; i <= input.size(); ++i) {
    const Result res = feed({.max = 5}, {std::string_view(input).substr(0, i), std::string_view(input).substr(i)});
    EXPECT_EQ(res.lines, (Lines{"ok"})) << "split at " << i;
    ASSERT_EQ(res.exceeded.size(), 1u) << "split at " << i;
    EXPECT_TRUE(std::string_view("abcdef").starts_with(res.exceeded[0])) << res.exceeded[0];
    EXPECT_GT(res.exceeded[0].size(), 5u) << "split at " << i;
    EXPECT_TRUE(res.disconnecting) << "split at " << i;
  }
}

TEST(LineReceiver, PartialLineAtTheLimitIsHeld) {
  StringTransport transport;
  Recorder r;
  r.set_max_line_length(5);
  transport.connect(r);
  transport.deliver("abc");
  transport.deliver("de");
  EXPECT_TRUE(r.exceeded.empty());
  EXPECT_EQ(r.buffered_line_bytes(), 5u);
  EXPECT_FALSE(transport.disconnecting());
}

TEST(LineReceiver, OverLongPartialLineAccumulatedAcrossChunks) {
  StringTransport transport;
  Recorder r;
  r.set_max_line_length(5);
  transport.connect(r);
  transport.deliver("abc");
  transport.deliver("def");  // six bytes, no delimiter yet
  EXPECT_EQ(r.exceeded, (Lines{"abcdef"}));
  EXPECT_TRUE(transport.disconnecting());
  EXPECT_EQ(r.buffered_line_bytes(), 0u);
  transport.deliver("\nmore\n");
  EXPECT_TRUE(r.lines.empty());
}

TEST(LineReceiver, OverLongPartialLineInSingleBytes) {
  StringTransport transport;
  Recorder r;
  r.set_max_line_length(5);
  transport.connect(r);
  transport.deliver_chunked("abcdefghij\nok\n", 1);
  EXPECT_EQ(r.exceeded, (Lines{"abcdef"}));
  EXPECT_TRUE(r.lines.empty());
  EXPECT_TRUE(transport.disconnecting());
}

TEST(LineReceiver, OverLongPartialLineInOneChunk) {
  StringTransport transport;
  Recorder r;
  r.set_max_line_length(5);
  transport.connect(r);
  transport.deliver("ok\nabcdefgh");
  EXPECT_EQ(r.lines, (Lines{"ok"}));
  EXPECT_EQ(r.exceeded, (Lines{"abcdefgh"}));
  EXPECT_TRUE(transport.disconnecting());
}

// An override that does not close: the rest of the long line is discarded
// and the receiver goes on with the next line, however the input is cut.
TEST(LineReceiver, HookThatDoesNotCloseDiscardsTheRestOfTheLine) {
  const std::string input = "ok\nabcdefghij\nnext\nxyzxyzxyz";
  auto check = [&](const std::vector<std::string_view>& chunks, const std::string& how) {
    const Result res = feed({.max = 5, .close_on_exceed = false}, chunks);
    EXPECT_EQ(res.lines, (Lines{"ok", "next"})) << how;
    ASSERT_EQ(res.exceeded.size(), 2u) << how;
    EXPECT_TRUE(std::string_view("abcdefghij").starts_with(res.exceeded[0])) << how << ": " << res.exceeded[0];
    EXPECT_TRUE(std::string_view("xyzxyzxyz").starts_with(res.exceeded[1])) << how << ": " << res.exceeded[1];
    EXPECT_FALSE(res.disconnecting) << how;
    EXPECT_EQ(res.buffered, 0u) << how;  // nothing held while discarding with a one-byte delimiter
  };
  check({input}, "whole");
  for (std::size_t i = 0; i <= input.size(); ++i) {
    check({std::string_view(input).substr(0, i), std::string_view(input).substr(i)}, "split at " + std::to_string(i));
  }
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < input.size(); ++i) bytes.push_back(std::string_view(input).substr(i, 1));
  check(bytes, "single bytes");
}

TEST(LineReceiver, DiscardingFindsADelimiterSplitAcrossChunks) {
  const std::string input = "abcdefgh||ok||";
  for (std::size_t i = 0; i <= input.size(); ++i) {
    const Result res = feed({.delimiter = "||", .max = 5, .close_on_exceed = false},
                            {std::string_view(input).substr(0, i), std::string_view(input).substr(i)});
    EXPECT_EQ(res.lines, (Lines{"ok"})) << "split at " << i;
    EXPECT_EQ(res.exceeded.size(), 1u) << "split at " << i;
    EXPECT_EQ(res.buffered, 0u) << "split at " << i;
  }
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < input.size(); ++i) bytes.push_back(std::string_view(input).substr(i, 1));
  const Result single = feed({.delimiter = "||", .max = 5, .close_on_exceed = false}, bytes);
  EXPECT_EQ(single.lines, (Lines{"ok"}));
  EXPECT_EQ(single.exceeded.size(), 1u);
}

TEST(LineReceiver, HookThatDoesNotCloseKeepsWorkingAfterManyLongLines) {
  StringTransport transport;
  Recorder r;
  r.set_max_line_length(4);
  r.close_on_exceed = false;
  transport.connect(r);
  for (int i = 0; i < 100; ++i) {
    transport.deliver(std::string(50, 'z'));
    transport.deliver(std::string(50, 'z') + "\nok\n");
  }
  EXPECT_EQ(r.exceeded.size(), 100u);
  EXPECT_EQ(r.lines, Lines(100, "ok"));
  EXPECT_EQ(r.buffered_line_bytes(), 0u);
}

TEST(LineReceiver, OwnLimitWinsOverTheFactory) {
  SimpleFactory<Recorder> factory;
  factory.set_max_line_length(10);
  StringTransport transport;
  Recorder r;
  transport.connect(r, &factory);
  EXPECT_EQ(r.max_line_length(), 10u);
  r.set_max_line_length(3);
  EXPECT_EQ(r.max_line_length(), 3u);
}

TEST(LineReceiver, FactoryLimitIsUsedWhenSet) {
  SimpleFactory<Recorder> factory;
  factory.set_max_line_length(8);
  StringTransport transport;
  Recorder r;
  transport.connect(r, &factory);
  transport.deliver("12345678\n");
  EXPECT_EQ(r.lines, (Lines{"12345678"}));
  transport.deliver("123456789\n");
  EXPECT_EQ(r.exceeded, (Lines{"123456789"}));
  EXPECT_TRUE(transport.disconnecting());
}

TEST(LineReceiver, FactoryWithoutALimitMeansTheDefault) {
  SimpleFactory<Recorder> factory;
  StringTransport transport;
  Recorder r;
  transport.connect(r, &factory);
  EXPECT_EQ(r.max_line_length(), LineReceiver::default_max_line_length);
}

// --- closing -------------------------------------------------------------------------

TEST(LineReceiver, NoLinesAfterLoseConnectionInsideLineReceived) {
  StringTransport transport;
  Recorder r;
  r.on_line = [&](std::string_view line) {
    if (line == "quit") r.transport().lose_connection();
  };
  transport.connect(r);
  transport.deliver("a\nquit\nb\nc\n");
  EXPECT_EQ(r.lines, (Lines{"a", "quit"}));
  EXPECT_TRUE(transport.disconnecting());
  transport.deliver("d\n");
  EXPECT_EQ(r.lines, (Lines{"a", "quit"}));
}

TEST(LineReceiver, NoLinesAfterLoseConnectionAtEverySplit) {
  const std::string input = "a\nquit\nb\nc\n";
  for (std::size_t i = 0; i <= input.size(); ++i) {
    StringTransport transport;
    Recorder r;
    r.on_line = [&](std::string_view line) {
      if (line == "quit") r.transport().lose_connection();
    };
    transport.connect(r);
    transport.deliver(std::string_view(input).substr(0, i));
    transport.deliver(std::string_view(input).substr(i));
    EXPECT_EQ(r.lines, (Lines{"a", "quit"})) << "split at " << i;
  }
}

TEST(LineReceiver, NoLinesAfterAbortInsideLineReceived) {
  StringTransport transport;
  Recorder r;
  r.on_line = [&](std::string_view) { r.transport().abort_connection(); };
  transport.connect(r);
  transport.deliver("a\nb\n");
  EXPECT_EQ(r.lines, (Lines{"a"}));
  EXPECT_TRUE(transport.aborted());
}

TEST(LineReceiver, NoLinesAfterTheBufferedLineClosed) {
  StringTransport transport;
  Recorder r;
  r.on_line = [&](std::string_view) { r.transport().lose_connection(); };
  transport.connect(r);
  transport.deliver("par");
  transport.deliver("tial\nnext\n");
  EXPECT_EQ(r.lines, (Lines{"partial"}));
}

TEST(LineReceiver, OverLongInputAfterCloseDoesNotCallTheHook) {
  StringTransport transport;
  Recorder r;
  r.set_max_line_length(4);
  r.on_line = [&](std::string_view) { r.transport().lose_connection(); };
  transport.connect(r);
  transport.deliver("bye\n");
  transport.deliver("much too long, and no delimiter");
  transport.deliver("much too long\n");
  EXPECT_EQ(r.lines, (Lines{"bye"}));
  EXPECT_TRUE(r.exceeded.empty());
  EXPECT_EQ(r.buffered_line_bytes(), 0u);
}

TEST(LineReceiver, LoseConnectionInsideTheHookStopsDelivery) {
  StringTransport transport;
  Recorder r;
  r.set_max_line_length(3);
  transport.connect(r);
  transport.deliver("toolong\nshort\n");
  EXPECT_TRUE(r.lines.empty());
  EXPECT_EQ(r.exceeded, (Lines{"toolong"}));
}

// --- pausing -----------------------------------------------------------------------

// Pauses reading after every line and resumes only when the test says so:
// no line may arrive while reading is paused.
struct PausingRun {
  Lines lines;
  std::size_t lines_while_paused = 0;
  std::size_t resumes_with_more_than_one_line = 0;
};

PausingRun feed_pausing(const std::vector<std::string_view>& chunks, bool resume_between_chunks) {
  StringTransport transport;
  Recorder r;
  PausingRun run;
  r.on_line = [&](std::string_view) {
    if (r.transport().reading_paused()) ++run.lines_while_paused;
    r.transport().pause_reading();
  };
  transport.connect(r);
  auto resume_until_drained = [&] {
    for (std::size_t guard = 0; transport.reading_paused() && guard < 10000; ++guard) {
      const std::size_t before = r.lines.size();
      transport.resume_reading();
      if (r.lines.size() > before + 1) ++run.resumes_with_more_than_one_line;
    }
  };
  for (auto c : chunks) {
    transport.deliver(c);
    if (resume_between_chunks) resume_until_drained();
  }
  resume_until_drained();
  run.lines = r.lines;
  return run;
}

void expect_every_split_pausing(std::string_view input, const Lines& want) {
  auto check = [&](const std::vector<std::string_view>& chunks, const std::string& how) {
    for (bool between : {true, false}) {
      const PausingRun run = feed_pausing(chunks, between);
      EXPECT_EQ(run.lines, want) << how << (between ? ", resumed between chunks" : ", resumed at the end");
      EXPECT_EQ(run.lines_while_paused, 0u) << how;
      EXPECT_EQ(run.resumes_with_more_than_one_line, 0u) << how;
    }
  };
  check({input}, "whole");
  for (std::size_t i = 0; i <= input.size(); ++i) {
    check({input.substr(0, i), input.substr(i)}, "split at " + std::to_string(i));
    for (std::size_t j = i; j <= input.size(); ++j) {
      check({input.substr(0, i), input.substr(i, j - i), input.substr(j)},
            "split at " + std::to_string(i) + " and " + std::to_string(j));
    }
  }
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < input.size(); ++i) bytes.push_back(input.substr(i, 1));
  check(bytes, "single bytes");
}

TEST(LineReceiver, PausedInsideLineReceivedDeliversOneLinePerResumeAtEverySplit) {
  expect_every_split_pausing("alpha\nbeta\r\n\n\ngamma\r\ndelta\nrest", {"alpha", "beta", "", "", "gamma", "delta"});
}

TEST(LineReceiver, PausingStopsSplittingAndHoldsTheRest) {
  StringTransport transport;
  Recorder r;
  r.on_line = [&](std::string_view line) {
    if (line == "stop") r.transport().pause_reading();
  };
  transport.connect(r);
  transport.deliver("a\nstop\nb\nc\npart");
  EXPECT_EQ(r.lines, (Lines{"a", "stop"}));
  EXPECT_EQ(r.buffered_line_bytes(), 8u);  // "b\nc\npart", unsplit
  transport.deliver("ial\nd\n");           // queued by the paused transport
  EXPECT_EQ(r.lines, (Lines{"a", "stop"}));
  transport.resume_reading();
  EXPECT_EQ(r.lines, (Lines{"a", "stop", "b", "c", "partial", "d"}));
  EXPECT_EQ(r.buffered_line_bytes(), 0u);
}

// Flow control pauses too: a receiver that answers every line stops once the
// peer's unread output passes the high-water mark, however much input one
// read brought, and goes on when the peer reads.
TEST(LineReceiver, FlowControlPauseStopsSplitting) {
  StringTransport transport;
  Recorder r;
  r.on_line = [&](std::string_view line) { r.send_line(line); };
  transport.connect(r);
  transport.peer_stop_reading(/*high_water=*/100, /*low_water=*/10);
  transport.deliver(std::string(65536, '\n'));
  EXPECT_TRUE(transport.reading_paused());
  EXPECT_EQ(r.lines.size(), 101u);  // the line that crossed the mark is the last
  EXPECT_EQ(transport.buffered_bytes(), 101u);
  EXPECT_EQ(r.buffered_line_bytes(), 65536u - 101u);
  transport.peer_read_all();  // lifts the pause: the held lines go on
  EXPECT_EQ(r.lines.size(), 65536u);
  EXPECT_EQ(r.buffered_line_bytes(), 0u);
}

// resume_reading() inside line_received: input the transport queued while
// paused arrives from inside the callback and must wait for the held lines.
TEST(LineReceiver, ResumeInsideLineReceivedKeepsTheOrder) {
  StringTransport transport;
  Recorder r;
  r.on_line = [&](std::string_view line) {
    if (line == "p") r.transport().pause_reading();
    if (line == "b") {
      r.transport().pause_reading();
      r.transport().resume_reading();  // flushes the transport's queue: "x\n"
    }
  };
  transport.connect(r);
  transport.deliver("a\np\nb\nc\n");
  EXPECT_EQ(r.lines, (Lines{"a", "p"}));
  transport.deliver("x\n");
  transport.resume_reading();
  EXPECT_EQ(r.lines, (Lines{"a", "p", "b", "c", "x"}));
}

TEST(LineReceiver, NoHeldLineIsDeliveredAfterClose) {
  StringTransport transport;
  Recorder r;
  r.on_line = [&](std::string_view) { r.transport().pause_reading(); };
  transport.connect(r);
  transport.deliver("a\nb\nc\n");
  EXPECT_EQ(r.lines, (Lines{"a"}));
  r.transport().lose_connection();
  transport.resume_reading();
  EXPECT_EQ(r.lines, (Lines{"a"}));
  EXPECT_EQ(r.buffered_line_bytes(), 0u);
}

TEST(LineReceiver, CloseWhileSplittingHeldLinesStopsThem) {
  StringTransport transport;
  Recorder r;
  r.on_line = [&](std::string_view line) {
    if (line == "p") r.transport().pause_reading();
    if (line == "quit") r.transport().lose_connection();
  };
  transport.connect(r);
  transport.deliver("p\nb\nquit\nc\n");
  EXPECT_EQ(r.lines, (Lines{"p"}));
  transport.resume_reading();
  EXPECT_EQ(r.lines, (Lines{"p", "b", "quit"}));
  EXPECT_EQ(r.buffered_line_bytes(), 0u);
}

// --- buffered_line_bytes -----------------------------------------------------------

TEST(LineReceiver, BufferedLineBytes) {
  StringTransport transport;
  Recorder r;
  transport.connect(r);
  EXPECT_EQ(r.buffered_line_bytes(), 0u);
  transport.deliver("abc");
  EXPECT_EQ(r.buffered_line_bytes(), 3u);
  transport.deliver("de");
  EXPECT_EQ(r.buffered_line_bytes(), 5u);
  transport.deliver("\n");
  EXPECT_EQ(r.buffered_line_bytes(), 0u);
  transport.deliver("x\ny\nzz");
  EXPECT_EQ(r.buffered_line_bytes(), 2u);
}

TEST(LineReceiver, BufferedLineBytesHoldsAPartialDelimiter) {
  StringTransport transport;
  Recorder r;
  r.set_delimiter("\r\n");
  transport.connect(r);
  transport.deliver("ab\r");
  EXPECT_EQ(r.buffered_line_bytes(), 3u);
  transport.deliver("\n");
  EXPECT_EQ(r.lines, (Lines{"ab"}));
  EXPECT_EQ(r.buffered_line_bytes(), 0u);
}

}  // namespace
}  // namespace braid
