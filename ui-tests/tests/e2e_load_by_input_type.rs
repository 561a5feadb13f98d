//! The upstream's IO manager loads a downstream input as the input asks
//! (Dagster's `load_input` sees the input's type): a table manager that
//! stores rows as JSON lines loads one column, or the row count.

use std::path::PathBuf;
use std::sync::Mutex;

use larder::prelude::*;

/// Where `table` writes: set by the one test that runs assets.
static BASE: Mutex<Option<PathBuf>> = Mutex::new(None);

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Row {
    id: i64,
    title: String,
}

/// A Parquet-like manager: a table per asset, one JSON object per line.
pub struct TableManager {
    dir: PathBuf,
}

impl TableManager {
    fn path(&self, key: &AssetKey) -> PathBuf {
        self.dir
            .join(format!("{}.jsonl", key.to_string().replace('/', "__")))
    }
    fn rows(&self, ctx: &InputContext) -> larder::Result<Vec<serde_json::Value>> {
        let path = self.path(ctx.asset_key()?);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| larder::Error::msg(format!("{}: {e}", path.display())))?;
        text.lines()
            .map(|l| serde_json::from_str(l).map_err(|e| larder::Error::msg(e.to_string())))
            .collect()
    }
}

impl IOManager<Vec<Row>> for TableManager {
    fn handle_output(&self, ctx: &mut OutputContext, rows: &Vec<Row>) -> larder::Result<()> {
        let mut text = String::new();
        for r in rows {
            text.push_str(
                &serde_json::to_string(r).map_err(|e| larder::Error::msg(e.to_string()))?,
            );
            text.push('\n');
        }
        std::fs::write(self.path(ctx.asset_key()?), text)
            .map_err(|e| larder::Error::msg(e.to_string()))
    }
    fn load_input(&self, ctx: &mut InputContext) -> larder::Result<Vec<Row>> {
        self.rows(ctx)?
            .into_iter()
            .map(|v| serde_json::from_value(v).map_err(|e| larder::Error::msg(e.to_string())))
            .collect()
    }
}

/// One column, named by the input's `column` metadata.
impl InputManager<Vec<String>> for TableManager {
    fn load_input(&self, ctx: &mut InputContext) -> larder::Result<Vec<String>> {
        let column = match ctx.definition_metadata().get("column") {
            Some(MetadataValue::Text(c)) => c.clone(),
            other => {
                return Err(larder::Error::msg(format!(
                    "no `column` metadata: {other:?}"
                )));
            }
        };
        Ok(self
            .rows(ctx)?
            .iter()
            .map(|r| match &r[&column] {
                serde_json::Value::String(s) => s.clone(),
                v => v.to_string(),
            })
            .collect())
    }
}

/// The row count.
impl InputManager<i64> for TableManager {
    fn load_input(&self, ctx: &mut InputContext) -> larder::Result<i64> {
        Ok(self.rows(ctx)?.len() as i64)
    }
}

#[io_manager(key = "table")]
fn table() -> TableManager {
    let dir = BASE
        .lock()
        .unwrap()
        .clone()
        .unwrap_or_else(std::env::temp_dir);
    TableManager { dir }
}

#[asset(io_manager_key = "table")]
fn stories() -> Vec<Row> {
    vec![
        Row {
            id: 1,
            title: "Rust 2024".into(),
        },
        Row {
            id: 2,
            title: "Dagster 1.7".into(),
        },
        Row {
            id: 3,
            title: "larder".into(),
        },
    ]
}

#[asset(ins(stories(metadata(column = "title"))))]
fn titles(stories: Vec<String>) -> Vec<String> {
    stories
}

#[asset]
fn story_count(stories: i64) -> i64 {
    stories
}

#[asset]
fn first_story(stories: Vec<Row>) -> String {
    stories[0].title.clone()
}

/// Writes its table itself and returns nothing (Dagster's `-> None`).
#[asset(io_manager_key = "table")]
fn comments() -> larder::Result<()> {
    let dir = BASE
        .lock()
        .unwrap()
        .clone()
        .unwrap_or_else(std::env::temp_dir);
    std::fs::write(dir.join("comments.jsonl"), "{\"id\":1}\n{\"id\":2}\n")
        .map_err(|e| larder::Error::msg(e.to_string()))
}

/// Loaded by `comments`' manager, although `comments` stored nothing.
#[asset]
fn comment_count(comments: i64) -> i64 {
    comments
}

/// A raw identifier names the asset `type`.
#[asset(io_manager_key = "table")]
fn r#type() -> Vec<Row> {
    vec![Row {
        id: 9,
        title: "raw".into(),
    }]
}

#[asset]
fn type_count(r#type: i64) -> i64 {
    r#type
}

#[test]
fn the_upstream_manager_loads_each_input_as_its_type() {
    let dir = tempfile::tempdir().unwrap();
    *BASE.lock().unwrap() = Some(dir.path().to_path_buf());
    let defs = Definitions::discover();
    defs.validate().unwrap();
    let result = defs.run(RunOptions::new().in_memory()).unwrap();
    assert!(result.success(), "{:?}", result.failure_lines());
    assert_eq!(
        *result.asset_value::<Vec<String>>("titles").unwrap(),
        ["Rust 2024", "Dagster 1.7", "larder"]
    );
    assert_eq!(*result.asset_value::<i64>("story_count").unwrap(), 3);
    assert_eq!(
        result.asset_value::<String>("first_story").unwrap(),
        "Rust 2024"
    );
    assert_eq!(*result.asset_value::<i64>("comment_count").unwrap(), 2);
    assert_eq!(*result.asset_value::<i64>("type_count").unwrap(), 1);
    // The rows were written by the manager, as JSON lines.
    let text = std::fs::read_to_string(dir.path().join("stories.jsonl")).unwrap();
    assert_eq!(text.lines().count(), 3);
    assert!(text.starts_with("{\"id\":1,\"title\":\"Rust 2024\"}"));
}
