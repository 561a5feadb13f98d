//! Built-in IO managers: in memory, and on the filesystem.

mod atomic;
mod codec;
pub(crate) mod fs;
mod mem;
mod path;
mod row_count;
pub mod upath;

pub use atomic::{Reclaimed, TEMP_PREFIX, reclaim_temp_files, reclaim_temp_files_below};
pub use codec::Codec;
pub use fs::{FilesystemIOManager, fs_io_manager};
pub use mem::{InMemoryIOManager, mem_io_manager};
pub use path::{check_component, safe_join};
