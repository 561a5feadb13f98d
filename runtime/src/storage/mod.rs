//! Built-in IO managers: in memory, and on the filesystem.

mod codec;
mod fs;
mod mem;
mod path;

pub use codec::Codec;
pub use fs::{FilesystemIOManager, fs_io_manager};
pub use mem::{InMemoryIOManager, mem_io_manager};
pub use path::{check_component, safe_join};
