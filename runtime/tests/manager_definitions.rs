//! Manager definitions as Dagster builds them: `configured` makes a new
//! definition without the version; a hardcoded built-in manager stores any
//! type it supports.

use larder::prelude::*;
use larder::type_info;

#[test]
fn configured_manager_definitions_drop_the_version_as_dagster_does() {
    let io = IOManagerDefinition::new(|_| Ok(InMemoryIOManager::new()))
        .version("7")
        .configured(serde_json::json!({}));
    assert_eq!(io.resource_definition().get_version(), None);
    let input = InputManagerDefinition::new(|_| Ok(()))
        .version("7")
        .configured(serde_json::json!({}));
    assert_eq!(input.resource_definition().get_version(), None);
    // A plain resource keeps it (Dagster's `ResourceDefinition.copy_for_configured`).
    let plain = ResourceDefinition::value(1_u8)
        .version("7")
        .configured(serde_json::json!({}));
    assert_eq!(plain.get_version(), Some("7"));
}

#[test]
fn a_hardcoded_in_memory_manager_stores_any_type() {
    let upstream = AssetDefinition::builder("number")
        .output_type(type_info!(i64))
        .compute(|io| io.output("result", 41_i64));
    let downstream = AssetDefinition::builder("next")
        .input(AssetIn::new("number", type_info!(i64)))
        .output_type(type_info!(i64))
        .compute(|io| {
            let n: i64 = io.input("number")?;
            io.output("result", n + 1)
        });
    let result = Definitions::new()
        .assets([upstream, downstream])
        .resource(
            "io_manager",
            IOManagerDefinition::hardcoded(InMemoryIOManager::new()),
        )
        .materialize_all()
        .unwrap();
    assert_eq!(*result.asset_value::<i64>("next").unwrap(), 42);
}

mod scoped_resources {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use larder::ResourceKind;
    use larder::prelude::*;

    struct Db;

    fn counted(setups: Arc<AtomicUsize>, teardowns: Arc<AtomicUsize>) -> ResourceDefinition {
        ResourceDefinition::new(ResourceKind::Resource, move |_| {
            setups.fetch_add(1, Ordering::SeqCst);
            Ok(Db)
        })
        .on_teardown(move |_: &Db, _| {
            teardowns.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
    }

    #[test]
    fn a_built_context_sets_resources_up_and_tears_them_down_when_dropped() {
        let (setups, teardowns) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let resources =
            Resources::init([("db", counted(setups.clone(), teardowns.clone()))]).unwrap();
        assert_eq!(setups.load(Ordering::SeqCst), 1);
        let ctx = build_input_context().resources(resources).build();
        assert!(ctx.resources().get::<Db>("db").is_ok());
        assert_eq!(teardowns.load(Ordering::SeqCst), 0);
        drop(ctx);
        assert_eq!(teardowns.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_scope_tears_down_when_it_ends_and_says_so_to_late_users() {
        let (setups, teardowns) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let kept = Resources::scope(
            [("db", counted(setups.clone(), teardowns.clone()))],
            |resources| {
                let ctx = build_output_context().resources(resources.clone()).build();
                assert!(ctx.resources().get::<Db>("db").is_ok());
                Ok(resources.clone())
            },
        )
        .unwrap();
        assert_eq!(teardowns.load(Ordering::SeqCst), 1);
        let err = kept.get::<Db>("db").err().unwrap().to_string();
        assert!(
            err.contains("resource `db` is used after its scope ended"),
            "{err}"
        );
        drop(kept);
        assert_eq!(teardowns.load(Ordering::SeqCst), 1, "torn down once");
    }
}
