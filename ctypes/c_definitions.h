// The C definitions at the top of a script, laid out by a real C front end (libclang): what
// `struct`, `union`, `enum`, `typedef`, `#include` and `#define` lines declare, as
// codegen::CDefinitions. Sizes and offsets are libclang's answers, never computed here.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "codegen/c_definitions.h"
#include "parser/diagnostics.h"

namespace ut::ctypes {

struct LayoutOptions {
  std::vector<std::string> include_dirs;   // -I DIR: searched before the system's directories
  std::vector<std::string> include_files;  // --include FILE: included before the text
  // The names the probes use (ast::Program::identifiers). Those that are object-like macros
  // (the text's, a header's or a --include file's) become constants when C reads them as an
  // integer constant: `AF_INET`, `#define MASK (FLAG_A | FLAG_B)`.
  std::set<std::string> wanted;
};

// Lays out the C definitions in `text`, which keeps the script's lines and columns (everything
// else blanked), so a position libclang reports is the position in the script. The text is C
// (gnu11) for x86_64 Linux; the system's headers can be included.
//
// Errors go to `diags` at the line:column they are in, with libclang's message ("'nosuch.h'
// file not found", "unknown type name 'foo'"). An error inside a header is reported at the
// script's #include that brought it in, prefixed with the header's path and line; one in a
// --include file, which no script line includes, has no location. Warnings are dropped. The
// definitions read are returned even when there are errors, but only the text's valid ones.
//
// The constants are every enum constant, and each wanted macro whose expansion C evaluates to an
// integer at the end of the text (strings, floats, types and function-like macros are not
// constants). Evaluating macros parses the text a second time, only when some are wanted.
//
// A blank text with no --include files gives empty definitions without starting libclang.
codegen::CDefinitions layout_c_definitions(const std::string &text, const LayoutOptions &options,
                                           Diagnostics &diags);

}  // namespace ut::ctypes
