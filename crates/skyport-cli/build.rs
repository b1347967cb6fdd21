//! Link options for release builds of `skyport` on x86_64 Linux, where rustc
//! (1.90+) links with lld. Both cut the memory an idle server keeps resident
//! (docs/bench/idle-memory.md); neither changes behaviour:
//!
//! - `--symbol-ordering-file=startup.order` puts the functions that run at
//!   start-up and on the first requests together at the front of `.text`, so
//!   the kernel's 64 KiB fault-around maps ~3.5 MB of code instead of ~11.6 MB.
//!   The list comes from `scripts/startup-order.sh`; names the binary lacks
//!   are skipped (`--no-warn-symbol-ordering`), so a stale list costs memory,
//!   never correctness. Any code change renames some entries (LTO numbers
//!   local copies such as `name.6907`): regenerate it before measuring or
//!   shipping a release.
//! - `-z pack-relative-relocs` stores the position-independent binary's
//!   ~30,000 relative relocations as a compact bitmap (DT_RELR) instead of
//!   730 KB of `.rela.dyn` that the loader reads at every start. Only when the
//!   build host's glibc is 2.36 or newer: the binary then requires that glibc.

use std::path::Path;

/// The glibc symbol version that marks DT_RELR support (glibc 2.36+).
const RELR_VERSION: &[u8] = b"GLIBC_ABI_DT_RELR";

/// Where x86_64 distributions keep the C library.
const LIBC_PATHS: [&str; 4] = [
    "/lib/x86_64-linux-gnu/libc.so.6",
    "/usr/lib/x86_64-linux-gnu/libc.so.6",
    "/lib64/libc.so.6",
    "/usr/lib64/libc.so.6",
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=startup.order");
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    let lld_target = std::env::var("TARGET").is_ok_and(|t| t == "x86_64-unknown-linux-gnu");
    if !(release && lld_target) {
        return;
    }
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let order = Path::new(&dir).join("startup.order");
    if order.is_file() {
        println!(
            "cargo:rustc-link-arg-bin=skyport=-Wl,--symbol-ordering-file={}",
            order.display()
        );
        println!("cargo:rustc-link-arg-bin=skyport=-Wl,--no-warn-symbol-ordering");
    }
    if glibc_supports_relr() {
        println!("cargo:rustc-link-arg-bin=skyport=-Wl,-z,pack-relative-relocs");
    }
}

/// Whether the host's glibc defines `GLIBC_ABI_DT_RELR`. An older loader
/// would refuse a binary that requires it.
fn glibc_supports_relr() -> bool {
    LIBC_PATHS
        .iter()
        .filter_map(|path| std::fs::read(path).ok())
        .any(|libc| libc.windows(RELR_VERSION.len()).any(|w| w == RELR_VERSION))
}
