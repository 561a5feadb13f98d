//! `larder-bench`: the workloads Dagster 1.7.2 was measured on, each doing
//! the work a real run does (events recorded, default codec, Dagster's
//! storage layout), each printing one JSON line.

mod report;
mod workloads;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(name = "larder-bench", version, about)]
struct Cli {
    #[command(subcommand)]
    workload: Workload,
    /// Writes are `durable` (fsync file and directory) or `plain`.
    #[arg(long, value_enum, default_value_t = Writes::Durable, global = true)]
    writes: Writes,
}

#[derive(Clone, Copy, ValueEnum)]
enum Writes {
    Durable,
    Plain,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExecutorArg {
    InProcess,
    Multiprocess,
}

#[derive(Clone, Copy, ValueEnum)]
enum Io {
    Mem,
    Fs,
}

#[derive(Subcommand)]
enum Workload {
    /// N assets in a chain, each returning the previous value + 1.
    Chain {
        n: usize,
        #[arg(long, value_enum, default_value_t = Io::Mem)]
        io: Io,
        /// `multiprocess`: each asset in its own child process (on disk).
        #[arg(long, value_enum, default_value_t = ExecutorArg::InProcess)]
        executor: ExecutorArg,
    },
    /// One root, N children, one sink taking all N (filesystem manager).
    Fanout { n: usize },
    /// One asset returning a byte buffer of MIB MiB, a downstream reading it,
    /// and plain std::fs write/read of the same bytes as the baseline.
    Payload { mib: usize },
    /// A daily asset over N days (partition by partition, then one range
    /// run), and an unpartitioned downstream loading all N.
    Partitions { n: usize },
    /// Materialize a single asset (time the whole process from outside).
    OneAsset,
}

fn main() {
    // A step worker of `chain --executor multiprocess`: runs one step, exits.
    larder::worker::run_if_worker(workloads::chain::worker_definitions);
    let cli = Cli::parse();
    let durable = matches!(cli.writes, Writes::Durable);
    let outcome = match cli.workload {
        Workload::Chain { n, io, executor } => workloads::chain::run(
            n,
            matches!(io, Io::Fs),
            durable,
            matches!(executor, ExecutorArg::Multiprocess),
        ),
        Workload::Fanout { n } => workloads::fanout::run(n, durable),
        Workload::Payload { mib } => workloads::payload::run(mib, durable),
        Workload::Partitions { n } => workloads::partitions::run(n, durable),
        Workload::OneAsset => workloads::one_asset::run(durable),
    };
    match outcome {
        Ok(report) => println!("{}", report.to_json()),
        Err(e) => {
            eprintln!("larder-bench: {e}");
            std::process::exit(1);
        }
    }
}
