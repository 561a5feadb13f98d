//! A `#[job]` mapping over dynamic outputs in every form the body reader
//! takes compiles without warnings and runs.
#![deny(warnings)]

use larder::prelude::*;

#[op]
fn split() -> DynamicOut<i64> {
    (1..=3)
        .map(|i| DynamicOutput::new(i, format!("k{i}")))
        .collect()
}

#[op(outs(items(), count()))]
fn split_and_count() -> (DynamicOut<i64>, usize) {
    (DynamicOut::from(vec![DynamicOutput::new(5, "only")]), 1)
}

#[op]
fn double(x: i64) -> i64 {
    2 * x
}

#[op]
fn add(x: i64, y: i64) -> i64 {
    x + y
}

#[op]
fn total(values: Vec<i64>) -> i64 {
    values.iter().sum()
}

#[op]
fn report(sum: i64, count: usize) -> String {
    format!("{sum} over {count}")
}

#[job]
fn every_form() {
    let one = split();
    // A map alone (its steps still run), a short form, a chain, a closure
    // taking an unmapped input, a collect of the dynamic output itself.
    one.map(double);
    let sum = total(one.collect());
    let shifted = one.map(|x| double(x)).map(|y| add(y, sum));
    total(shifted.collect());
    let (items, count) = split_and_count();
    report(total(items.map(double).collect()), count);
}

fn main() {
    let result = every_form().unwrap().execute_in_process().unwrap();
    assert_eq!(*result.output_for_node::<i64>("total").unwrap(), 6);
    assert_eq!(*result.output_for_node::<i64>("add[k3]").unwrap(), 12);
    assert_eq!(*result.output_for_node::<i64>("total_2").unwrap(), 30);
    assert_eq!(*result.output_for_node::<i64>("total_3").unwrap(), 10);
    assert_eq!(result.output_for_node::<String>("report").unwrap(), "10 over 1");
}
