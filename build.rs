//! Gives the shared library its soname and, for development builds, puts a
//! `libotelmetrics.so.0` link and an `otelmetrics.pc` next to it, so C
//! programs can link against `target/<profile>` directly.

use std::path::{Path, PathBuf};

fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap();
    let version = std::env::var("CARGO_PKG_VERSION").unwrap();
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libotelmetrics.so.{major}");
    }
    println!("cargo:rerun-if-changed=build.rs");

    // OUT_DIR is <target>/<profile>/build/otelmetrics-<hash>/out.
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let Some(profile_dir) = out.ancestors().nth(3) else { return };
    if target_os == "linux" {
        let link = profile_dir.join(format!("libotelmetrics.so.{major}"));
        let _ = std::fs::remove_file(&link);
        let _ = std::os::unix::fs::symlink("libotelmetrics.so", &link);
    }
    let repo = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let _ = std::fs::write(profile_dir.join("otelmetrics.pc"), pkg_config(&repo.join("include"), profile_dir, &version));
}

fn pkg_config(include: &Path, libdir: &Path, version: &str) -> String {
    format!(
        "includedir={}\nlibdir={}\n\nName: otelmetrics\nDescription: OpenTelemetry metrics for any runtime that can call C\nVersion: {version}\nCflags: -I${{includedir}}\nLibs: -L${{libdir}} -Wl,-rpath,${{libdir}} -lotelmetrics\nLibs.private: -lpthread -ldl -lm\n",
        include.display(),
        libdir.display()
    )
}
