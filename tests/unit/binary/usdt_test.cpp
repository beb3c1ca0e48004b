// USDT probes: the notes of this test executable itself, which has probes of its own (below,
// with semaphores), and argument specs as compilers write them, turned into C.
#define _SDT_HAS_SEMAPHORES 1
#include "runtime/binary/usdt.h"

#include <sys/sdt.h>

#include <gtest/gtest.h>

extern "C" {
// Every probe of a file built with semaphores has one, named PROVIDER_NAME_semaphore.
__attribute__((used, section(".probes"))) unsigned short ut_unit_pair_semaphore;
__attribute__((used, section(".probes"))) unsigned short ut_unit_dup_semaphore;
__attribute__((used, section(".probes"))) unsigned short ut_unit2_dup_semaphore;

__attribute__((noinline, used)) void ut_usdt_test_fire(long a, int b) {
  STAP_PROBE2(ut_unit, pair, a, b);
  STAP_PROBE(ut_unit, dup);
  STAP_PROBE(ut_unit2, dup);
}
}

namespace ut::runtime {
namespace {

using Kind = UsdtArgument::Kind;

const ElfFile &self() {
  static ElfFile elf = [] {
    auto opened = ElfFile::open("/proc/self/exe");
    EXPECT_TRUE(opened);
    return std::move(*opened);
  }();
  return elf;
}

TEST(Usdt, ProbesAreFoundInTheNotesWithTheirPlaceAndSemaphore) {
  auto probes = find_usdt_probes(self(), "ut_unit:pair");
  ASSERT_TRUE(probes) << probes.error().message();
  ASSERT_EQ(probes->size(), 1u);
  const UsdtProbe &p = (*probes)[0];
  EXPECT_EQ(p.full_name(), "ut_unit:pair");
  // The probe is a nop in the function that fires it.
  const ElfSymbol *f = self().function_at(p.address);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->name, "ut_usdt_test_fire");
  auto byte = self().bytes(p.address, 1);
  ASSERT_TRUE(byte);
  EXPECT_EQ(static_cast<unsigned char>((*byte)[0]), 0x90);
  EXPECT_EQ(p.file_offset, *self().file_offset(p.address));
  auto semaphore = self().find_symbol("ut_unit_pair_semaphore");
  ASSERT_TRUE(semaphore);
  EXPECT_EQ(p.semaphore_address, semaphore->address);
  EXPECT_EQ(p.semaphore_offset, semaphore->file_offset);
  auto args = parse_usdt_arguments(p.arguments);
  ASSERT_TRUE(args) << args.error().message();
  ASSERT_EQ(args->size(), 2u) << p.arguments;
  EXPECT_EQ((*args)[0].size, 8);
  EXPECT_TRUE((*args)[0].is_signed);
  EXPECT_EQ((*args)[1].size, 4);
  EXPECT_TRUE((*args)[1].is_signed);
}

TEST(Usdt, AShortNameMustBelongToOneProvider) {
  auto pair = find_usdt_probes(self(), "pair");
  ASSERT_TRUE(pair);
  ASSERT_EQ(pair->size(), 1u);
  EXPECT_EQ((*pair)[0].full_name(), "ut_unit:pair");

  auto dup = find_usdt_probes(self(), "dup");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().message(),
            "USDT probe name 'dup' is ambiguous in /proc/self/exe: it "
            "could be ut_unit:dup or ut_unit2:dup");
}

