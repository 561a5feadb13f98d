use larder::prelude::*;

#[op]
fn one() -> i64 {
    1
}

#[job]
fn my_job() {
    let x = one();
    if true {
        println!("{x:?}");
    }
}

fn main() {
    let _ = my_job();
}
