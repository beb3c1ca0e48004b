#include "parser/ast.h"

#include <cstdio>
#include <sstream>

namespace ut::ast {

const char *spelling(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add:
      return "+";
    case BinaryOp::Sub:
      return "-";
    case BinaryOp::Mul:
      return "*";
    case BinaryOp::Div:
      return "/";
    case BinaryOp::Mod:
      return "%";
    case BinaryOp::BitAnd:
      return "&";
    case BinaryOp::BitOr:
      return "|";
    case BinaryOp::BitXor:
      return "^";
    case BinaryOp::Shl:
      return "<<";
    case BinaryOp::Shr:
      return ">>";
    case BinaryOp::Lt:
      return "<";
    case BinaryOp::Le:
      return "<=";
    case BinaryOp::Gt:
      return ">";
    case BinaryOp::Ge:
      return ">=";
    case BinaryOp::Eq:
      return "==";
    case BinaryOp::Ne:
      return "!=";
    case BinaryOp::LogAnd:
      return "&&";
    case BinaryOp::LogOr:
      return "||";
  }
  return "?";
}

const char *spelling(UnaryOp op) {
  switch (op) {
    case UnaryOp::Neg:
      return "-";
    case UnaryOp::LogNot:
      return "!";
    case UnaryOp::BitNot:
      return "~";
    case UnaryOp::Deref:
      return "*";
    case UnaryOp::PreInc:
      return "++ (pre)";
    case UnaryOp::PreDec:
      return "-- (pre)";
    case UnaryOp::PostInc:
      return "++ (post)";
    case UnaryOp::PostDec:
      return "-- (post)";
  }
  return "?";
}

