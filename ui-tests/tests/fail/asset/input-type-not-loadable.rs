use larder::prelude::*;

#[input_manager(key = "text_loader")]
fn text_loader() -> String {
    "text".into()
}

#[asset(ins(numbers(input_manager_key = "text_loader")))]
fn total(numbers: Vec<i64>) -> i64 {
    numbers.iter().sum()
}

fn main() {}
