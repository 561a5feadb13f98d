use larder::prelude::*;

#[op(ins(rows(input_manager_key = "row_loader")))]
fn count(rows: Vec<String>) -> usize {
    rows.len()
}

#[input_manager(key = "rows_loader")]
fn rows_loader() -> Vec<String> {
    vec![]
}

fn main() {}
