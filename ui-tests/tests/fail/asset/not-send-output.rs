use larder::prelude::*;
use std::rc::Rc;

#[asset]
fn shared() -> Rc<Vec<i64>> {
    Rc::new(vec![1, 2, 3])
}

fn main() {}
