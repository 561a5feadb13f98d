use larder::prelude::*;

// Keys have at most 64 characters (this one has 65).
#[io_manager(key = "warehouse_for_the_quarterly_revenue_reports_of_every_region_x_abc")]
fn warehouse() -> FilesystemIOManager {
    FilesystemIOManager::default()
}

fn main() {}
