//! The multiprocess demo: `larder::cli` over `larder_examples::multiprocess`
//! definitions, and the step worker of its own multiprocess runs.
//!
//! ```sh
//! cargo run -p larder-examples --bin larder-mp-demo -- materialize --executor multiprocess
//! cargo run -p larder-examples --bin larder-mp-demo -- execute two_ops --executor multiprocess
//! ```

use std::process::ExitCode;

use larder::Definitions;

fn definitions() -> Definitions {
    match larder_examples::multiprocess::definitions(None) {
        Ok(defs) => defs,
        Err(e) => {
            eprintln!("{}", e.report());
            std::process::exit(2);
        }
    }
}

fn main() -> ExitCode {
    // First thing: a step worker of a multiprocess run executes its step
    // and exits here (`larder::cli::main` would do it too).
    larder::worker::run_if_worker(definitions);
    larder::cli::main(definitions())
}
