use larder::prelude::*;

struct Pipeline;

impl Pipeline {
    #[op]
    fn numbers() -> Vec<i64> {
        vec![1, 2, 3]
    }
}

fn main() {}
