#![cfg(feature = "cli")]
//! Asset selections and asset jobs as a Dagster user writes them: the
//! clause syntax (cases from Dagster's `test_subset_selector.py`), groups,
//! asset jobs listed and executed, and a partition refused for a selection
//! with nothing partitioned.

mod common;

use std::collections::BTreeSet;

use common::const_asset;
use larder::partitions::TimeWindowPartitionsDefinition;
use larder::prelude::*;
use larder::{AssetJob, AssetSelection, define_asset_job, type_info};

/// An asset depending (without loading) on `deps`, in `group`.
fn node(name: &str, deps: &[&str], group: &str) -> AssetDefinition {
    AssetDefinition::builder(name)
        .deps(deps.iter().copied())
        .group_name(group)
        .output_type(type_info!(i64))
        .compute(|io| io.output("result", 1_i64))
}

/// Dagster's `test_clause_to_subset` graph.
fn clause_graph() -> Vec<AssetDefinition> {
    vec![
        node("start", &[], "default"),
        node("a", &["start"], "default"),
        node("b", &[], "default"),
        node("c", &["b"], "default"),
        node("d", &["a", "b"], "default"),
        node("e", &["c"], "default"),
        node("f", &["e", "d"], "default"),
        node("final", &["a", "d"], "default"),
    ]
}

fn resolve(assets: &[AssetDefinition], text: &str) -> BTreeSet<String> {
    AssetSelection::parse(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .resolve(assets)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .iter()
        .map(|k| k.to_string())
        .collect()
}

fn set(names: &str) -> BTreeSet<String> {
    names.split(',').map(str::to_owned).collect()
}

#[test]
fn clauses_select_what_dagster_selects() {
    let g = clause_graph();
    // Dagster's parametrized `test_clause_to_subset`, case by case.
    for (clause, expected) in [
        ("a", "a"),
        ("b+", "b,c,d"),
        ("+f", "f,d,e"),
        ("++f", "f,d,e,c,a,b"),
        ("+++final", "final,a,d,start,b"),
        ("b++", "b,c,d,e,f,final"),
        ("start*", "start,a,d,f,final"),
    ] {
        assert_eq!(resolve(&g, clause), set(expected), "clause {clause}");
    }
    assert_eq!(resolve(&g, "*").len(), 8);
    assert_eq!(resolve(&g, "*f"), set("f,d,e,c,a,b,start"));
    // Surrounding whitespace is stripped, as Dagster's `clause.strip()`.
    assert_eq!(resolve(&g, " b+ "), set("b,c,d"));
}

/// Dagster's `foo_job`: return_one, return_two -> add_nums -> multiply_two -> add_one.
fn foo() -> Vec<AssetDefinition> {
    vec![
        node("return_one", &[], "default"),
        node("return_two", &[], "default"),
        node("add_nums", &["return_one", "return_two"], "default"),
        node("multiply_two", &["add_nums"], "default"),
        node("add_one", &["multiply_two"], "default"),
    ]
}

#[test]
fn single_and_multi_clause_selections() {
    let g = foo();
    assert_eq!(resolve(&g, "add_nums"), set("add_nums"));
    assert_eq!(
        resolve(&g, "add_nums*"),
        set("add_nums,multiply_two,add_one")
    );
    assert_eq!(
        resolve(&g, "*add_nums+"),
        set("return_one,return_two,add_nums,multiply_two")
    );
    assert_eq!(
        resolve(&g, "return_one,add_nums+"),
        set("return_one,add_nums,multiply_two")
    );
    assert_eq!(
        resolve(&g, "*add_nums,return_one+"),
        set("return_one,return_two,add_nums")
    );
    // A clause naming nothing fails the whole selection, naming the clause.
    let err = AssetSelection::parse("*add_nums,a")
        .unwrap()
        .resolve(&g)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("selection `a`: asset `a` is selected but not defined"),
        "{err}"
    );
    let err = AssetSelection::parse("some,solid")
        .unwrap()
        .resolve(&g)
        .unwrap_err()
        .to_string();
    assert!(err.contains("`some`"), "{err}");
}

