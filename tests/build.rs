//! Embeds the golden cases of the ops nnplay implements, so the browser suites can run
//! them inside wasm (a browser has no file system to read them from).

use std::fmt::Write;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("golden");
    let dir = root.join("cases");
    let list = root.join("implemented.txt");
    println!("cargo:rerun-if-changed={}", dir.display());
    println!("cargo:rerun-if-changed={}", list.display());
    // The op families nnplay implements, one per line (shared with scripts/test-all.sh).
    let ops: Vec<String> = std::fs::read_to_string(&list)
        .expect("tests/golden/implemented.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/golden/cases")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.ends_with(".json") && ops.iter().any(|op| name.starts_with(&format!("{op}__")))
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
