// Lowering reads through C types: a member (`s.x`, `p->x`), an element (`a[i]`, `p[i]`) and
// `*p`. A chain of them is followed as addresses and offsets, and only the last member is
// read: `$l->a.x` reads the 4 bytes of x, never all of *$l. Internal to codegen/; used by the
// lowering (codegen/lower.cpp).
#pragma once

#include <string>

#include "codegen/semantic.h"
#include "parser/ast.h"

namespace ut::codegen {

class LowerContext;

// Whether `e` is such a read (analysis typed it so): a Field of a record or of a pointer to
// one, an Index of an array or a pointer, or `*` of a pointer.
bool is_typed_access(const ast::Expr &e, const SemanticInfo &sema);

// The C value of `e` (is_typed_access): a local holding what was read.
std::string lower_typed_access(LowerContext &lc, const ast::Expr &e);

// The bytes a pointer of type `t` steps by in `p + n`, `p++` and `p -= n`: its pointee's size
// (1 for a pointer to nothing sized).
uint32_t pointer_step(const Type &t);

}  // namespace ut::codegen
