//! Compiles the web UI's built files (`web/dist`, written by `scripts/build-web.sh`) into
//! the crate: `$OUT_DIR/assets.rs` lists each file with its content type and its bytes
//! (`include_bytes!`). Without a build, the list is empty and the server says how to make
//! one. Cargo runs this again whenever anything under `web/dist` changes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use content_type::content_type;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let dist = manifest_dir.join("../../web/dist");
    println!("cargo::rerun-if-changed={}", dist.display());
    let mut files = Vec::new();
    if dist.join("index.html").is_file() {
        collect(&dist, &dist, &mut files);
    }
    files.sort();
    let mut code = String::from("/// Every built file: path under `web/dist`, content type, bytes.\n");
    code.push_str("pub static ASSETS: &[(&str, &str, &[u8])] = &[\n");
    for (relative, path) in &files {
        let absolute = path.canonicalize().expect("a listed file exists");
        writeln!(code, "    ({relative:?}, {:?}, include_bytes!({:?})),", content_type(relative), absolute)
            .expect("writing to a string");
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("assets.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    for entry in std::fs::read_dir(dir).expect("web/dist is readable") {
        let path = entry.expect("web/dist is readable").path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if path.is_file() {
            let relative = path.strip_prefix(root).expect("under the root");
            let relative = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>();
            files.push((relative.join("/"), path));
        }
    }
}

#[path = "src/content_type.rs"]
mod content_type;
