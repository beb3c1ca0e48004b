// libclang parses the script's C definitions as an unsaved file; its answers about sizes,
// alignments and offsets become codegen's Records and Types.
#include "ctypes/c_definitions.h"

#include <clang-c/Index.h>
#include <dlfcn.h>

#include <array>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ut::ctypes {
namespace {

using codegen::CDefinitions;
using codegen::Record;
using codegen::RecordField;
using codegen::Type;

// The name libclang knows the text by. Relative, so `#include "x.h"` looks in the current
// directory, as it does for bpftrace.
constexpr const char *kMainFile = "definitions.c";

// --- libclang's handles, owned ---

std::string take(CXString s) {
  const char *chars = clang_getCString(s);
  std::string out = chars ? chars : "";
  clang_disposeString(s);
  return out;
}

struct IndexDeleter {
  void operator()(void *index) const { clang_disposeIndex(index); }
};
using IndexHandle = std::unique_ptr<void, IndexDeleter>;

struct TranslationUnitDeleter {
  void operator()(CXTranslationUnit tu) const { clang_disposeTranslationUnit(tu); }
};
using TranslationUnitHandle = std::unique_ptr<CXTranslationUnitImpl, TranslationUnitDeleter>;

struct DiagnosticDeleter {
  void operator()(void *diagnostic) const { clang_disposeDiagnostic(diagnostic); }
};
using DiagnosticHandle = std::unique_ptr<void, DiagnosticDeleter>;

// clang_visitChildren with a callable: visit(cursor) says how to go on.
template <typename Visit>
void visit_children(CXCursor parent, Visit visit) {
  clang_visitChildren(
      parent,
      [](CXCursor cursor, CXCursor, CXClientData data) -> CXChildVisitResult {
        return (*static_cast<Visit *>(data))(cursor);
      },
      &visit);
}

// clang_Type_visitFields with a callable: every field of a record, anonymous members included
// (clang_visitChildren shows their records, not the fields that hold them).
template <typename Visit>
void visit_fields(CXType record, Visit visit) {
  clang_Type_visitFields(
      record,
      [](CXCursor field, CXClientData data) -> CXVisitorResult {
        return (*static_cast<Visit *>(data))(field);
      },
      &visit);
}

// --- compiler arguments ---

// "14.0.6" -> {14, 0, 6}; stops at the first part that is not a number.
std::vector<unsigned> version_numbers(const std::string &name) {
  std::vector<unsigned> out;
  const char *at = name.data(), *end = name.data() + name.size();
  while (at < end) {
    unsigned part = 0;
    auto [next, ec] = std::from_chars(at, end, part);
    if (ec != std::errc()) break;
    out.push_back(part);
    at = next < end && *next == '.' ? next + 1 : end;
  }
  return out;
}

// Clang's own headers (stddef.h, stdarg.h and the front of stdint.h), which sit beside the
// libclang that runs: LIBDIR/clang/VERSION/include, LIBDIR being the folder the library is
// loaded from or its parent (Debian loads /usr/lib/x86_64-linux-gnu/libclang-14.so and keeps
// the headers in /usr/lib/clang/14.0.6), or else the folder CMake found libclang in
// (/usr/lib/llvm-14/lib). The newest VERSION wins. nullopt when there is none.
std::optional<std::string> clang_resource_include_dir() {
  namespace fs = std::filesystem;
  std::vector<fs::path> lib_dirs;
  Dl_info info;
  if (dladdr(reinterpret_cast<void *>(&clang_createIndex), &info) && info.dli_fname) {
    std::error_code ec;
    fs::path library = fs::canonical(info.dli_fname, ec);
    if (!ec) {
      lib_dirs.push_back(library.parent_path());
      lib_dirs.push_back(library.parent_path().parent_path());
    }
  }
  lib_dirs.push_back(UT_LLVM_LIBRARY_DIR);
  for (const fs::path &lib_dir : lib_dirs) {
    std::optional<std::pair<std::vector<unsigned>, fs::path>> newest;
    std::error_code ec;
    for (fs::directory_iterator it(lib_dir / "clang", ec), end; !ec && it != end;
         it.increment(ec)) {
      fs::path include = it->path() / "include";
      std::error_code missing;
      if (!fs::exists(include / "stddef.h", missing)) continue;
      std::vector<unsigned> version = version_numbers(it->path().filename().string());
      if (!newest || version > newest->first) newest.emplace(std::move(version), include);
    }
    if (newest) return newest->second.string();
  }
  return std::nullopt;
}

// C as gcc's gnu11 for x86_64 Linux, with the system's headers: the text describes the memory
// of x86_64 programs, whatever machine utrace is built on.
std::vector<std::string> compiler_arguments(const LayoutOptions &options) {
  std::vector<std::string> args = {"-x", "c", "-std=gnu11", "--target=x86_64-pc-linux-gnu"};
  for (const std::string &dir : options.include_dirs) {
    args.push_back("-I");
    args.push_back(dir);
  }
  static const std::optional<std::string> resource_dir = clang_resource_include_dir();
  if (resource_dir) {
    args.push_back("-isystem");
    args.push_back(*resource_dir);
  }
  for (const char *dir : {"/usr/local/include", "/usr/include/x86_64-linux-gnu", "/usr/include"}) {
    args.push_back("-isystem");
    args.push_back(dir);
  }
  for (const std::string &file : options.include_files) {
    args.push_back("-include");
    args.push_back(file);
  }
  return args;
}

// Parses `text` as the main file. Function bodies (of headers' inline functions) say nothing
// about layouts or constants, so they are skipped.
TranslationUnitHandle parse(CXIndex index, const std::string &text,
                            const std::vector<std::string> &args, unsigned flags,
                            CXErrorCode &code) {
  std::vector<const char *> argv;
  for (const std::string &arg : args) argv.push_back(arg.c_str());
  CXUnsavedFile unsaved{kMainFile, text.data(), static_cast<unsigned long>(text.size())};
  CXTranslationUnit tu = nullptr;
  code =
      clang_parseTranslationUnit2(index, kMainFile, argv.data(), static_cast<int>(argv.size()),
                                  &unsaved, 1, flags | CXTranslationUnit_SkipFunctionBodies, &tu);
  return TranslationUnitHandle(tu);
}

// --- errors ---

Position position_of(CXSourceLocation location) {
  unsigned line = 0, column = 0;
  clang_getSpellingLocation(location, nullptr, &line, &column, nullptr);
  return Position{line, column};
}

CXFile file_of(CXSourceLocation location) {
  CXFile file = nullptr;
  clang_getSpellingLocation(location, &file, nullptr, nullptr, nullptr);
  return file;
}

using FileId = std::array<unsigned long long, 3>;

std::optional<FileId> id_of(CXFile file) {
  CXFileUniqueID id;
  if (!file || clang_getFileUniqueID(file, &id) != 0) return std::nullopt;
  return FileId{id.data[0], id.data[1], id.data[2]};
}

// Places libclang's errors in the script: an error in the text where it is, one in a header at
// the script's #include that brought the header in.
class ErrorPlacer {
 public:
  explicit ErrorPlacer(CXTranslationUnit tu) : tu_(tu), main_(clang_getFile(tu, kMainFile)) {
    clang_getInclusions(tu, &ErrorPlacer::note_inclusion, this);
  }