#[test]
fn parsed_clauses_have_dagsters_depths() {
    let key = || AssetSelection::assets(["some_solid"]);
    let parse = |s: &str| AssetSelection::parse(s).unwrap();
    assert_eq!(parse("some_solid"), key());
    assert_eq!(parse("*some_solid"), key().upstream());
    assert_eq!(parse("some_solid+"), key().downstream_depth(Some(1)));
    assert_eq!(
        parse("+some_solid+"),
        key().upstream_depth(Some(1)) | key().downstream_depth(Some(1))
    );
    assert_eq!(
        parse("*some_solid++"),
        key().upstream() | key().downstream_depth(Some(2))
    );
    assert_eq!(parse("*"), AssetSelection::all());
    assert_eq!(
        parse("a/b"),
        AssetSelection::assets([AssetKey::new(["a", "b"])])
    );
    assert_eq!(parse("group:core"), AssetSelection::groups(["core"]));
    // Parsing what `Display` writes gives the selection back.
    for text in [
        "+recommender*",
        "items+",
        "++items",
        "group:core",
        "a/b,c",
        "*",
    ] {
        assert_eq!(parse(text).to_string(), text);
        assert_eq!(text.parse::<AssetSelection>().unwrap(), parse(text));
    }
    assert_eq!(
        AssetSelection::assets(["a", "b"]).upstream().to_string(),
        "*a,*b"
    );
    // Dagster's `test_parse_clause_invalid`, and other malformed clauses.
    for bad in [
        "1+some_solid",
        "",
        "a,,b",
        "**a",
        "a**",
        "+*a",
        "group:",
        "tag:x",
        "a b",
    ] {
        let err = AssetSelection::parse(bad).unwrap_err().to_string();
        assert!(err.contains("invalid selection clause"), "{bad:?}: {err}");
    }
}

#[test]
fn groups_and_key_prefixes() {
    // Dagster's asset-selection test graph, with its groups.
    let g = vec![
        node("earth", &[], "planets"),
        node("alice", &["earth"], "ladies"),
        node("bob", &["alice"], "gentlemen"),
        node("candace", &["alice"], "ladies"),
        node("danny", &["candace"], "gentlemen"),
        node("edgar", &["danny"], "gentlemen"),
        node("fiona", &["danny"], "ladies"),
        node("george", &["bob", "fiona"], "gentlemen"),
    ];
    assert_eq!(resolve(&g, "group:ladies"), set("alice,candace,fiona"));
    assert_eq!(
        resolve(&g, "group:ladies,group:planets"),
        set("earth,alice,candace,fiona")
    );
    assert_eq!(resolve(&g, "danny+"), set("danny,edgar,fiona"));
    assert_eq!(
        resolve(&g, "+group:ladies"),
        set("earth,alice,candace,danny,fiona")
    );
    assert_eq!(
        AssetSelection::assets(["danny"])
            .downstream()
            .resolve(&g)
            .unwrap()
            .len(),
        4
    );
    let err = AssetSelection::parse("group:lady")
        .unwrap()
        .resolve(&g)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no asset is in group `lady`; groups: gentlemen, ladies, planets; did you mean `ladies`?"),
        "{err}"
    );
    let err = AssetSelection::parse("+georg")
        .unwrap()
        .resolve(&g)
        .unwrap_err()
        .to_string();
    assert!(err.contains("did you mean `george`?"), "{err}");

    let prefixed = vec![
        AssetDefinition::builder("stats")
            .key_prefix(["manhattan"])
            .output_type(type_info!(i64))
            .compute(|io| io.output("result", 1_i64)),
        node("stats", &[], "default"),
    ];
    assert_eq!(
        resolve(&prefixed, "manhattan/stats"),
        set("manhattan/stats")
    );
}

