use larder::prelude::*;

struct Bytes;

impl IOManager<Vec<u8>> for Bytes {
    fn handle_output(&self, _ctx: &mut OutputContext, _obj: &Vec<u8>) -> larder::Result<()> {
        Ok(())
    }
    fn load_input(&self, _ctx: &mut InputContext) -> larder::Result<Vec<u8>> {
        Ok(Vec::new())
    }
}

#[io_manager(key = "bytes")]
fn bytes() -> Bytes {
    Bytes
}

#[op(outs(first(io_manager_key = "bytes"), second(io_manager_key = "bytes")))]
fn compute() -> (Vec<u8>, String) {
    (vec![1], "two".into())
}

fn main() {}
