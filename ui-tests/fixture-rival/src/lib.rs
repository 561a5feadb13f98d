//! A crate that declares the manager key `shared_store` too, so a ui test
//! can link it with `larder-ui-fixture` and check the conflict is reported
//! where the key is used (neither dependency sees the other).

use larder::prelude::*;

/// A second manager behind the `shared_store` key.
#[io_manager(
    key = "shared_store",
    description = "declared in larder-ui-fixture-rival"
)]
pub fn rival_store() -> InMemoryIOManager {
    InMemoryIOManager::new()
}
