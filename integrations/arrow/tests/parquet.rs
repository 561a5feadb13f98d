//! ParquetIOManager: Dagster's layout, serde rows and record batches,
//! partitions (concatenated, per partition, missing ones), column
//! selection that reads less, metadata on every write, and mismatches named.

use std::sync::Arc;

use larder::partitions::{PartitionMap, PartitionMapping, StaticPartitionsDefinition};
use larder::prelude::*;
use larder::storage::upath::UPath;
use larder::{EventKind, EventType, ROW_COUNT, TableColumn, TableSummary, type_info};
use larder_arrow::arrow_array::{Array, Float64Array, Int64Array, RecordBatch, StringArray};
use larder_arrow::parquet;
use larder_arrow::{
    ArrowRow, BYTE_SIZE, COLUMN_SCHEMA, Compression, ParquetFiles, ParquetIOManager, WriteOptions,
    read_parquet, write_parquet,
};

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Trip {
    id: i64,
    city: String,
    fare: Option<f64>,
}
impl ArrowRow for Trip {}

/// Only some of `Trip`'s columns: loading it reads only those.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct TripCity {
    city: String,
}
impl ArrowRow for TripCity {}

fn trips() -> Vec<Trip> {
    vec![
        Trip {
            id: 1,
            city: "Oslo".into(),
            fare: Some(12.5),
        },
        Trip {
            id: 2,
            city: "Lima".into(),
            fare: None,
        },
        Trip {
            id: 3,
            city: "Pune".into(),
            fare: Some(3.0),
        },
    ]
}

fn manager(dir: &std::path::Path) -> ParquetIOManager {
    ParquetFiles::default().on(UPath::local(dir))
}

