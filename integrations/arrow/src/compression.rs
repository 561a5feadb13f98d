//! How Parquet pages are compressed: zstd by default, as dagster-polars
//! writes them.

use serde::{Deserialize, Serialize};

/// Page compression of the Parquet files a [`ParquetFiles`](crate::ParquetFiles)
/// manager writes. Readers detect it from the file, so files of any
/// compression (pyarrow's snappy default too) load whatever this is set to.
///
/// In config it is a string: `"zstd"`, `"zstd(9)"`, `"snappy"` or
/// `"uncompressed"`.
///
/// ```
/// use larder_arrow::Compression;
/// assert_eq!("zstd(9)".parse::<Compression>().unwrap(), Compression::Zstd(9));
/// assert_eq!(Compression::default(), Compression::Zstd(3));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Compression {
    /// No compression.
    Uncompressed,
    /// Snappy (pyarrow's default).
    Snappy,
    /// Zstandard at a level from 1 to 22 (default 3).
    Zstd(i32),
}

impl Default for Compression {
    fn default() -> Self {
        Compression::Zstd(3)
    }
}

impl Compression {
    pub(crate) fn to_parquet(self) -> Result<parquet::basic::Compression, String> {
        use parquet::basic::{Compression as P, ZstdLevel};
        Ok(match self {
            Compression::Uncompressed => P::UNCOMPRESSED,
            Compression::Snappy => P::SNAPPY,
            Compression::Zstd(level) => P::ZSTD(
                ZstdLevel::try_new(level)
                    .map_err(|_| format!("zstd level {level} is out of range (1 to 22)"))?,
            ),
        })
    }
}

impl std::str::FromStr for Compression {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let lower = s.trim().to_ascii_lowercase();
        let parsed = match lower.as_str() {
            "uncompressed" | "none" => Compression::Uncompressed,
            "snappy" => Compression::Snappy,
            "zstd" => Compression::default(),
            other => {
                let level = other
                    .strip_prefix("zstd(")
                    .and_then(|r| r.strip_suffix(')'))
                    .and_then(|l| l.trim().parse::<i32>().ok());
                match level {
                    Some(l) => Compression::Zstd(l),
                    None => {
                        return Err(format!(
                            "unknown Parquet compression `{s}`: use \"zstd\", \"zstd(<1-22>)\", \"snappy\" or \"uncompressed\""
                        ));
                    }
                }
            }
        };
        // A bad zstd level is refused here, not at the first write.
        parsed.to_parquet().map(|_| parsed)
    }
}

impl TryFrom<String> for Compression {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<Compression> for String {
    fn from(c: Compression) -> String {
        c.to_string()
    }
}

impl std::fmt::Display for Compression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Compression::Uncompressed => f.write_str("uncompressed"),
            Compression::Snappy => f.write_str("snappy"),
            Compression::Zstd(l) => write!(f, "zstd({l})"),
        }
    }
}