  void report(CXDiagnostic diagnostic, Diagnostics &diags) const {
    std::string message = take(clang_getDiagnosticSpelling(diagnostic));
    CXSourceLocation location = clang_getDiagnosticLocation(diagnostic);
    CXFile file = file_of(location);
    if (!file) {
      diags.error(std::move(message));
      return;
    }
    if (in_main_file(location)) {
      diags.error(range_at(location, diagnostic), std::move(message));
      return;
    }
    // Written in a header, but perhaps expanded from a macro in the text.
    CXFile expanded_in = nullptr;
    unsigned line = 0, column = 0;
    clang_getExpansionLocation(location, &expanded_in, &line, &column, nullptr);
    if (expanded_in && main_ && clang_File_isEqual(expanded_in, main_)) {
      diags.error(range_at(clang_getLocation(tu_, main_, line, column), nullptr),
                  std::move(message));
      return;
    }
    std::string located = take(clang_getFileName(file)) + ":" +
                          std::to_string(position_of(location).line) + ": " + message;
    auto id = id_of(file);
    auto site = id ? include_sites_.find(*id) : include_sites_.end();
    if (site == include_sites_.end()) {
      diags.error(std::move(located));  // a --include file's, which no line of the text includes
      return;
    }
    diags.error(include_range(site->second), std::move(located));
  }

