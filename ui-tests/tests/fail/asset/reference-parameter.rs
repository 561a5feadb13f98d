use larder::prelude::*;

#[asset]
fn total(numbers: &Vec<i64>) -> i64 {
    numbers.iter().sum()
}

fn main() {}
