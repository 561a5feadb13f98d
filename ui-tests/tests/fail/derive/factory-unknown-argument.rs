use larder::prelude::*;

struct Conn;

#[derive(ConfigurableIOManagerFactory, Deserialize)]
#[io_manager(key = "db", descripton = "a database")]
struct Db {
    url: String,
}

impl ConfigurableIOManagerFactory for Db {
    type Manager = Conn;
    fn create_io_manager(&self, _ctx: &mut InitContext) -> larder::Result<Conn> {
        let _ = &self.url;
        Ok(Conn)
    }
}

fn main() {}
