//! `#[input_manager]` functions load root inputs: from the input's run
//! config, and through a manager the function returns.

use larder::prelude::*;

#[input_manager(key = "from_config", input_config = Vec<i64>)]
fn from_config(ctx: &mut InputContext) -> larder::Result<Vec<i64>> {
    ctx.config_as()
}

struct Greeter {
    greeting: String,
}

impl InputManager<String> for Greeter {
    fn load_input(&self, ctx: &mut InputContext) -> larder::Result<String> {
        Ok(format!("{}, {}", self.greeting, ctx.name()?))
    }
}

/// Returns a manager; `String` inputs are loaded by it.
#[input_manager(key = "greeter")]
fn greeter() -> Greeter {
    Greeter {
        greeting: "hello".into(),
    }
}

#[asset(ins(numbers(input_manager_key = "from_config")))]
fn total(numbers: Vec<i64>) -> i64 {
    numbers.iter().sum()
}

#[asset(ins(visitor(input_manager_key = "greeter")))]
fn welcome(visitor: String) -> String {
    visitor
}

#[test]
fn root_inputs_are_loaded_by_input_managers() {
    let config = RunConfig::new().input("total", "numbers", serde_json::json!([1, 2, 3]));
    let result = Definitions::discover()
        .run(RunOptions::new().in_memory().run_config(config))
        .unwrap();
    assert!(result.success());
    assert_eq!(*result.asset_value::<i64>("total").unwrap(), 6);
    assert_eq!(
        result.asset_value::<String>("welcome").unwrap(),
        "hello, visitor"
    );
}
