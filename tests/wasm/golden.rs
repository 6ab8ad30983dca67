//! The golden conformance cases of every implemented op, run inside the browser's wasm
//! engine (the SIMD build), as `nnplay check` runs them natively.
#![cfg(target_arch = "wasm32")]

use nnplay::golden::{Case, Outcome};
use nnplay_tests::GOLDEN_CASES;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn every_implemented_golden_case_passes_in_wasm() {
    assert!(
        GOLDEN_CASES.len() >= 71,
        "only {} cases embedded",
        GOLDEN_CASES.len()
    );
    let mut failures = Vec::new();
    for (file, text) in GOLDEN_CASES {
        let case = Case::parse(text).unwrap_or_else(|e| panic!("{file}: {e}"));
        match case.check() {
            Outcome::Pass { .. } => {}
            other => failures.push(format!("{}: {other:?}", case.name)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        GOLDEN_CASES.len(),
        failures.join("\n")
    );
}
