#include <gtest/gtest.h>

#include "parser/diagnostics.h"

namespace ut {
namespace {

TEST(Diagnostics, TabsAreShownAsFourSpaces) {
  SourceFile src{"t.bt", "BEGIN {\n\t@x = foo;\n}\n"};
  Diagnostics d;
  d.error(Range{{2, 7}, {2, 10}}, "Unknown identifier: 'foo'");
  EXPECT_EQ(render(d.all()[0], src),
            "t.bt:2:7-10: ERROR: Unknown identifier: 'foo'\n"
            "    @x = foo;\n"
            "         ~~~\n");
}

TEST(Diagnostics, MultiLineRangesPrintNoContext) {
  SourceFile src{"stdin", "a\nb\n"};
  Diagnostics d;
  d.warning(Range{{1, 1}, {2, 2}}, "spans lines");
  EXPECT_EQ(render(d.all()[0], src), "stdin:1-2: WARNING: spans lines\n");
}

TEST(Diagnostics, UnlocatedErrors) {
  Diagnostics d;
  d.error("no probes").hint("add one");
  EXPECT_TRUE(d.has_errors());
  EXPECT_EQ(render(d.all()[0], SourceFile{}), "ERROR: no probes\nHINT: add one\n");
}

}  // namespace
}  // namespace ut
