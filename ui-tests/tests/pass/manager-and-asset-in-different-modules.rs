//! Keys are declared in one module and used in others, with no import,
//! even when the manager types are private to their module.
#![deny(warnings)]

mod managers {
    use larder::prelude::*;

    #[io_manager(key = "warehouse")]
    fn warehouse() -> FilesystemIOManager {
        FilesystemIOManager::default()
    }

    struct Lines;

    impl IOManager<String> for Lines {
        fn handle_output(&self, _ctx: &mut OutputContext, _obj: &String) -> larder::Result<()> {
            Ok(())
        }
        fn load_input(&self, _ctx: &mut InputContext) -> larder::Result<String> {
            Ok(String::new())
        }
    }

    #[io_manager(key = "lines")]
    fn lines() -> Lines {
        Lines
    }

    #[derive(ConfigurableIOManager, Deserialize)]
    #[io_manager(key = "private_config")]
    struct PrivateConfig {
        #[allow(dead_code)]
        prefix: String,
    }

    impl IOManager<u32> for PrivateConfig {
        fn handle_output(&self, _ctx: &mut OutputContext, _obj: &u32) -> larder::Result<()> {
            Ok(())
        }
        fn load_input(&self, _ctx: &mut InputContext) -> larder::Result<u32> {
            Ok(0)
        }
    }
}

mod assets {
    use larder::prelude::*;

    #[asset(io_manager_key = "warehouse")]
    fn numbers() -> Vec<i64> {
        vec![1, 2, 3]
    }

    /// The sum of the numbers.
    #[asset(io_manager_key = "warehouse")]
    pub fn total(numbers: Vec<i64>) -> i64 {
        numbers.iter().sum()
    }

    #[asset(io_manager_key = "lines")]
    fn greeting() -> String {
        "hello".into()
    }

    #[asset(io_manager_key = "private_config")]
    fn count() -> u32 {
        3
    }
}

fn main() {
    let def = assets::total::definition();
    assert_eq!(def.key().to_string(), "total");
    assert_eq!(def.io_manager_key(), "warehouse");
    assert_eq!(def.description(), Some("The sum of the numbers."));
    assert_eq!(assets::total(vec![1, 2]), 3);
}
