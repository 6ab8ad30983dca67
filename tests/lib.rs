//! Browser test crate; the suites are in wasm/.
