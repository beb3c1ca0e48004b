// The syntax tree of a utrace script. Nodes are plain data owned by an ast::Context arena; a node
// records what was written and where, never what it means (types and resolution live in codegen).
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "support/source.h"

namespace ut::ast {

enum class BinaryOp {
  Add,
  Sub,
  Mul,
  Div,
  Mod,
  BitAnd,
  BitOr,
  BitXor,
  Shl,
  Shr,
  Lt,
  Le,
  Gt,
  Ge,
  Eq,
  Ne,
  LogAnd,
  LogOr,
};
enum class UnaryOp { Neg, LogNot, BitNot, Deref, PreInc, PreDec, PostInc, PostDec };

// The operator as written in a script: "+", "<<", "&&", ...
const char *spelling(BinaryOp op);
const char *spelling(UnaryOp op);

struct Node {
  Range range;
};

struct Expr : Node {
  enum class Kind {
    Integer,
    String,
    Identifier,
    Variable,
    Positional,
    PositionalCount,
    Map,
    Call,
    Binary,
    Unary,
    Ternary,
    Cast,
    Tuple,
    Field,
    Index,
    Sizeof,
  };
  explicit Expr(Kind k) : kind(k) {}
  const Kind kind;
};

struct Integer : Expr {
  Integer() : Expr(Kind::Integer) {}
  uint64_t value = 0;
};
struct String : Expr {
  String() : Expr(Kind::String) {}
  std::string value;  // escapes already decoded
};
// A bare name in an expression: a builtin such as `pid`, `nsecs`, `arg0`.
struct Identifier : Expr {
  Identifier() : Expr(Kind::Identifier) {}
  std::string name;
};
// A scratch variable `$name`.
struct Variable : Expr {
  Variable() : Expr(Kind::Variable) {}
  std::string name;  // with the `$`
};
// A positional parameter `$1`...
struct Positional : Expr {
  Positional() : Expr(Kind::Positional) {}
  uint32_t index = 0;
};
// `$#`, the number of positional parameters.
struct PositionalCount : Expr {
  PositionalCount() : Expr(Kind::PositionalCount) {}
};
// `@name` or `@name[k1, k2]`; the bare map `@` has the name "@".
struct Map : Expr {
  Map() : Expr(Kind::Map) {}
  std::string name;  // with the `@`
  std::vector<Expr *> keys;
};
struct Call : Expr {
  Call() : Expr(Kind::Call) {}
  std::string name;
  Range name_range;
  std::vector<Expr *> args;
};
struct Binary : Expr {
  Binary() : Expr(Kind::Binary) {}
  BinaryOp op{};
  Expr *lhs = nullptr;
  Expr *rhs = nullptr;
};
struct Unary : Expr {
  Unary() : Expr(Kind::Unary) {}
  UnaryOp op{};
  Expr *operand = nullptr;
};
struct Ternary : Expr {
  Ternary() : Expr(Kind::Ternary) {}
  Expr *cond = nullptr;
  Expr *then_expr = nullptr;
  Expr *else_expr = nullptr;
};
// `(type)expr` or `(type *)expr`.
struct Cast : Expr {
  Cast() : Expr(Kind::Cast) {}
  std::string type_name;  // "int32", "struct Line", "union U", "point_t" (a typedef)
  uint32_t pointer_depth = 0;
  Expr *operand = nullptr;
};
// `sizeof(type)` or `sizeof(expr)`: a constant, the bytes the type occupies.
struct Sizeof : Expr {
  Sizeof() : Expr(Kind::Sizeof) {}
  std::string type_name;  // empty when `operand` is set
  uint32_t pointer_depth = 0;
  Expr *operand = nullptr;
  // `sizeof((int8, int16, int32))`: a tuple of types, laid out as C lays out a struct of them.
  std::vector<std::pair<std::string, uint32_t>> tuple_types;  // (type name, pointer depth)
};
struct Tuple : Expr {
  Tuple() : Expr(Kind::Tuple) {}
  std::vector<Expr *> elements;
};
// `e.name`, `e->name` or a tuple index `e.0`.
struct Field : Expr {
  Field() : Expr(Kind::Field) {}
  Expr *base = nullptr;
  std::string name;
  bool arrow = false;
};

// `e[index]`: an element of a Go slice parameter (args.xs[i]).
struct Index : Expr {
  Index() : Expr(Kind::Index) {}
  Expr *base = nullptr;
  Expr *index = nullptr;
};

struct Block;

struct Stmt : Node {
  enum class Kind {
    Expr,
    Assign,
    Let,
    If,
    While,
    Unroll,
    For,
    Return,
    Break,
    Continue,
    Block,
    Error
  };
  explicit Stmt(Kind k) : kind(k) {}
  const Kind kind;
};

struct ExprStmt : Stmt {
  ExprStmt() : Stmt(Kind::Expr) {}
  Expr *expr = nullptr;
};
// `target = value` or a compound form `target op= value`; `target` is a Map or a Variable.
struct Assign : Stmt {
  Assign() : Stmt(Kind::Assign) {}
  Expr *target = nullptr;
  bool compound = false;
  BinaryOp op{};  // meaningful when compound
  Expr *value = nullptr;
};
// `let $x;` or `let $x = value;`: declares $x in the enclosing block.
struct Let : Stmt {
  Let() : Stmt(Kind::Let) {}
  Variable *var = nullptr;
  Expr *value = nullptr;  // may be null
};
struct Block : Stmt {
  Block() : Stmt(Kind::Block) {}
  std::vector<Stmt *> stmts;
  bool angle = false;  // written `< ... >` instead of `{ ... }`
};
struct If : Stmt {
  If() : Stmt(Kind::If) {}
  Expr *cond = nullptr;
  Block *then_block = nullptr;
  Stmt *else_stmt = nullptr;  // a Block, an If (else if), or null
};
struct While : Stmt {
  While() : Stmt(Kind::While) {}
  Expr *cond = nullptr;
  Block *body = nullptr;
};
struct Unroll : Stmt {
  Unroll() : Stmt(Kind::Unroll) {}
  Expr *count = nullptr;
  Block *body = nullptr;
};
// `for ($i : begin..end) { }` counts from begin up to, not including, end.
// `for ($kv : @map) { }` has no `end`: it walks a map.
struct For : Stmt {
  For() : Stmt(Kind::For) {}
  Variable *var = nullptr;
  Expr *begin = nullptr;
  Expr *end = nullptr;
  Block *body = nullptr;
};
struct Jump : Stmt {
  explicit Jump(Kind k) : Stmt(k) {}
};
// Where a syntax error was recovered from; analysis skips it.
struct ErrorStmt : Stmt {
  ErrorStmt() : Stmt(Kind::Error) {}
};

// One attach point as written, e.g. `uprobe:/tmp/counter:"main.doWork"`. `parts` are the
// colon-separated fields with quotes removed: {"uprobe", "/tmp/counter", "main.doWork"}.
struct AttachPoint : Node {
  std::string text;
  std::vector<std::string> parts;
};

struct Probe : Node {
  std::vector<AttachPoint *> attach_points;
  Expr *predicate = nullptr;
  Block *body = nullptr;
};

struct Program : Node {
  std::vector<Probe *> probes;
  const SourceFile *source = nullptr;  // the text this was parsed from
  // The C definitions before and between the probes (struct, union, enum, typedef, #include,
  // #define), at their places in the script: every other character is a space (newlines are
  // kept), so a line and column in this text are the same in the script. Empty when none.
  std::string c_definitions;
  // Every bare name the probes use (`pid`, `AF_INET`), builtins included: ctypes evaluates those
  // the C definitions define as macros.
  std::set<std::string> identifiers;
};

// Owns every node of one parse. Nodes are never freed individually.
class Context {
 public:
  template <typename T, typename... Args>
  T *make(const Range &range, Args &&...args) {
    auto node = std::make_unique<T>(std::forward<Args>(args)...);
    node->range = range;
    T *raw = node.get();
    nodes_.push_back(std::unique_ptr<Node, void (*)(Node *)>(node.release(), &destroy<T>));
    return raw;
  }

 private:
  template <typename T>
  static void destroy(Node *n) {
    delete static_cast<T *>(n);
  }
  std::vector<std::unique_ptr<Node, void (*)(Node *)>> nodes_;
};

template <typename T>
T &as(Expr &e) {
  return static_cast<T &>(e);
}
template <typename T>
const T &as(const Expr &e) {
  return static_cast<const T &>(e);
}
template <typename T>
const T &as(const Stmt &s) {
  return static_cast<const T &>(s);
}

// The tree as indented text, one node a line (`utrace --dump=ast`).
std::string dump(const Program &program);

}  // namespace ut::ast
