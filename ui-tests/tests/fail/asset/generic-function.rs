use larder::prelude::*;

#[asset]
fn numbers<T: Default>() -> T {
    T::default()
}

fn main() {}
