//! `BatchStream`: a table read one record batch at a time, for tables
//! larger than memory.

use std::collections::VecDeque;
use std::sync::Mutex;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use larder::Error;
use larder::storage::upath::UPath;

use crate::table::{OpenTable, describe_columns, open_table};

type Batches = Box<dyn Iterator<Item = larder::Result<RecordBatch>> + Send>;

/// Record batches produced one at a time: as an input, the Parquet
/// manager reads them lazily (a batch of at most 1,024 rows at a time,
/// file after file for many partitions), so a table larger than memory can
/// be scanned; as an output, it is written batch by batch.
///
/// ```
/// use std::sync::Arc;
/// use larder_arrow::BatchStream;
/// use larder_arrow::arrow_array::{Int64Array, RecordBatch};
///
/// let b = RecordBatch::try_from_iter([("n", Arc::new(Int64Array::from(vec![1, 2])) as _)]).unwrap();
/// let stream = BatchStream::from_batches(b.schema(), vec![b.clone(), b]);
/// let rows: usize = stream.map(|b| b.unwrap().num_rows()).sum();
/// assert_eq!(rows, 4);
/// ```
pub struct BatchStream {
    schema: SchemaRef,
    // A `Mutex` only so the stream is `Sync`, as step values are.
    batches: Mutex<Batches>,
}

impl std::fmt::Debug for BatchStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BatchStream({})", describe_columns(&self.schema))
    }
}

impl BatchStream {
    /// Batches of `schema` from `batches`.
    pub fn new<I>(schema: SchemaRef, batches: I) -> Self
    where
        I: IntoIterator<Item = larder::Result<RecordBatch>>,
        I::IntoIter: Send + 'static,
    {
        BatchStream {
            schema,
            batches: Mutex::new(Box::new(batches.into_iter())),
        }
    }

    /// A stream over batches already in memory.
    pub fn from_batches(schema: SchemaRef, batches: Vec<RecordBatch>) -> Self {
        Self::new(schema, batches.into_iter().map(Ok))
    }

    /// The schema of every batch.
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// Takes the rest of the batches (a shared stream is consumed once).
    pub(crate) fn drain(&self) -> Batches {
        match self.batches.lock() {
            Ok(mut b) => std::mem::replace(&mut *b, Box::new(std::iter::empty())),
            Err(_) => Box::new(std::iter::once(Err(Error::msg(
                "a batch stream was poisoned by a panic while it was read",
            )))),
        }
    }
}

impl Iterator for BatchStream {
    type Item = larder::Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.batches.get_mut() {
            Ok(b) => b.next(),
            Err(_) => Some(Err(Error::msg(
                "a batch stream was poisoned by a panic while it was read",
            ))),
        }
    }
}

/// Files read one after the other, each opened when the previous one ends.
pub(crate) struct FileBatches {
    pub(crate) current: Option<OpenTable>,
    /// `(what, path)` of the files still to open.
    pub(crate) rest: VecDeque<(String, UPath)>,
    pub(crate) columns: Option<Vec<String>>,
    pub(crate) schema: SchemaRef,
    /// The first file's description, for schema mismatches.
    pub(crate) first: String,
}

impl Iterator for FileBatches {
    type Item = larder::Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(b) = self.current.as_mut()?.next_batch() {
                return Some(b);
            }
            let Some((what, path)) = self.rest.pop_front() else {
                self.current = None;
                return None;
            };
            let columns = self.columns.clone();
            match open_table(&path, &what, |_| Ok(columns)) {
                Ok(t) if t.schema.fields() != self.schema.fields() => {
                    self.current = None;
                    return Some(Err(Error::msg(format!(
                        "{what}: {path} has columns {}, but {} has {}; they cannot be one table",
                        describe_columns(&t.schema),
                        self.first,
                        describe_columns(&self.schema)
                    ))));
                }
                Ok(t) => self.current = Some(t),
                Err(e) => {
                    self.current = None;
                    return Some(Err(e));
                }
            }
        }
    }
}