 private:
  // Keeps, for each header, the #include in the text that brought it in (directly or through
  // other headers). The stack lists the #include lines from the header's outwards.
  static void note_inclusion(CXFile header, CXSourceLocation *stack, unsigned depth,
                             CXClientData data) {
    auto *self = static_cast<ErrorPlacer *>(data);
    auto id = id_of(header);
    if (!id) return;
    for (unsigned i = 0; i < depth; ++i) {
      if (self->in_main_file(stack[i])) {
        self->include_sites_.emplace(*id, stack[i]);
        return;
      }
    }
  }

  bool in_main_file(CXSourceLocation location) const {
    CXFile file = file_of(location);
    return file && main_ && clang_File_isEqual(file, main_);
  }

  // The file name of the #include at `site`: `<outer.h>`.
  Range include_range(CXSourceLocation site) const {
    Position at = position_of(site);
    CXCursor directive = clang_getCursor(tu_, site);
    if (clang_getCursorKind(directive) == CXCursor_InclusionDirective) {
      Position end = position_of(clang_getRangeEnd(clang_getCursorExtent(directive)));
      if (end.line == at.line && end.column > at.column) return Range{at, end};
    }
    return range_at(site, nullptr);
  }

  // What to underline: the diagnostic's own range around the location as clang underlines it
  // (`<nosuch.h>`), else the token there (`foo`), else one column.
  Range range_at(CXSourceLocation location, CXDiagnostic diagnostic) const {
    Position at = position_of(location);
    unsigned ranges = diagnostic ? clang_getDiagnosticNumRanges(diagnostic) : 0;
    for (unsigned i = 0; i < ranges; ++i) {
      CXSourceRange range = clang_getDiagnosticRange(diagnostic, i);
      CXSourceLocation start = clang_getRangeStart(range), end = clang_getRangeEnd(range);
      Position b = position_of(start), e = position_of(end);
      if (in_main_file(start) && b.line == at.line && e.line == at.line && b.column <= at.column &&
          at.column < e.column) {
        return Range{b, e};
      }
    }
    if (CXToken *token = clang_getToken(tu_, location)) {
      CXSourceRange extent = clang_getTokenExtent(tu_, *token);
      Position b = position_of(clang_getRangeStart(extent));
      Position e = position_of(clang_getRangeEnd(extent));
      clang_disposeTokens(tu_, token, 1);
      if (b.line == at.line && b.column == at.column && e.line == at.line && e.column > b.column) {
        return Range{b, e};
      }
    }
    return Range{at, Position{at.line, at.column + 1}};
  }

