//! Tests only: `tests/ui.rs` runs the trybuild cases under `tests/fail`
//! and `tests/pass`; the other files in `tests/` run generated definitions
//! end to end.
