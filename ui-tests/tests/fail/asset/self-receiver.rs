use larder::prelude::*;

struct Pipeline;

impl Pipeline {
    #[asset]
    fn numbers(&self) -> Vec<i64> {
        vec![1, 2, 3]
    }
}

fn main() {}
