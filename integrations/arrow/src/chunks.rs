//! A Parquet [`ChunkReader`] over a [`UPath`]: every read is a ranged read
//! (a ranged GET on object stores), so only the footer and the selected
//! columns' chunks are fetched. It counts the bytes it fetched.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use larder::storage::upath::UPath;
use parquet::errors::ParquetError;
use parquet::file::reader::{ChunkReader, Length};

/// Sequential reads (the reader's page headers, a few hundred bytes) fetch
/// this much first, doubling on each refill up to `MAX_BLOCK`: a header
/// costs one small request, a long scan few requests.
const FIRST_BLOCK: u64 = 8 * 1024;
const MAX_BLOCK: u64 = 4 * 1024 * 1024;

pub(crate) struct UPathChunks {
    path: UPath,
    len: u64,
    fetched: Arc<AtomicU64>,
}

impl UPathChunks {
    pub(crate) fn open(path: &UPath) -> larder::Result<Self> {
        Ok(UPathChunks {
            len: path.size()?,
            path: path.clone(),
            fetched: Arc::new(AtomicU64::new(0)),
        })
    }

    pub(crate) fn fetched(&self) -> Arc<AtomicU64> {
        self.fetched.clone()
    }
}

fn fetch(path: &UPath, fetched: &AtomicU64, start: u64, end: u64) -> Result<Vec<u8>, ParquetError> {
    let bytes = path
        .read_range(start..end)
        .map_err(|e| ParquetError::External(Box::new(e)))?;
    fetched.fetch_add(bytes.len() as u64, Ordering::Relaxed);
    Ok(bytes)
}

impl Length for UPathChunks {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for UPathChunks {
    type T = BlockReader;

    fn get_read(&self, start: u64) -> Result<BlockReader, ParquetError> {
        Ok(BlockReader {
            path: self.path.clone(),
            fetched: self.fetched.clone(),
            pos: start,
            end: self.len,
            buf: Vec::new(),
            at: 0,
            block: FIRST_BLOCK,
        })
    }

    fn get_bytes(&self, start: u64, length: usize) -> Result<Bytes, ParquetError> {
        let end = start.saturating_add(length as u64).min(self.len);
        fetch(&self.path, &self.fetched, start, end).map(Bytes::from)
    }
}

/// Reads forward from an offset, one block at a time.
pub(crate) struct BlockReader {
    path: UPath,
    fetched: Arc<AtomicU64>,
    /// Where the next block starts.
    pos: u64,
    end: u64,
    buf: Vec<u8>,
    at: usize,
    block: u64,
}

impl Read for BlockReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.buf.len() {
            if self.pos >= self.end {
                return Ok(0);
            }
            let end = (self.pos + self.block).min(self.end);
            self.block = (self.block * 2).min(MAX_BLOCK);
            self.buf = fetch(&self.path, &self.fetched, self.pos, end)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            self.at = 0;
            self.pos = end;
        }
        let n = out.len().min(self.buf.len() - self.at);
        out[..n].copy_from_slice(&self.buf[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}