  CXTranslationUnit tu_;
  CXFile main_;
  std::map<FileId, CXSourceLocation> include_sites_;
};

// --- types ---

bool is_identifier(const std::string &s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// "struct Point", "union Value"; "" for an anonymous struct or union, also one a typedef names
// (libclang 14 spells those "", later versions "(anonymous struct at ...)").
std::string record_name(CXCursor declaration) {
  std::string tag = take(clang_getCursorSpelling(declaration));
  if (clang_Cursor_isAnonymous(declaration) || !is_identifier(tag)) return "";
  return (clang_getCursorKind(declaration) == CXCursor_UnionDecl ? "union " : "struct ") + tag;
}

// Plain `char`, whose arrays hold text (bpftrace's rule); `unsigned char` and `signed char`
// arrays hold bytes and stay arrays of integers.
bool is_char(CXType type) {
  switch (clang_getCanonicalType(type).kind) {
    case CXType_Char_S:
    case CXType_Char_U:
      return true;
    default:
      return false;
  }
}

// Turns libclang's types into codegen's, sharing one Record per struct or union definition.
class TypeConverter {
 public:
  Type convert(CXType type) {
    type = clang_getCanonicalType(type);
    switch (type.kind) {
      case CXType_Bool:
        return Type::integer(8, false);
      case CXType_Char_S:
      case CXType_Char_U:  // char is signed on x86_64
      case CXType_SChar:
        return Type::integer(8, true);
      case CXType_UChar:
        return Type::integer(8, false);
      case CXType_Short:
      case CXType_Int:
      case CXType_Long:
      case CXType_LongLong:
      case CXType_WChar:
        return integer_of_size(type, true);
      case CXType_UShort:
      case CXType_UInt:
      case CXType_ULong:
      case CXType_ULongLong:
      case CXType_Char16:
      case CXType_Char32:
        return integer_of_size(type, false);
      case CXType_Enum:
        return convert(clang_getEnumDeclIntegerType(clang_getTypeDeclaration(type)));
      case CXType_Pointer:
        return pointer_to(clang_getPointeeType(type));
      case CXType_ConstantArray:
        return array_of(clang_getArrayElementType(type), clang_getArraySize(type));
      case CXType_IncompleteArray:  // a flexible array member: `int a[]`
        return array_of(clang_getArrayElementType(type), 0);
      case CXType_Record: {
        CXCursor definition = clang_getCursorDefinition(clang_getTypeDeclaration(type));
        if (clang_Cursor_isNull(definition)) return name_only(type);
        auto record = lay_out(definition);
        return record ? Type::of_record(record) : Type::none();
      }
      default:  // floating point, __int128, vectors: nothing utrace reads
        return Type::none();
    }
  }

  // The layout of a struct or union definition; null when libclang found it invalid (it said
  // why in an error).
  std::shared_ptr<const Record> lay_out(CXCursor definition) {
    unsigned hash = clang_hashCursor(definition);
    for (auto [it, end] = laid_out_.equal_range(hash); it != end; ++it) {
      if (clang_equalCursors(it->second.first, definition)) return it->second.second;
    }
    std::shared_ptr<const Record> record = read_record(definition);
    laid_out_.emplace(hash, std::make_pair(definition, record));
    return record;
  }

 private:
  static Type integer_of_size(CXType type, bool is_signed) {
    long long size = clang_Type_getSizeOf(type);
    if (size != 1 && size != 2 && size != 4 && size != 8) return Type::none();
    return Type::integer(static_cast<uint32_t>(size * 8), is_signed);
  }

  // bpftrace reads char arrays as strings.
  Type array_of(CXType element, long long count) {
    if (count < 0) return Type::none();
    if (is_char(element)) return Type::string(static_cast<uint32_t>(count));
    Type converted = convert(element);
    if (converted.is_none()) return Type::none();
    return Type::array(converted, static_cast<uint32_t>(count));
  }

  // A named struct or union behind a pointer is known by its name only, which keeps
  // `struct node { struct node *next; }` finite; analysis looks the name up when `->` follows
  // it. An anonymous one has no name to look up, so the pointer holds its layout.
  Type pointer_to(CXType pointee) {
    pointee = clang_getCanonicalType(pointee);
    switch (pointee.kind) {
      case CXType_Void:
      case CXType_FunctionProto:
      case CXType_FunctionNoProto:
        return Type::pointer(Type::integer(8, false));
      case CXType_Record:
        if (!record_name(clang_getTypeDeclaration(pointee)).empty()) {
          return Type::pointer(name_only(pointee));
        }
        break;
      default:
        break;
    }
    return Type::pointer(convert(pointee));
  }

  // A record known by name only, with its size and alignment when it is defined somewhere.
  Type name_only(CXType type) {
    CXCursor declaration = clang_getTypeDeclaration(type);
    std::string name = record_name(declaration);
    if (name.empty()) return Type::none();
    auto &known = name_only_[name];
    if (!known) {
      auto record = std::make_shared<Record>();
      record->name = name;
      record->is_union = clang_getCursorKind(declaration) == CXCursor_UnionDecl;
      record->complete = false;
      long long size = clang_Type_getSizeOf(type), align = clang_Type_getAlignOf(type);
      if (size >= 0 && align > 0) {
        record->size = static_cast<uint32_t>(size);
        record->align = static_cast<uint32_t>(align);
      }
      known = record;
    }
    return Type::of_record(known);
  }

  std::shared_ptr<const Record> read_record(CXCursor definition) {
    if (clang_isInvalidDeclaration(definition)) return nullptr;
    CXType type = clang_getCursorType(definition);
    long long size = clang_Type_getSizeOf(type), align = clang_Type_getAlignOf(type);
    if (size < 0 || align <= 0) return nullptr;
    auto record = std::make_shared<Record>();
    record->name = record_name(definition);
    record->is_union = clang_getCursorKind(definition) == CXCursor_UnionDecl;
    record->size = static_cast<uint32_t>(size);
    record->align = static_cast<uint32_t>(align);
    bool valid = true;
    visit_fields(type, [&](CXCursor field) {
      long long bit = clang_Cursor_getOffsetOfField(field);
      if (bit < 0) {
        valid = false;
        return CXVisit_Break;
      }
      RecordField f;
      f.name = take(clang_getCursorSpelling(field));
      bool bitfield = clang_Cursor_isBitField(field);
      if (bitfield && f.name.empty()) return CXVisit_Continue;  // padding: `int : 3;`
      f.type = convert(clang_getCursorType(field));
      f.offset = static_cast<uint32_t>(bit / 8);
      if (bitfield) {
        f.bit_shift = static_cast<uint32_t>(bit % 8);
        f.bit_width = static_cast<uint32_t>(clang_getFieldDeclBitWidth(field));
      }
      record->fields.push_back(std::move(f));
      return CXVisit_Continue;
    });
    if (!valid) return nullptr;
    return record;
  }

  // By clang_hashCursor; clang_equalCursors tells apart the definitions a hash shares.
  std::unordered_multimap<unsigned, std::pair<CXCursor, std::shared_ptr<const Record>>> laid_out_;
  std::map<std::string, std::shared_ptr<const Record>> name_only_;
};

// --- the walk ---

class Collector {
 public:
  Collector(CDefinitions &out, const std::set<std::string> &wanted) : out_(out), wanted_(wanted) {}

  // The definitions among `parent`'s children: the file's, then again inside each struct and
  // union, where C declares nested structs and enums at file scope.
  void collect(CXCursor parent) {
    visit_children(parent, [this](CXCursor cursor) {
      switch (clang_getCursorKind(cursor)) {
        case CXCursor_StructDecl:
        case CXCursor_UnionDecl:
          if (clang_isCursorDefinition(cursor)) {
            std::string name = record_name(cursor);
            if (!name.empty()) {
              if (auto record = types_.lay_out(cursor)) out_.records.emplace(name, record);
            }
            collect(cursor);
          }
          break;
        case CXCursor_EnumDecl:
          enum_constants(cursor);
          break;
        case CXCursor_TypedefDecl:
          out_.typedefs[take(clang_getCursorSpelling(cursor))] =
              types_.convert(clang_getTypedefDeclUnderlyingType(cursor));
          break;
        case CXCursor_MacroDefinition:
          note_macro(cursor);
          break;
        default:
          break;
      }
      return CXChildVisit_Continue;
    });
  }

  // The wanted names that are object-like macros, not yet enum constants: what they come to
  // is C's to say (`(1 << 3)`, `PF_INET`), so they are evaluated once the walk is done.
  std::set<std::string> macros() const {
    std::set<std::string> out;
    for (const std::string &name : macros_) {
      if (!out_.constants.count(name)) out.insert(name);
    }
    return out;
  }

 private:
  void enum_constants(CXCursor enumeration) {
    CXType integer = clang_getCanonicalType(clang_getEnumDeclIntegerType(enumeration));
    bool is_unsigned = !types_.convert(integer).is_signed;
    visit_children(enumeration, [&](CXCursor constant) {
      if (clang_getCursorKind(constant) == CXCursor_EnumConstantDecl) {
        out_.constants[take(clang_getCursorSpelling(constant))] =
            is_unsigned ? static_cast<int64_t>(clang_getEnumConstantDeclUnsignedValue(constant))
                        : static_cast<int64_t>(clang_getEnumConstantDeclValue(constant));
      }
      return CXChildVisit_Continue;
    });
  }

  // Any file's macro: the text's, a header's or a --include file's.
  void note_macro(CXCursor macro) {
    if (clang_Cursor_isMacroBuiltin(macro) || clang_Cursor_isMacroFunctionLike(macro)) return;
    std::string name = take(clang_getCursorSpelling(macro));
    if (wanted_.count(name)) macros_.insert(std::move(name));
  }

  CDefinitions &out_;
  const std::set<std::string> &wanted_;
  std::set<std::string> macros_;
  TypeConverter types_;
};

// --- macros ---

struct EvalResultDeleter {
  void operator()(void *result) const { clang_EvalResult_dispose(result); }
};
using EvalResultHandle = std::unique_ptr<void, EvalResultDeleter>;

constexpr std::string_view kMacroPrefix = "__ut_macro_";

// The text, then for each macro a variable that C initializes with its expansion, where the
// text ends: `static const __auto_type __ut_macro_AF_INET = (AF_INET);`. The text's lines stay
// where they were. __auto_type keeps the expansion's type, so `1.5` stays a double (which a
// `long long` would truncate to 1) and `"str"` a pointer.
std::string with_macro_variables(const std::string &text, const std::set<std::string> &macros) {
  std::string out = text;
  out += '\n';  // ends a last line the text leaves open
  for (const std::string &name : macros) {
    out += "static const __auto_type ";
    out += kMacroPrefix;
    out += name + " = (" + name + ");\n";
  }
  return out;
}

// A macro variable's value when C finds it an integer constant of at most 64 bits; above
// INT64_MAX an unsigned one keeps its bits.
std::optional<int64_t> integer_value(CXCursor variable, TypeConverter &types) {
  if (!types.convert(clang_getCursorType(variable)).is_integer()) return std::nullopt;
  EvalResultHandle result(clang_Cursor_Evaluate(variable));
  if (!result || clang_EvalResult_getKind(result.get()) != CXEval_Int) return std::nullopt;
  if (clang_EvalResult_isUnsignedInt(result.get())) {
    return static_cast<int64_t>(clang_EvalResult_getAsUnsigned(result.get()));
  }
  return static_cast<int64_t>(clang_EvalResult_getAsLongLong(result.get()));
}

// Adds to `out` the macros that C evaluates to integers, by parsing the text again with a
// variable for each. That parse's errors are the text's, already reported, or those of macros
// that are no integer (`()` of an empty one, `(int)` of a type), which are simply left out.
void evaluate_macros(CXIndex index, const std::string &text, const std::vector<std::string> &args,
                     const std::set<std::string> &macros, CDefinitions &out) {
  CXErrorCode code;
  TranslationUnitHandle tu = parse(index, with_macro_variables(text, macros), args, 0, code);
  if (code != CXError_Success || !tu) return;
  TypeConverter types;
  visit_children(clang_getTranslationUnitCursor(tu.get()), [&](CXCursor cursor) {
    if (clang_getCursorKind(cursor) != CXCursor_VarDecl) return CXChildVisit_Continue;
    std::string name = take(clang_getCursorSpelling(cursor));
    if (name.compare(0, kMacroPrefix.size(), kMacroPrefix) != 0) return CXChildVisit_Continue;
    name.erase(0, kMacroPrefix.size());
    if (!macros.count(name)) return CXChildVisit_Continue;
    if (auto value = integer_value(cursor, types)) out.constants[name] = *value;
    return CXChildVisit_Continue;
  });
}

const char *describe(CXErrorCode code) {
  switch (code) {
    case CXError_Crashed:
      return "libclang crashed";
    case CXError_InvalidArguments:
      return "libclang refused its arguments";
    case CXError_ASTReadError:
      return "libclang could not read its AST";
    default:
      return "libclang failed";
  }
}

bool is_blank(const std::string &text) {
  return text.find_first_not_of(" \t\n\r\f\v") == std::string::npos;
}

}  // namespace

CDefinitions layout_c_definitions(const std::string &text, const LayoutOptions &options,
                                  Diagnostics &diags) {
  CDefinitions out;
  if (is_blank(text) && options.include_files.empty()) return out;  // most scripts

  IndexHandle index(clang_createIndex(/*excludeDeclarationsFromPCH=*/0,
                                      /*displayDiagnostics=*/0));
  std::vector<std::string> args = compiler_arguments(options);
  // Macros are in the AST only with the detailed preprocessing record.
  CXErrorCode code;
  TranslationUnitHandle tu =
      parse(index.get(), text, args, CXTranslationUnit_DetailedPreprocessingRecord, code);
  if (code != CXError_Success || !tu) {
    diags.error(std::string("cannot read the script's C definitions: ") + describe(code));
    return out;
  }

  ErrorPlacer placer(tu.get());
  for (unsigned i = 0, n = clang_getNumDiagnostics(tu.get()); i < n; ++i) {
    DiagnosticHandle diagnostic(clang_getDiagnostic(tu.get(), i));
    if (clang_getDiagnosticSeverity(diagnostic.get()) >= CXDiagnostic_Error) {
      placer.report(diagnostic.get(), diags);
    }
  }

  Collector collector(out, options.wanted);
  collector.collect(clang_getTranslationUnitCursor(tu.get()));
  std::set<std::string> macros = collector.macros();
  if (!macros.empty()) evaluate_macros(index.get(), text, args, macros, out);
  return out;
}

}  // namespace ut::ctypes