namespace {

// A string literal's value as it could be written in a script.
std::string escaped(const std::string &s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          snprintf(buf, sizeof(buf), "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

class Dumper {
 public:
  std::string run(const Program &p) {
    line(0, "program");
    for (const Probe *probe : p.probes) dump_probe(*probe);
    return out_.str();
  }

 private:
  void line(int depth, const std::string &text) {
    out_ << std::string(depth * 2, ' ') << text << '\n';
  }

  void dump_probe(const Probe &probe) {
    line(1, "probe");
    for (const AttachPoint *ap : probe.attach_points) line(2, ap->text);
    if (probe.predicate) {
      line(2, "predicate");
      dump_expr(*probe.predicate, 3);
    }
    dump_stmt(*probe.body, 2);
  }

  void dump_stmt(const Stmt &s, int d) {
    switch (s.kind) {
      case Stmt::Kind::Expr:
        dump_expr(*as<ExprStmt>(s).expr, d);
        break;
      case Stmt::Kind::Assign: {
        const auto &a = as<Assign>(s);
        line(d, a.compound ? std::string(spelling(a.op)) + "=" : "=");
        dump_expr(*a.target, d + 1);
        dump_expr(*a.value, d + 1);
        break;
      }
      case Stmt::Kind::Let: {
        const auto &l = as<Let>(s);
        line(d, "let " + l.var->name);
        if (l.value) dump_expr(*l.value, d + 1);
        break;
      }
      case Stmt::Kind::For: {
        const auto &f = as<For>(s);
        line(d, "for " + f.var->name);
        dump_expr(*f.begin, d + 1);
        if (f.end) dump_expr(*f.end, d + 1);
        dump_stmt(*f.body, d + 1);
        break;
      }
      case Stmt::Kind::Block: {
        const auto &b = as<Block>(s);
        line(d, b.angle ? "block < >" : "block { }");
        for (const Stmt *st : b.stmts) dump_stmt(*st, d + 1);
        break;
      }
      case Stmt::Kind::If: {
        const auto &i = as<If>(s);
        line(d, "if");
        dump_expr(*i.cond, d + 1);
        dump_stmt(*i.then_block, d + 1);
        if (i.else_stmt) {
          line(d, "else");
          dump_stmt(*i.else_stmt, d + 1);
        }
        break;
      }
      case Stmt::Kind::While: {
        const auto &w = as<While>(s);
        line(d, "while");
        dump_expr(*w.cond, d + 1);
        dump_stmt(*w.body, d + 1);
        break;
      }
      case Stmt::Kind::Unroll: {
        const auto &u = as<Unroll>(s);
        line(d, "unroll");
        dump_expr(*u.count, d + 1);
        dump_stmt(*u.body, d + 1);
        break;
      }
      case Stmt::Kind::Return:
        line(d, "return");
        break;
      case Stmt::Kind::Break:
        line(d, "break");
        break;
      case Stmt::Kind::Continue:
        line(d, "continue");
        break;
      case Stmt::Kind::Error:
        line(d, "<error>");
        break;
    }
  }

  void dump_expr(const Expr &e, int d) {
    switch (e.kind) {
      case Expr::Kind::Integer:
        line(d, "int: " + std::to_string(as<Integer>(e).value));
        break;
      case Expr::Kind::String:
        line(d, "string: " + escaped(as<String>(e).value));
        break;
      case Expr::Kind::Identifier:
        line(d, "builtin: " + as<Identifier>(e).name);
        break;
      case Expr::Kind::Variable:
        line(d, "variable: " + as<Variable>(e).name);
        break;
      case Expr::Kind::Positional:
        line(d, "param: $" + std::to_string(as<Positional>(e).index));
        break;
      case Expr::Kind::PositionalCount:
        line(d, "param: $#");
        break;
      case Expr::Kind::Map: {
        const auto &m = as<Map>(e);
        line(d, "map: " + m.name);
        for (const Expr *k : m.keys) dump_expr(*k, d + 1);
        break;
      }
      case Expr::Kind::Call: {
        const auto &c = as<Call>(e);
        line(d, "call: " + c.name);
        for (const Expr *a : c.args) dump_expr(*a, d + 1);
        break;
      }
      case Expr::Kind::Binary: {
        const auto &b = as<Binary>(e);
        line(d, spelling(b.op));
        dump_expr(*b.lhs, d + 1);
        dump_expr(*b.rhs, d + 1);
        break;
      }
      case Expr::Kind::Unary: {
        const auto &u = as<Unary>(e);
        line(d, u.op == UnaryOp::Deref ? "dereference" : spelling(u.op));
        dump_expr(*u.operand, d + 1);
        break;
      }
      case Expr::Kind::Ternary: {
        const auto &t = as<Ternary>(e);
        line(d, "?:");
        dump_expr(*t.cond, d + 1);
        dump_expr(*t.then_expr, d + 1);
        dump_expr(*t.else_expr, d + 1);
        break;
      }
      case Expr::Kind::Cast: {
        const auto &c = as<Cast>(e);
        line(d, "(" + c.type_name + std::string(c.pointer_depth, '*') + ")");
        dump_expr(*c.operand, d + 1);
        break;
      }
      case Expr::Kind::Sizeof: {
        const auto &s = as<Sizeof>(e);
        std::string what = " " + s.type_name + std::string(s.pointer_depth, '*');
        if (!s.tuple_types.empty()) {
          what = " (";
          for (size_t i = 0; i < s.tuple_types.size(); ++i)
            what += (i ? ", " : "") + s.tuple_types[i].first +
                    std::string(s.tuple_types[i].second, '*');
          what += ")";
        }
        line(d, "sizeof" + (s.operand ? std::string() : what));
        if (s.operand) dump_expr(*s.operand, d + 1);
        break;
      }
      case Expr::Kind::Tuple: {
        line(d, "tuple");
        for (const Expr *el : as<Tuple>(e).elements) dump_expr(*el, d + 1);
        break;
      }
      case Expr::Kind::Field: {
        const auto &f = as<Field>(e);
        line(d, std::string(f.arrow ? "->" : ".") + f.name);
        dump_expr(*f.base, d + 1);
        break;
      }
      case Expr::Kind::Index: {
        const auto &i = as<Index>(e);
        line(d, "[]");
        dump_expr(*i.base, d + 1);
        dump_expr(*i.index, d + 1);
        break;
      }
    }
  }

  std::ostringstream out_;
};

}  // namespace

std::string dump(const Program &program) {
  return Dumper().run(program);
}

}  // namespace ut::ast
