/* What Wine 8 (Debian 12's) lacks and Rust's standard library (1.78 and
 * later) imports into every Windows binary, so also into Tessera's runtime
 * DLL: bcryptprimitives.dll's ProcessPrng, which Windows 10 and later have.
 * The tests' Wine prefix gets this DLL (crates/driver/tests/common), which
 * gives the same random bytes through advapi32's RtlGenRandom. */
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    return RtlGenRandom(data, (ULONG)len);
}
