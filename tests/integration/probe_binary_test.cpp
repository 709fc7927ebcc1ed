// The probe runs FROM scratch and under gVisor because it is one static binary: no program
// interpreter (PT_INTERP), no dynamic section. It is pulled onto every node, so it stays small.
#include <elf.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "support.hpp"

namespace procmatrix::testing {
namespace {

std::vector<Elf64_Phdr> program_headers(const char* path) {
  std::ifstream in(path, std::ios::binary);
  Elf64_Ehdr eh{};
  in.read(reinterpret_cast<char*>(&eh), sizeof eh);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(eh.e_ident), 4), std::string(ELFMAG, 4));
  EXPECT_EQ(eh.e_ident[EI_CLASS], ELFCLASS64);
  std::vector<Elf64_Phdr> headers(eh.e_phnum);
  in.seekg(static_cast<std::streamoff>(eh.e_phoff));
  in.read(reinterpret_cast<char*>(headers.data()), static_cast<std::streamsize>(eh.e_phnum * sizeof(Elf64_Phdr)));
  EXPECT_TRUE(in.good()) << "truncated ELF " << path;
  return headers;
}

TEST(ProbeBinary, IsStaticallyLinked) {
  for (const auto& ph : program_headers(PROCPROBE_BIN)) {
    EXPECT_NE(ph.p_type, static_cast<Elf64_Word>(PT_INTERP)) << "procprobe asks for a dynamic loader";
    EXPECT_NE(ph.p_type, static_cast<Elf64_Word>(PT_DYNAMIC)) << "procprobe has a dynamic section";
  }
}

TEST(ProbeBinary, IsUnderTwoMegabytes) {
  EXPECT_LT(std::filesystem::file_size(PROCPROBE_BIN), 2u * 1024 * 1024);
}

TEST(ProbeBinary, RunsWithNothingElseInItsRoot) {
  // chroot into a directory that holds only the probe: no libc, no /etc, no /proc inside.
  if (geteuid() != 0) GTEST_SKIP() << "chroot needs root";
  TempDir root("procprobe-scratch");
  std::filesystem::copy_file(PROCPROBE_BIN, root.path() / "procprobe");
  auto r = run({"/usr/sbin/chroot", root.path().string(), "/procprobe", "--version"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("procprobe ", 0), 0u) << r.out;
}

}  // namespace
}  // namespace procmatrix::testing