fn materialization_metadata(r: &RunResult, asset: &str) -> Metadata {
    r.events_of_type(EventType::AssetMaterialization)
        .into_iter()
        .find_map(|e| match &e.kind {
            EventKind::AssetMaterialization {
                asset_key,
                metadata,
                ..
            } if asset_key.to_string() == asset => Some(metadata.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no materialization of {asset}"))
}

fn rows_asset(name: &str) -> larder::definitions::AssetBuilder {
    AssetDefinition::builder(name)
        .io_manager_key("parquet")
        .typed_output(larder::TypedOutput::new::<ParquetIOManager, Vec<Trip>>())
        .output_type(type_info!(Vec<Trip>))
}

#[test]
fn serde_rows_round_trip_at_dagsters_path_with_table_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let up = rows_asset("trips")
        .key_prefix(["raw"])
        .compute(|io| io.set_output(0, trips()));
    let down = AssetDefinition::builder("fares")
        .input(AssetIn::new("trips", type_info!(Vec<Trip>)).key_prefix(["raw"]))
        .output_type(type_info!(Vec<Trip>))
        .compute(|io| {
            let t: Vec<Trip> = io.take_input(0)?;
            io.set_output(0, t)
        });
    let defs = Definitions::new().assets([up, down]).resource(
        "parquet",
        IOManagerDefinition::hardcoded(manager(dir.path())),
    );
    let r = defs.materialize_all().unwrap();
    assert_eq!(r.asset_value::<Vec<Trip>>("fares").unwrap(), &trips());

    let file = dir.path().join("raw/trips.parquet");
    let size = std::fs::metadata(&file).unwrap().len();
    let m = materialization_metadata(&r, "raw/trips");
    assert_eq!(m[ROW_COUNT], MetadataValue::Int(3));
    assert_eq!(m[BYTE_SIZE], MetadataValue::from(size));
    assert_eq!(m["path"], MetadataValue::path(&file));
    let col = |name: &str, ty: &str| TableColumn {
        name: name.into(),
        r#type: ty.into(),
    };
    assert_eq!(
        m[COLUMN_SCHEMA],
        MetadataValue::TableSummary(TableSummary {
            columns: vec![
                col("id", "Int64"),
                col("city", "Utf8"),
                col("fare", "Float64")
            ],
            row_count: Some(3),
        })
    );
    // The file is plain Parquet, zstd by default.
    let t = read_parquet(&UPath::local(&file), None).unwrap();
    assert_eq!(t.batches[0].num_rows(), 3);
    let meta = parquet::file::reader::FileReader::metadata(
        &parquet::file::serialized_reader::SerializedFileReader::new(
            std::fs::File::open(&file).unwrap(),
        )
        .unwrap(),
    )
    .clone();
    assert!(matches!(
        meta.row_group(0).column(0).compression(),
        parquet::basic::Compression::ZSTD(_)
    ));
}

fn batch(ids: Vec<i64>, names: Vec<&str>) -> RecordBatch {
    RecordBatch::try_from_iter([
        ("id", Arc::new(Int64Array::from(ids)) as Arc<dyn Array>),
        ("name", Arc::new(StringArray::from(names)) as Arc<dyn Array>),
    ])
    .unwrap()
}

#[test]
fn record_batches_and_op_outputs_under_the_run_with_configured_compression() {
    let dir = tempfile::tempdir().unwrap();
    let snappy = ParquetFiles::default()
        .compression(Compression::Snappy)
        .on(UPath::local(dir.path()));
    let op = OpDefinition::builder("make")
        .output(
            Out::result(type_info!(Vec<RecordBatch>))
                .io_manager_key("parquet")
                .typed(larder::TypedOutput::new::<ParquetIOManager, Vec<RecordBatch>>()),
        )
        .compute(|io| {
            io.output(
                "result",
                vec![batch(vec![1, 2], vec!["a", "b"]), batch(vec![3], vec!["c"])],
            )
        });
    let count = OpDefinition::builder("count")
        .input(In::new("batches", type_info!(Vec<RecordBatch>)))
        .output(Out::result(type_info!(usize)))
        .compute(|io| {
            let b: Vec<RecordBatch> = io.take_input(0)?;
            io.output("result", b.iter().map(|b| b.num_rows()).sum::<usize>())
        });
    let mut job = JobDefinition::builder("j");
    let made = job.invoke(&op, []);
    job.invoke(&count, [("batches", made.output())]);
    job.resource("parquet", IOManagerDefinition::hardcoded(snappy));
    let r = job.build().unwrap().execute_in_process().unwrap();
    assert_eq!(*r.output_for_node::<usize>("count").unwrap(), 3);
    let file = dir.path().join(r.run_id()).join("make/result.parquet");
    let t = read_parquet(&UPath::local(&file), None).unwrap();
    assert_eq!(t.batches.iter().map(|b| b.num_rows()).sum::<usize>(), 3);
    let reader = parquet::file::serialized_reader::SerializedFileReader::new(
        std::fs::File::open(&file).unwrap(),
    )
    .unwrap();
    let meta = parquet::file::reader::FileReader::metadata(&reader);
    assert_eq!(
        meta.row_group(0).column(0).compression(),
        parquet::basic::Compression::SNAPPY
    );
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Visit {
    day: String,
    user: String,
    n: i64,
}
impl ArrowRow for Visit {}

const DAYS: [&str; 3] = ["2024-01-01", "2024-01-02", "2024-01-03"];

fn visits_of(day: &str) -> Vec<Visit> {
    let n = day[8..].parse::<i64>().unwrap();
    (0..n)
        .map(|i| Visit {
            day: day.into(),
            user: format!("u{i}"),
            n: n * 10 + i,
        })
        .collect()
}

/// `visits` (static days), written one partition per run, then loaded by
/// each downstream as its type asks.
fn partitioned_defs(base: UPath, downstream: Vec<AssetDefinition>) -> Definitions {
    let visits = AssetDefinition::builder("visits")
        .partitions_def(StaticPartitionsDefinition::new(DAYS).unwrap())
        .io_manager_key("parquet")
        .typed_output(larder::TypedOutput::new::<ParquetIOManager, Vec<Visit>>())
        .output_type(type_info!(Vec<Visit>))
        .compute(|io| {
            let day = io.partition_key()?.to_owned();
            io.set_output(0, visits_of(&day))
        });
    Definitions::new()
        .asset(visits)
        .assets(downstream)
        .resource(
            "parquet",
            IOManagerDefinition::hardcoded(ParquetFiles::default().on(base)),
        )
}

fn write_days(defs: &Definitions, days: &[&str]) {
    for day in days {
        defs.run(RunOptions::new().selection(["visits"]).partition_key(*day))
            .unwrap();
    }
}

#[test]
fn partitions_are_one_file_each_and_load_as_one_table_or_a_partition_map() {
    let dir = tempfile::tempdir().unwrap();
    let all_rows = AssetDefinition::builder("all_rows")
        .input(AssetIn::new("visits", type_info!(Vec<Visit>)))
        .output_type(type_info!(Vec<Visit>))
        .compute(|io| {
            let v: Vec<Visit> = io.take_input(0)?;
            io.set_output(0, v)
        });
    let by_day = AssetDefinition::builder("by_day")
        .input(AssetIn::partition_map::<Vec<Visit>>(
            "visits",
            type_info!(Vec<Visit>),
        ))
        .output_type(type_info!(Vec<usize>))
        .compute(|io| {
            let m: PartitionMap<Vec<Visit>> = io.take_input(0)?;
            assert_eq!(m.keys().collect::<Vec<_>>(), DAYS);
            io.set_output(0, m.values().map(Vec::len).collect::<Vec<_>>())
        });
    let defs = partitioned_defs(UPath::local(dir.path()), vec![all_rows, by_day]);
    write_days(&defs, &DAYS);
    for day in DAYS {
        assert!(
            dir.path().join(format!("visits/{day}.parquet")).is_file(),
            "{day}"
        );
    }
    let r = defs
        .run(RunOptions::new().selection(["all_rows", "by_day"]))
        .unwrap();
    let expected: Vec<Visit> = DAYS.iter().flat_map(|d| visits_of(d)).collect();
    assert_eq!(r.asset_value::<Vec<Visit>>("all_rows").unwrap(), &expected);
    assert_eq!(r.asset_value::<Vec<usize>>("by_day").unwrap(), &[1, 2, 3]);
}

#[test]
fn many_partitions_concatenate_into_one_record_batch_with_selected_columns() {
    let dir = tempfile::tempdir().unwrap();
    let base = UPath::local(dir.path());
    // Written as rows, read back as an Arrow table by another manager
    // instance over the same files.
    let defs = partitioned_defs(base.clone(), vec![]);
    write_days(&defs, &DAYS);
    let users = AssetDefinition::builder("users")
        .input(
            AssetIn::new("visits", type_info!(RecordBatch))
                .metadata(larder::metadata! { "columns" => ["user", "day"] })
                .input_manager_key("tables")
                .typed(larder::TypedLoader::new::<ParquetIOManager, RecordBatch, _>()),
        )
        .output_type(type_info!(Vec<String>))
        .compute(|io| {
            let b: RecordBatch = io.take_input(0)?;
            let names: Vec<String> = b
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect();
            assert_eq!(names, ["user", "day"]);
            let users = b.column(0).as_any().downcast_ref::<StringArray>().unwrap();
            io.set_output(
                0,
                users
                    .iter()
                    .map(|u| u.unwrap().to_owned())
                    .collect::<Vec<_>>(),
            )
        });
    let r = defs
        .asset(users)
        .resource(
            "tables",
            IOManagerDefinition::hardcoded(ParquetFiles::default().on(base)),
        )
        .run(RunOptions::new().selection(["users"]))
        .unwrap();
    assert_eq!(
        r.asset_value::<Vec<String>>("users").unwrap(),
        &["u0", "u0", "u1", "u0", "u1", "u2"]
    );
}

fn needs_four_days(allow_missing: bool) -> AssetDefinition {
    let mut input = AssetIn::new("visits", type_info!(Vec<Visit>)).partition_mapping(
        PartitionMapping::Specific(DAYS.iter().map(|d| d.to_string()).collect()),
    );
    if allow_missing {
        input = input.metadata(larder::metadata! { "allow_missing_partitions" => true });
    }
    AssetDefinition::builder("some_days")
        .input(input)
        .output_type(type_info!(usize))
        .compute(|io| {
            let v: Vec<Visit> = io.take_input(0)?;
            io.set_output(0, v.len())
        })
}

#[test]
fn a_missing_partition_is_skipped_when_allowed_and_named_when_not() {
    let dir = tempfile::tempdir().unwrap();
    let defs = partitioned_defs(UPath::local(dir.path()), vec![needs_four_days(true)]);
    write_days(&defs, &["2024-01-01", "2024-01-03"]);
    let r = defs
        .run(RunOptions::new().selection(["some_days"]))
        .unwrap();
    assert_eq!(*r.asset_value::<usize>("some_days").unwrap(), 1 + 3);
    assert!(
        r.events().iter().any(|e| e.message.contains(
            "Couldn't load partition 2024-01-02 and skipped it because the input metadata includes allow_missing_partitions=true"
        )),
        "a warning names the skipped partition"
    );

    let strict = partitioned_defs(UPath::local(dir.path()), vec![needs_four_days(false)]);
    let err = strict
        .run(RunOptions::new().selection(["some_days"]))
        .unwrap_err();
    let missing = dir.path().join("visits/2024-01-02.parquet");
    assert!(
        err.to_string().contains(&format!(
            "input `visits` (partition 2024-01-02 of asset `visits`) was never materialized: nothing is stored at {}",
            missing.display()
        )),
        "{err}"
    );
}

/// 40 columns of 20,000 floats.
fn wide_batch() -> RecordBatch {
    let cols: Vec<(String, Arc<dyn Array>)> = (0..40)
        .map(|c| {
            let v: Vec<f64> = (0..20_000).map(|r| (r * 40 + c) as f64 * 0.37).collect();
            (
                format!("c{c}"),
                Arc::new(Float64Array::from(v)) as Arc<dyn Array>,
            )
        })
        .collect();
    RecordBatch::try_from_iter(cols).unwrap()
}

#[test]
fn selecting_columns_of_a_wide_file_reads_only_their_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = UPath::local(dir.path())
        .join(&["wide.parquet"], "file")
        .unwrap();
    let wide = wide_batch();
    let written = write_parquet(
        &path,
        wide.schema(),
        std::slice::from_ref(&wide),
        WriteOptions {
            compression: Compression::Uncompressed,
            max_row_group_size: None,
        },
    )
    .unwrap();
    assert_eq!(written.rows, 20_000);

    let all = read_parquet(&path, None).unwrap();
    assert_eq!(all.schema.fields().len(), 40);
    assert!(
        all.stats.bytes_read >= all.stats.file_size * 9 / 10,
        "{:?}",
        all.stats
    );

    let cols = ["c31".to_owned(), "c4".to_owned()];
    let two = read_parquet(&path, Some(&cols)).unwrap();
    let names: Vec<&String> = two.schema.fields().iter().map(|f| f.name()).collect();
    assert_eq!(names, ["c31", "c4"], "in the order asked for");
    let two_table = arrow_select::concat::concat_batches(&two.schema, &two.batches).unwrap();
    assert_eq!(two_table.column(0), wide.column(31));
    assert_eq!(two_table.column(1), wide.column(4));
    // Two of 40 equal columns: well under a tenth of the file.
    assert!(
        two.stats.bytes_read < two.stats.file_size / 10,
        "read {} of {} bytes",
        two.stats.bytes_read,
        two.stats.file_size
    );

    let err = read_parquet(&path, Some(&["c4".to_owned(), "nope".to_owned()])).unwrap_err();
    assert!(
        err.to_string().contains("selects column `nope` that ")
            && err
                .to_string()
                .contains("its columns are [c0: Float64, c1: Float64"),
        "{err}"
    );
}

#[test]
fn a_narrower_row_type_loads_from_a_wider_file() {
    let dir = tempfile::tempdir().unwrap();
    let m = manager(dir.path());
    let mut out = build_output_context().asset_key("trips").build();
    IOManager::handle_output(&m, &mut out, &trips()).unwrap();
    let mut input = build_input_context().asset_key("trips").build();
    let cities: Vec<TripCity> = IOManager::load_input(&m, &mut input).unwrap();
    assert_eq!(
        cities,
        ["Oslo", "Lima", "Pune"].map(|c| TripCity { city: c.into() })
    );
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct WrongTrip {
    id: String,
    city: String,
}
impl ArrowRow for WrongTrip {}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Ride {
    id: i64,
    driver: String,
}
impl ArrowRow for Ride {}

#[test]
fn a_file_that_does_not_match_the_row_type_names_asset_path_and_columns() {
    let dir = tempfile::tempdir().unwrap();
    let m = manager(dir.path());
    let mut out = build_output_context().asset_key("trips").build();
    IOManager::handle_output(&m, &mut out, &trips()).unwrap();
    let file = dir.path().join("trips.parquet");

    let mut input = build_input_context()
        .asset_key("trips")
        .name("rides")
        .build();
    let err = <ParquetIOManager as IOManager<Vec<Ride>>>::load_input(&m, &mut input).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "input `rides` (asset `trips`): {} does not match `Ride`: it lacks column `driver`; expected [id: Int64, driver: Utf8], found [id: Int64, city: Utf8, fare: Float64]",
            file.display()
        )
    );

    let mut input = build_input_context()
        .asset_key("trips")
        .name("wrong")
        .build();
    let err =
        <ParquetIOManager as IOManager<Vec<WrongTrip>>>::load_input(&m, &mut input).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "input `wrong` (asset `trips`): {} does not match `WrongTrip`: ",
            file.display()
        )) && text.ends_with(
            "; expected [id: Utf8, city: Utf8], found [id: Int64, city: Utf8, fare: Float64]"
        ),
        "{text}"
    );
}