fn cli(defs: &Definitions, args: &[&str]) -> (larder::Result<()>, String) {
    use clap::Parser;
    let cli =
        larder::cli::Cli::try_parse_from(std::iter::once("larder").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let mut out = Vec::new();
    let r = larder::cli::run_cli(defs, cli, &mut out);
    (r, String::from_utf8(out).unwrap())
}

fn core_job() -> larder::Result<AssetJob> {
    define_asset_job("core_job", "group:core")
}
larder::asset_job!(core_job);

#[test]
fn asset_jobs_are_listed_and_run_only_their_selection() {
    let dir = tempfile::tempdir().unwrap();
    let defs = Definitions::new()
        .asset(const_asset("raw", 1))
        .assets([
            node("items", &[], "core"),
            node("recommender", &["items"], "core"),
            node("report", &["recommender"], "reporting"),
        ])
        .asset_job(AssetJob::new(
            "recs",
            AssetSelection::parse("+recommender").unwrap(),
        ))
        .resource("io_manager", FilesystemIOManager::new(dir.path()));
    defs.validate().unwrap();

    let (r, text) = cli(&defs, &["list"]);
    r.unwrap();
    assert!(
        text.contains("jobs (1):\n  recs  assets: +recommender (items, recommender)\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "  recommender  -> i64  [io_manager_key: io_manager]  deps: items  group: core\n"
        ),
        "{text}"
    );

    let result = defs.execute_job("recs", RunOptions::new()).unwrap();
    let ran: BTreeSet<String> = result.step_outcomes().keys().cloned().collect();
    assert_eq!(ran, set("items,recommender"));
    assert!(dir.path().join("recommender").is_file());
    assert!(!dir.path().join("report").exists());

    // Through the CLI: `execute` and `materialize --job`.
    let (r, text) = cli(&defs, &["execute", "recs"]);
    r.unwrap();
    assert!(text.contains("2/2 steps succeeded"), "{text}");
    let (r, text) = cli(&defs, &["materialize", "--job", "recs"]);
    r.unwrap();
    assert!(text.contains("2/2 steps succeeded"), "{text}");
    let (r, text) = cli(&defs, &["materialize", "--select", "recommender+"]);
    r.unwrap();
    assert!(text.contains("materialized report"), "{text}");
    assert!(text.contains("2/2 steps succeeded"), "{text}");

    // An unknown job names the asset jobs.
    let err = defs
        .execute_job("rec", RunOptions::new())
        .unwrap_err()
        .to_string();
    assert!(err.contains("jobs: recs; did you mean `recs`?"), "{err}");
    // An asset job over a key nobody defines fails validation, naming both.
    let bad = defs
        .clone()
        .asset_job(AssetJob::new("bad", AssetSelection::assets(["itms"])));
    let err = bad.validate().unwrap_err().to_string();
    assert!(
        err.contains("asset job `bad`: selection `itms`: asset `itms` is selected but not defined; did you mean `items`?"),
        "{err}"
    );
}

#[test]
fn registered_asset_jobs_are_discovered() {
    let dir = tempfile::tempdir().unwrap();
    let defs = Definitions::discover()
        .assets([node("items", &[], "core"), node("other", &[], "misc")])
        .resource("io_manager", FilesystemIOManager::new(dir.path()));
    let names: Vec<&str> = defs.get_asset_jobs().iter().map(|j| j.name()).collect();
    assert_eq!(names, ["core_job"]);
    let result = defs.execute_job("core_job", RunOptions::new()).unwrap();
    assert_eq!(
        result.step_outcomes().keys().cloned().collect::<Vec<_>>(),
        ["items"]
    );
}

#[test]
fn a_partition_is_refused_for_a_selection_with_nothing_partitioned() {
    let dir = tempfile::tempdir().unwrap();
    let hourly = TimeWindowPartitionsDefinition::hourly("2024-01-01-00:00")
        .build()
        .unwrap();
    let defs = Definitions::new()
        .assets([
            node("items", &[], "core"),
            AssetDefinition::builder("hits")
                .partitions_def(hourly)
                .output_type(type_info!(i64))
                .compute(|io| io.output("result", 1_i64)),
        ])
        .resource("io_manager", FilesystemIOManager::new(dir.path()));
    let err = defs
        .run(
            RunOptions::new()
                .select(AssetSelection::parse("items").unwrap())
                .partition_key("2024-01-01-00:00"),
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("selection `items` has no partitioned asset, but the run names partition `2024-01-01-00:00`"),
        "{err}"
    );
    assert!(!dir.path().join("items").exists());

    let (r, _) = cli(
        &defs,
        &[
            "materialize",
            "--select",
            "items",
            "--partition-range",
            "2024-01-01-00:00...2024-01-01-03:00",
        ],
    );
    let err = r.unwrap_err().to_string();
    assert!(
        err.contains("selection `items` has no partitioned asset, but the run names partitions `2024-01-01-00:00...2024-01-01-03:00`"),
        "{err}"
    );
    // An asset job fixing partitions over nothing partitioned fails validation.
    let err = defs
        .clone()
        .asset_job(
            AssetJob::new("items_job", AssetSelection::assets(["items"]))
                .partition_key("2024-01-01-00:00"),
        )
        .validate()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("asset job `items_job`: selection `items` has no partitioned asset, but the job names partition `2024-01-01-00:00`"),
        "{err}"
    );
    // The partitioned one takes it.
    let (r, text) = cli(
        &defs,
        &[
            "materialize",
            "--select",
            "hits",
            "--partition",
            "2024-01-01-00:00",
        ],
    );
    r.unwrap();
    assert!(text.contains("1/1 steps succeeded"), "{text}");
    assert!(dir.path().join("hits/2024-01-01-00:00").is_file());
}