TEST(Usdt, PatternsMatchProvidersAndNames) {
  auto all = find_usdt_probes(self(), "ut_unit*:*");
  ASSERT_TRUE(all);
  std::vector<std::string> names;
  for (const UsdtProbe &p : *all) names.push_back(p.full_name());
  EXPECT_EQ(names, (std::vector<std::string>{"ut_unit:dup", "ut_unit:pair", "ut_unit2:dup"}));
  auto dups = find_usdt_probes(self(), "d?p");  // a pattern may span providers
  ASSERT_TRUE(dups);
  EXPECT_EQ(dups->size(), 2u);
  auto none = find_usdt_probes(self(), "ut_unit:nothing");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(Usdt, ArgumentSpecsOfEveryOperandKind) {
  auto args = parse_usdt_arguments(
      "-4@%edi 8@%rax -1@%ah 2@%r9w 8@-16(%rbp) 4@$5 -8@8(%rsp,%rbx,8) 1@$-56 "
      "-8@total+8(%rip) 8@(%rdi,%rsi,8) %ecx -2@0x10(%r12)");
  ASSERT_TRUE(args) << args.error().message();
  ASSERT_EQ(args->size(), 12u);
  const auto &a = *args;
  EXPECT_EQ(a[0].kind, Kind::Register);
  EXPECT_EQ(a[0].base, "di");
  EXPECT_EQ(a[0].size, 4);
  EXPECT_TRUE(a[0].is_signed);
  EXPECT_EQ(a[1].base, "ax");
  EXPECT_FALSE(a[1].is_signed);
  EXPECT_EQ(a[2].base, "ax");
  EXPECT_EQ(a[2].shift, 8);
  EXPECT_EQ(a[3].base, "r9");
  EXPECT_EQ(a[4].kind, Kind::Memory);
  EXPECT_EQ(a[4].base, "bp");
  EXPECT_EQ(a[4].value, -16);
  EXPECT_EQ(a[5].kind, Kind::Constant);
  EXPECT_EQ(a[5].value, 5);
  EXPECT_EQ(a[6].base, "sp");
  EXPECT_EQ(a[6].index, "bx");
  EXPECT_EQ(a[6].scale, 8);
  EXPECT_EQ(a[6].value, 8);
  EXPECT_EQ(a[7].value, -56);
  EXPECT_EQ(a[8].symbol, "total");
  EXPECT_EQ(a[8].value, 8);
  EXPECT_EQ(a[8].base, "ip");
  EXPECT_EQ(a[9].base, "di");
  EXPECT_EQ(a[9].index, "si");
  EXPECT_EQ(a[9].value, 0);
  EXPECT_EQ(a[10].size, 4);  // no size: the register's width
  EXPECT_FALSE(a[10].is_signed);
  EXPECT_EQ(a[11].base, "r12");
  EXPECT_EQ(a[11].value, 16);

  auto none = parse_usdt_arguments("");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(Usdt, ArgumentSpecsUtraceCannotReadAreErrors) {
  auto bad_size = parse_usdt_arguments("8@%rax 3@%eax");
  ASSERT_FALSE(bad_size);
  EXPECT_EQ(bad_size.error().message(),
            "cannot read the argument '3@%eax': its size is not 1, 2, 4 or 8 bytes");
  for (const char *spec : {"8@%xmm0", "8@%fs:8", "8@(%rax", "8@4(%rax,%rbx,3)", "8@$x", "8@"}) {
    auto r = parse_usdt_arguments(spec);
    ASSERT_FALSE(r) << spec;
    EXPECT_EQ(r.error().message(), "cannot read the argument '" + std::string(spec) +
                                       "': not an x86-64 operand utrace knows");
  }
}

std::string c_of(const std::string &spec, const UsdtProbe &probe = {}) {
  auto args = parse_usdt_arguments(spec);
  if (!args) return "error: " + args.error().message();
  auto c = usdt_argument_c((*args)[0], probe, self());
  return c ? *c : "error: " + c.error().message();
}

TEST(Usdt, ArgumentsBecomeCExtendedBySizeAndSign) {
  EXPECT_EQ(c_of("-4@%edi"), "(s64)(s32)ctx->di");
  EXPECT_EQ(c_of("8@%rax"), "(s64)(u64)ctx->ax");
  EXPECT_EQ(c_of("-1@%ah"), "(s64)(s8)(ctx->ax >> 8)");
  EXPECT_EQ(c_of("2@%r9w"), "(s64)(u16)ctx->r9");
  EXPECT_EQ(c_of("-4@$5"), "5LL");
  EXPECT_EQ(c_of("1@$-56"), "200LL");  // (unsigned char)200, as gcc writes it
  EXPECT_EQ(c_of("4@$-294967296"), "4000000000LL");
  EXPECT_EQ(c_of("-2@$65535"), "-1LL");
  EXPECT_EQ(c_of("-8@$-9223372036854775808"), "(s64)0x8000000000000000ULL");
  EXPECT_EQ(c_of("-8@-16(%rbp)"),
            "({ s64 ut_v = 0; bpf_probe_read_user(&ut_v, sizeof(ut_v), (void *)(ctx->bp - "
            "16ULL)); (s64)ut_v; })");
  EXPECT_EQ(c_of("4@8(%rsp,%rbx,8)"),
            "({ u32 ut_v = 0; bpf_probe_read_user(&ut_v, sizeof(ut_v), (void *)(ctx->sp + "
            "ctx->bx * 8 + 8ULL)); (s64)ut_v; })");
  EXPECT_EQ(c_of("-1@(%rdi,%rsi)"),
            "({ s8 ut_v = 0; bpf_probe_read_user(&ut_v, sizeof(ut_v), (void *)(ctx->di + "
            "ctx->si)); (s64)ut_v; })");
  EXPECT_EQ(c_of("8@4096"),
            "({ u64 ut_v = 0; bpf_probe_read_user(&ut_v, sizeof(ut_v), (void *)(4096ULL)); "
            "(s64)ut_v; })");
  EXPECT_EQ(c_of("8@16(%rip)"), "error: cannot read an %rip-relative argument without a symbol");
  EXPECT_EQ(c_of("8@nonesuch(%rip)"), "error: symbol 'nonesuch' not found in /proc/self/exe");
}

// A global is found relative to the probe, whose address ctx->ip holds when it fires: the
// distance between them is the same wherever the file is loaded.
TEST(Usdt, GlobalsAreReadRelativeToTheProbe) {
  auto semaphore = self().find_symbol("ut_unit_pair_semaphore");
  ASSERT_TRUE(semaphore);
  UsdtProbe probe;
  probe.address = semaphore->address - 100;
  EXPECT_EQ(c_of("2@ut_unit_pair_semaphore(%rip)", probe),
            "({ u16 ut_v = 0; bpf_probe_read_user(&ut_v, sizeof(ut_v), (void *)(ctx->ip + "
            "100ULL)); (s64)ut_v; })");
  probe.address = semaphore->address + 40;
  EXPECT_EQ(c_of("-8@ut_unit_pair_semaphore+8(%rip)", probe),
            "({ s64 ut_v = 0; bpf_probe_read_user(&ut_v, sizeof(ut_v), (void *)(ctx->ip - "
            "32ULL)); (s64)ut_v; })");
}

UsdtProbe location(const std::string &provider, const std::string &name, const std::string &args) {
  UsdtProbe p;
  p.provider = provider;
  p.name = name;
  p.arguments = args;
  return p;
}

// The macros pick what to read by the place's index, the cookie's low half.
TEST(Usdt, MacrosPickTheArgumentsOfThePlaceThatFired) {
  UsdtProbe first = location("p", "twice", "-8@%rax -4@$5");
  UsdtProbe second = location("p", "twice", "-8@%rbx -4@$5");
  UsdtProbe other = location("p", "tick", "-8@%rax -4@$5");
  auto macros = usdt_macros(3, 2, {{&self(), &first}, {&self(), &other}, {&self(), &second}});
  ASSERT_TRUE(macros) << macros.error().message();
  EXPECT_EQ(*macros,
            (std::vector<std::string>{
                // p:twice's second copy is p:twice, as its first is: cookie 3 << 32 | 0.
                "UT_USDT_PROBE_3(ctx)=({ u64 ut_c = bpf_get_attach_cookie(ctx); switch "
                "((u32)ut_c) { case 2: ut_c = 12884901888ULL; break; } ut_c; })",
                "UT_USDT_ARG_3_0(ctx)=({ s64 ut_arg = 0; switch ((u32)bpf_get_attach_cookie(ctx)) "
                "{ case 0: case 1: ut_arg = (s64)(s64)ctx->ax; break; case 2: ut_arg = "
                "(s64)(s64)ctx->bx; break; } ut_arg; })",
                "UT_USDT_ARG_3_1(ctx)=5LL"}));
  EXPECT_EQ(usdt_macros(3, 0, {{&self(), &other}}).value(),
            std::vector<std::string>{"UT_USDT_PROBE_3(ctx)=bpf_get_attach_cookie(ctx)"});
  // No places at all: a probe left out under --missing-probes=warn still compiles.
  EXPECT_EQ(usdt_macros(0, 1, {}).value(),
            (std::vector<std::string>{"UT_USDT_PROBE_0(ctx)=bpf_get_attach_cookie(ctx)",
                                      "UT_USDT_ARG_0_0(ctx)=0"}));
}

TEST(Usdt, MacrosForAnArgumentAPlaceLacksAreAnError) {
  UsdtProbe two = location("p", "twice", "-8@%rax -4@$5");
  UsdtProbe none = location("p", "tick", "");
  UsdtProbe bad = location("p", "bad", "8@%xmm0");
  auto r = usdt_macros(0, 3, {{&self(), &two}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "usdt:/proc/self/exe:p:twice has 2 arguments (arg0 to arg1): arg2 is not one of them");
  r = usdt_macros(0, 1, {{&self(), &none}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "usdt:/proc/self/exe:p:tick has no arguments: arg0 is not one of them");
  r = usdt_macros(0, 1, {{&self(), &bad}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "usdt:/proc/self/exe:p:bad: cannot read the argument '8@%xmm0': not an x86-64 "
            "operand utrace knows");
}

}  // namespace
}  // namespace ut::runtime