#[test]
fn memory_store_round_trips_batches_and_rows() {
    let m = ParquetFiles::default().at("memory://tables").unwrap();
    let b = batch(vec![7, 8], vec!["x", "y"]);
    let mut out = build_output_context().asset_key(["a", "b"]).build();
    IOManager::handle_output(&m, &mut out, &b).unwrap();
    let expected_path = format!("{}/a/b.parquet", m.base_path());
    assert_eq!(
        out.get_logged_metadata()["path"],
        MetadataValue::Path(expected_path)
    );
    let mut input = build_input_context().asset_key(["a", "b"]).build();
    let back: RecordBatch = IOManager::load_input(&m, &mut input).unwrap();
    assert_eq!(back, b);

    let mut missing = build_input_context().asset_key("nope").build();
    let err =
        <ParquetIOManager as IOManager<RecordBatch>>::load_input(&m, &mut missing).unwrap_err();
    assert!(
        matches!(err.root(), larder::Error::NotMaterialized { .. }),
        "{err}"
    );
}

#[test]
fn a_batch_stream_reads_partitions_lazily_and_writes_batch_by_batch() {
    use larder_arrow::BatchStream;
    let dir = tempfile::tempdir().unwrap();
    let m = manager(dir.path());
    // Three partitions of 2,500 rows, written as a stream of 500-row batches.
    for (p, day) in DAYS.iter().enumerate() {
        let batches: Vec<RecordBatch> = (0..5)
            .map(|b| {
                let ids: Vec<i64> = (0..500)
                    .map(|i| (p * 10_000 + b * 500 + i) as i64)
                    .collect();
                let names: Vec<&str> = vec!["n"; 500];
                batch(ids, names)
            })
            .collect();
        let stream = BatchStream::from_batches(batches[0].schema(), batches);
        let mut out = build_output_context()
            .asset_key("big")
            .asset_partition_keys([*day])
            .build();
        IOManager::handle_output(&m, &mut out, &stream).unwrap();
        assert_eq!(
            out.get_logged_metadata()[ROW_COUNT],
            MetadataValue::Int(2500)
        );
    }
    let mut input = build_input_context()
        .asset_key("big")
        .asset_partition_keys(DAYS)
        .definition_metadata(larder::metadata! { "columns" => ["id"] })
        .build();
    let stream: BatchStream = IOManager::load_input(&m, &mut input).unwrap();
    assert_eq!(stream.schema().fields().len(), 1);
    let batches: Vec<RecordBatch> = stream.map(Result::unwrap).collect();
    // The reader's batches are at most 1,024 rows: 3 per file.
    assert_eq!(
        batches.iter().map(|b| b.num_rows()).collect::<Vec<_>>(),
        [1024, 1024, 452].repeat(3)
    );
    let ids: Vec<i64> = batches
        .iter()
        .flat_map(|b| {
            b.column(0)
                .as_any()
                .downcast_ref::<Int64Array>()
                .unwrap()
                .values()
                .to_vec()
        })
        .collect();
    assert_eq!(ids[0], 0);
    assert_eq!(ids[2500], 10_000);
    assert_eq!(ids[7499], 22_499);

    // A partition whose columns differ fails when the stream reaches it.
    let mut out = build_output_context()
        .asset_key("big")
        .asset_partition_keys(["2024-01-03"])
        .build();
    IOManager::handle_output(&m, &mut out, &trips()).unwrap();
    let mut input = build_input_context()
        .asset_key("big")
        .asset_partition_keys(DAYS)
        .name("big")
        .build();
    let stream: BatchStream = IOManager::load_input(&m, &mut input).unwrap();
    let results: Vec<_> = stream.collect();
    assert_eq!(results.len(), 7, "six batches, then the error");
    let err = results.last().unwrap().as_ref().unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "input `big` (partition 2024-01-03 of asset `big`): {} has columns [id: Int64, city: Utf8, fare: Float64], but input `big` (partition 2024-01-01 of asset `big`) has [id: Int64, name: Utf8]; they cannot be one table",
            dir.path().join("big/2024-01-03.parquet").display()
        )
    );
}

#[test]
fn a_column_selection_that_drops_a_field_the_row_type_needs_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let m = manager(dir.path());
    let mut out = build_output_context().asset_key("trips").build();
    IOManager::handle_output(&m, &mut out, &trips()).unwrap();
    let mut input = build_input_context()
        .asset_key("trips")
        .name("trips")
        .definition_metadata(larder::metadata! { "columns" => ["fare"] })
        .build();
    let err = <ParquetIOManager as IOManager<Vec<Trip>>>::load_input(&m, &mut input).unwrap_err();
    assert_eq!(
        err.to_string(),
        "input `trips` (asset `trips`) selects columns `fare`, but `Trip` needs `id`, `city` too; add them to `columns`, make them `Option` fields, or load a narrower row type"
    );
    // Selecting what `TripCity` needs is fine.
    let mut input = build_input_context()
        .asset_key("trips")
        .definition_metadata(larder::metadata! { "columns" => ["city"] })
        .build();
    let cities: Vec<TripCity> = IOManager::load_input(&m, &mut input).unwrap();
    assert_eq!(cities.len(), 3);
}