#[test]
fn the_cli_prints_step_log_lines_at_the_chosen_level() {
    let dir = tempfile::tempdir().unwrap();
    let hourly = TimeWindowPartitionsDefinition::hourly("2024-01-01-00:00")
        .build()
        .unwrap();
    let defs = Definitions::new()
        .assets([
            AssetDefinition::builder("items")
                .output_type(type_info!(i64))
                .compute(|io| {
                    io.log().debug("fetching page 1");
                    io.log().info("fetched 30 items");
                    io.log().warn("rate limited once");
                    io.output("result", 30_i64)
                }),
            AssetDefinition::builder("hits")
                .partitions_def(hourly)
                .group_name("core")
                .required_resource_keys(["hn_client"])
                .output_type(type_info!(i64))
                .compute(|io| io.output("result", 1_i64)),
        ])
        .resource("io_manager", FilesystemIOManager::new(dir.path()));

    let (r, text) = cli(&defs, &["materialize", "--select", "items"]);
    r.unwrap();
    assert!(text.contains("info items: fetched 30 items\n"), "{text}");
    assert!(text.contains("warn items: rate limited once\n"), "{text}");
    assert!(!text.contains("fetching page 1"), "{text}");

    let (r, text) = cli(
        &defs,
        &["--log-level", "warn", "materialize", "--select", "items"],
    );
    r.unwrap();
    assert!(!text.contains("fetched 30 items"), "{text}");
    assert!(text.contains("warn items: rate limited once\n"), "{text}");

    let (r, text) = cli(
        &defs,
        &["materialize", "--select", "items", "--log-level", "debug"],
    );
    r.unwrap();
    assert!(text.contains("debug items: fetching page 1\n"), "{text}");
    assert!(text.contains("debug items: StepSuccess"), "{text}");

    // `list` shows the partitions definition, group and resources.
    let (r, text) = cli(&defs, &["list"]);
    r.unwrap();
    let line = text.lines().find(|l| l.starts_with("  hits  ")).unwrap();
    assert!(line.contains("  group: core  partitions: "), "{line}");
    assert!(line.contains("  resources: hn_client"), "{line}");
}
