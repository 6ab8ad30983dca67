//! Embeds the golden cases of the ops nnplay implements, so the browser suites can run
//! them inside wasm (a browser has no file system to read them from).

use std::fmt::Write;
use std::path::Path;

/// Op families with an implementation; a later op joins this list when it lands.
const OPS: &[&str] = &["conv2d", "max_pool2d", "avg_pool2d", "stochastic_pool2d"];

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/cases");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/golden/cases")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.ends_with(".json") && OPS.iter().any(|op| name.starts_with(&format!("{op}__")))
        })
        .collect();
    files.sort();
    let mut src = String::from("pub const GOLDEN_CASES: &[(&str, &str)] = &[\n");
    for f in &files {
        let name = f.file_name().unwrap().to_str().unwrap();
        writeln!(
            src,
            "    ({name:?}, include_str!({:?})),",
            f.display().to_string()
        )
        .unwrap();
    }
    src.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("golden_cases.rs");
    std::fs::write(out, src).unwrap();
}
