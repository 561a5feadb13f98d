//! `types = [..]`: the manager serves those types at run time too
//! (`DynIOManager`), so it can be bound under keys declared for others.
#![deny(warnings)]

use larder::prelude::*;

#[derive(Default)]
struct Both;

impl IOManager<String> for Both {
    fn handle_output(&self, _ctx: &mut OutputContext, _obj: &String) -> larder::Result<()> {
        Ok(())
    }
    fn load_input(&self, _ctx: &mut InputContext) -> larder::Result<String> {
        Ok("s".into())
    }
}

impl IOManager<i64> for Both {
    fn handle_output(&self, _ctx: &mut OutputContext, _obj: &i64) -> larder::Result<()> {
        Ok(())
    }
    fn load_input(&self, _ctx: &mut InputContext) -> larder::Result<i64> {
        Ok(1)
    }
}

#[io_manager(key = "both", types = [String, i64])]
fn both() -> Both {
    Both
}

#[derive(ConfigurableIOManager, Deserialize)]
#[io_manager(key = "derived_both", types = [Vec<u8>])]
struct DerivedBoth {}

impl IOManager<Vec<u8>> for DerivedBoth {
    fn handle_output(&self, _ctx: &mut OutputContext, _obj: &Vec<u8>) -> larder::Result<()> {
        Ok(())
    }
    fn load_input(&self, _ctx: &mut InputContext) -> larder::Result<Vec<u8>> {
        Ok(vec![])
    }
}

struct FactoryMade;

impl IOManager<bool> for FactoryMade {
    fn handle_output(&self, _ctx: &mut OutputContext, _obj: &bool) -> larder::Result<()> {
        Ok(())
    }
    fn load_input(&self, _ctx: &mut InputContext) -> larder::Result<bool> {
        Ok(true)
    }
}

#[derive(ConfigurableIOManagerFactory, Deserialize)]
#[io_manager(key = "factory_made", types = [bool])]
struct MakeIt {}

impl ConfigurableIOManagerFactory for MakeIt {
    type Manager = FactoryMade;
    fn create_io_manager(&self, _ctx: &mut InitContext) -> larder::Result<FactoryMade> {
        Ok(FactoryMade)
    }
}

#[asset(io_manager_key = "both")]
fn text() -> String {
    "t".into()
}

fn main() {
    let info = larder::type_info!(String);
    assert!(<Both as DynIOManager>::supports_output(info).is_ok());
    let err = <Both as DynIOManager>::supports_output(larder::type_info!(u8)).unwrap_err();
    assert!(err.contains("String") && err.contains("i64"), "{err}");
    assert!(<DerivedBoth as DynIOManager>::supports_input(larder::type_info!(Vec<u8>)).is_ok());
    assert!(<FactoryMade as DynIOManager>::supports_input(larder::type_info!(bool)).is_ok());
    let _ = (both(), text::definition());
}
