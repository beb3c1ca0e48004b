#include "runtime/binary/disassembler.h"

#include <llvm/MC/MCAsmInfo.h>
#include <llvm/MC/MCContext.h>
#include <llvm/MC/MCDisassembler/MCDisassembler.h>
#include <llvm/MC/MCInst.h>
#include <llvm/MC/MCInstrInfo.h>
#include <llvm/MC/MCRegisterInfo.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/MCTargetOptions.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>

#include <memory>

namespace ut::runtime {
namespace {

constexpr char kTriple[] = "x86_64-unknown-linux-gnu";

// LLVM's disassembler for x86-64, set up once.
struct X86Disassembler {
  std::unique_ptr<llvm::MCRegisterInfo> registers;
  std::unique_ptr<llvm::MCAsmInfo> asm_info;
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget;
  std::unique_ptr<llvm::MCInstrInfo> instructions;
  std::unique_ptr<llvm::MCContext> context;
  std::unique_ptr<llvm::MCDisassembler> disassembler;
  std::string error;

  X86Disassembler() {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllDisassemblers();
    const llvm::Target *target = llvm::TargetRegistry::lookupTarget(kTriple, error);
    if (!target) return;
    llvm::Triple triple(kTriple);
    registers.reset(target->createMCRegInfo(kTriple));
    llvm::MCTargetOptions options;
    asm_info.reset(target->createMCAsmInfo(*registers, kTriple, options));
    subtarget.reset(target->createMCSubtargetInfo(kTriple, "", ""));
    instructions.reset(target->createMCInstrInfo());
    if (!registers || !asm_info || !subtarget || !instructions) {
      error = "LLVM has no x86-64 machine code support";
      return;
    }
    context =
        std::make_unique<llvm::MCContext>(triple, asm_info.get(), registers.get(), subtarget.get());
    disassembler.reset(target->createMCDisassembler(*subtarget, *context));
    if (!disassembler) error = "LLVM has no x86-64 disassembler";
  }
};

}  // namespace

Result<std::vector<Instruction>> disassemble_x86_64(std::string_view code, bool whole) {
  static X86Disassembler x86;
  if (!x86.disassembler) return Error("cannot disassemble: " + x86.error);
  std::vector<Instruction> out;
  auto bytes = llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(code.data()), code.size());
  for (uint64_t at = 0; at < bytes.size();) {
    llvm::MCInst inst;
    uint64_t size = 0;
    auto status = x86.disassembler->getInstruction(inst, size, bytes.slice(at), at, llvm::nulls());
    if (status != llvm::MCDisassembler::Success || size == 0) {
      if (!whole) break;
      return Error("no instruction at offset " + std::to_string(at));
    }
    out.push_back(
        {at, static_cast<uint32_t>(size), x86.instructions->get(inst.getOpcode()).isReturn()});
    at += size;
  }
  return out;
}

}  // namespace ut::runtime
