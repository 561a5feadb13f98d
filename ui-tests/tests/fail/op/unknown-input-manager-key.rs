use larder::prelude::*;

#[op(ins(numbers(input_manager_key = "numbers_loader")))]
fn total(numbers: Vec<i64>) -> i64 {
    numbers.iter().sum()
}

fn main() {}
