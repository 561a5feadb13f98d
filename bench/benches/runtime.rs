//! Criterion benches: per-step overhead, filesystem throughput against plain
//! std::fs in the same bench, and the cost of validating 1,000 assets.

use std::hint::black_box;
use std::io::Write;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use larder::prelude::*;
use larder::type_info;

fn chain(n: usize) -> Vec<AssetDefinition> {
    (0..n)
        .map(|i| {
            let b = AssetDefinition::builder(format!("a{i}")).output_type(type_info!(u64));
            if i == 0 {
                b.compute(|io| io.set_output(0, 0_u64))
            } else {
                b.input(AssetIn::new(format!("a{}", i - 1), type_info!(u64)))
                    .compute(|io| {
                        let v: u64 = io.take_input(0)?;
                        io.set_output(0, v + 1)
                    })
            }
        })
        .collect()
}

fn in_memory_chain(c: &mut Criterion) {
    let mut group = c.benchmark_group("in_memory_chain");
    for n in [10_usize, 100] {
        let defs = Definitions::new().assets(chain(n));
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                defs.run(RunOptions::new().in_memory().capture_outputs(false))
                    .unwrap()
            })
        });
    }
    group.finish();
}

fn filesystem_throughput(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let fs = FilesystemIOManager::new(dir.path()).durable(false);
    let data = serde_bytes::ByteBuf::from(vec![3_u8; 16 << 20]);
    let mut group = c.benchmark_group("filesystem_16mib");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(20);
    group.bench_function("handle_output", |b| {
        b.iter(|| {
            let mut ctx = build_output_context()
                .step_key("s")
                .name("result")
                .asset_key("blob")
                .build();
            IOManager::handle_output(&fs, &mut ctx, black_box(&data)).unwrap()
        })
    });
    group.bench_function("std_fs_write", |b| {
        b.iter(|| {
            let mut f = std::fs::File::create(dir.path().join("raw")).unwrap();
            f.write_all(black_box(&data)).unwrap();
        })
    });
    group.bench_function("load_input", |b| {
        b.iter(|| {
            let up = build_output_context()
                .step_key("s")
                .name("result")
                .asset_key("blob")
                .build();
            let mut ctx = build_input_context()
                .name("blob")
                .upstream_output(up)
                .build();
            let v: serde_bytes::ByteBuf = IOManager::load_input(&fs, &mut ctx).unwrap();
            black_box(v)
        })
    });
    group.bench_function("std_fs_read", |b| {
        b.iter(|| black_box(std::fs::read(dir.path().join("raw")).unwrap()))
    });
    group.finish();
}

fn partition_loads(c: &mut Criterion) {
    use larder::partitions::{PartitionMap, TimeWindowPartitionsDefinition};
    let dir = tempfile::tempdir().unwrap();
    let daily = TimeWindowPartitionsDefinition::daily("2020-01-01")
        .build()
        .unwrap();
    let up = AssetDefinition::builder("up")
        .partitions_def(daily)
        .output_partition_map::<Vec<f64>>(type_info!(Vec<f64>))
        .compute(|io| {
            let start: jiff::civil::Date = "2020-01-01".parse().unwrap();
            let m: PartitionMap<Vec<f64>> = (0..365)
                .map(|i| {
                    (
                        start
                            .checked_add(jiff::Span::new().days(i))
                            .unwrap()
                            .to_string(),
                        vec![1.0; 16],
                    )
                })
                .collect();
            io.set_output(0, m)
        });
    let down = AssetDefinition::builder("down")
        .input(AssetIn::partition_map::<Vec<f64>>(
            "up",
            type_info!(Vec<f64>),
        ))
        .output_type(type_info!(usize))
        .compute(|io| {
            let m: PartitionMap<Vec<f64>> = io.take_input(0)?;
            io.set_output(0, m.len())
        });
    let defs = Definitions::new().assets([up, down]).resource(
        "io_manager",
        FilesystemIOManager::new(dir.path()).durable(false),
    );
    // 2020 is a leap year: "now" at 2020-12-31 leaves exactly 365 daily partitions.
    let now: jiff::Timestamp = "2020-12-31T00:00:00Z".parse().unwrap();
    defs.run(
        RunOptions::new()
            .selection(["up"])
            .partition_range("2020-01-01", "2020-12-30")
            .now(now),
    )
    .unwrap();
    let mut group = c.benchmark_group("load_365_partitions");
    for workers in [1_usize, 8] {
        group.bench_with_input(BenchmarkId::from_parameter(workers), &workers, |b, &w| {
            b.iter(|| {
                defs.run(
                    RunOptions::new()
                        .selection(["down"])
                        .now(now)
                        .partition_load_concurrency(w),
                )
                .unwrap()
            })
        });
    }
    group.finish();
}

fn validation(c: &mut Criterion) {
    let defs = Definitions::new().assets(chain(1000));
    c.bench_function("validate_1000_assets", |b| {
        b.iter(|| defs.validate().unwrap())
    });
}

criterion_group!(
    benches,
    in_memory_chain,
    filesystem_throughput,
    partition_loads,
    validation
);
criterion_main!(benches);
