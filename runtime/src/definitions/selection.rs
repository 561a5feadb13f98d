//! `AssetSelection`: a query over the assets of a `Definitions` — keys,
//! groups, upstream and downstream closures, unions — and Dagster's
//! selection syntax for it (`AssetSelection::parse`, `--select`).
//!
//! The syntax is Dagster 1.7's (`subset_selector.parse_clause` and
//! `AssetSelection.from_string`): comma-separated clauses, each `*` (every
//! asset) or `[*|+…]KEY[+…|*]`, where `KEY` is `a/b` and a leading `*`
//! (`+`, `++`, …) adds all (one, two, …) upstream layers and a trailing one
//! the downstream layers. larder adds `group:NAME` (later Dagster's syntax)
//! with the same `*`/`+` traversals.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::fmt;
use std::str::FromStr;

use super::AssetDefinition;
use crate::error::{Error, Result};
use crate::model::asset_key::AssetKey;
use crate::suggest::did_you_mean;

/// A selection of assets, resolved against the assets of a `Definitions`
/// when a run starts (Dagster's `AssetSelection`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AssetSelection {
    /// Every asset.
    All,
    /// These assets.
    Keys(Vec<AssetKey>),
    /// The assets of these groups.
    Groups(Vec<String>),
    /// The selection and its upstream assets, `depth` layers (all when `None`).
    Upstream {
        /// What the closure starts from.
        child: Box<AssetSelection>,
        /// How many layers; `None` for all.
        depth: Option<usize>,
    },
    /// The selection and its downstream assets, `depth` layers (all when `None`).
    Downstream {
        /// What the closure starts from.
        child: Box<AssetSelection>,
        /// How many layers; `None` for all.
        depth: Option<usize>,
    },
    /// Any asset one of these selects.
    Union(Vec<AssetSelection>),
}

impl AssetSelection {
    /// Every asset (`*`).
    pub fn all() -> Self {
        AssetSelection::All
    }

    /// These assets (`a/b` strings or keys).
    pub fn assets<I, K>(keys: I) -> Self
    where
        I: IntoIterator<Item = K>,
        K: Into<AssetKey>,
    {
        AssetSelection::Keys(keys.into_iter().map(Into::into).collect())
    }

    /// The assets in these groups.
    pub fn groups<I, S>(groups: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        AssetSelection::Groups(groups.into_iter().map(Into::into).collect())
    }

    /// This selection and everything upstream of it.
    pub fn upstream(self) -> Self {
        self.upstream_depth(None)
    }

    /// This selection and `depth` layers upstream (all when `None`).
    pub fn upstream_depth(self, depth: Option<usize>) -> Self {
        AssetSelection::Upstream {
            child: Box::new(self),
            depth,
        }
    }

    /// This selection and everything downstream of it.
    pub fn downstream(self) -> Self {
        self.downstream_depth(None)
    }

    /// This selection and `depth` layers downstream (all when `None`).
    pub fn downstream_depth(self, depth: Option<usize>) -> Self {
        AssetSelection::Downstream {
            child: Box::new(self),
            depth,
        }
    }

    /// The union of both (Dagster's `|`).
    pub fn or(self, other: AssetSelection) -> Self {
        let mut parts = match self {
            AssetSelection::Union(p) => p,
            s => vec![s],
        };
        match other {
            AssetSelection::Union(p) => parts.extend(p),
            s => parts.push(s),
        }
        AssetSelection::Union(parts)
    }

    /// Parses Dagster's selection syntax: comma-separated clauses such as
    /// `*`, `a/b`, `+recommender*`, `items+`, `++items`, `group:core`.
    pub fn parse(text: &str) -> Result<Self> {
        let clauses: Vec<&str> = text.split(',').map(str::trim).collect();
        let mut parts = Vec::with_capacity(clauses.len());
        for clause in clauses {
            parts.push(parse_clause(clause)?);
        }
        Ok(match parts.len() {
            1 => parts.remove(0),
            _ => AssetSelection::Union(parts),
        })
    }

    /// The keys this selects among `assets`, in their order. A key or group
    /// that no asset has is an error naming it (with a did-you-mean), as
    /// Dagster's "No qualified assets to execute found for clause".
    pub fn resolve(&self, assets: &[AssetDefinition]) -> Result<Vec<AssetKey>> {
        let graph = Graph::new(assets);
        let selected = self.resolve_in(&graph)?;
        Ok(assets
            .iter()
            .enumerate()
            .filter(|(i, _)| selected.contains(i))
            .map(|(_, a)| a.key.clone())
            .collect())
    }

    fn resolve_in(&self, g: &Graph<'_>) -> Result<BTreeSet<usize>> {
        Ok(match self {
            AssetSelection::All => (0..g.assets.len()).collect(),
            AssetSelection::Keys(keys) => {
                let mut out = BTreeSet::new();
                for key in keys {
                    match g.index.get(key) {
                        Some(i) => {
                            out.insert(*i);
                        }
                        None => {
                            return Err(Error::NotFound(format!(
                                "selection `{key}`: asset `{key}` is selected but not defined{}",
                                did_you_mean(
                                    &key.to_string(),
                                    g.assets.iter().map(|a| a.key.to_string())
                                )
                            )));
                        }
                    }
                }
                out
            }
            AssetSelection::Groups(groups) => {
                let mut out = BTreeSet::new();
                for group in groups {
                    let before = out.len();
                    out.extend(
                        g.assets
                            .iter()
                            .enumerate()
                            .filter(|(_, a)| &a.group_name == group)
                            .map(|(i, _)| i),
                    );
                    if out.len() == before && !g.assets.iter().any(|a| &a.group_name == group) {
                        let known: BTreeSet<&str> =
                            g.assets.iter().map(|a| a.group_name.as_str()).collect();
                        return Err(Error::NotFound(format!(
                            "selection `group:{group}`: no asset is in group `{group}`; groups: {}{}",
                            if known.is_empty() {
                                "none".to_owned()
                            } else {
                                known.iter().copied().collect::<Vec<_>>().join(", ")
                            },
                            did_you_mean(group, known.iter().map(|s| s.to_string()))
                        )));
                    }
                }
                out
            }
            AssetSelection::Upstream { child, depth } => {
                let start = child.resolve_in(g)?;
                g.closure(start, &g.up, *depth)
            }
            AssetSelection::Downstream { child, depth } => {
                let start = child.resolve_in(g)?;
                g.closure(start, &g.down, *depth)
            }
            AssetSelection::Union(parts) => {
                let mut out = BTreeSet::new();
                for p in parts {
                    out.extend(p.resolve_in(g)?);
                }
                out
            }
        })
    }
}

impl FromStr for AssetSelection {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        AssetSelection::parse(s)
    }
}

impl std::ops::BitOr for AssetSelection {
    type Output = AssetSelection;

    fn bitor(self, rhs: AssetSelection) -> AssetSelection {
        self.or(rhs)
    }
}

impl From<AssetKey> for AssetSelection {
    fn from(key: AssetKey) -> Self {
        AssetSelection::Keys(vec![key])
    }
}

impl From<Vec<AssetKey>> for AssetSelection {
    fn from(keys: Vec<AssetKey>) -> Self {
        AssetSelection::Keys(keys)
    }
}

/// Written back in the syntax `parse` reads, where it can be.
impl fmt::Display for AssetSelection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn depth(d: &Option<usize>) -> String {
            match d {
                None => "*".to_owned(),
                Some(n) => "+".repeat(*n),
            }
        }
        match self {
            AssetSelection::All => f.write_str("*"),
            AssetSelection::Keys(keys) => {
                let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
                f.write_str(&keys.join(","))
            }
            AssetSelection::Groups(groups) => {
                let groups: Vec<String> = groups.iter().map(|g| format!("group:{g}")).collect();
                f.write_str(&groups.join(","))
            }
            // A closure of several clauses is the union of their closures:
            // `+a,+b`, not `+a,b`.
            AssetSelection::Upstream { child, depth: d } => {
                let parts: Vec<String> = clauses(child)
                    .iter()
                    .map(|c| format!("{}{c}", depth(d)))
                    .collect();
                f.write_str(&parts.join(","))
            }
            AssetSelection::Downstream { child, depth: d } => {
                let parts: Vec<String> = clauses(child)
                    .iter()
                    .map(|c| format!("{c}{}", depth(d)))
                    .collect();
                f.write_str(&parts.join(","))
            }
            AssetSelection::Union(parts) => {
                // `+a*` parses to `+a | a*`; write it back as one clause.
                if let [
                    AssetSelection::Upstream {
                        child: up,
                        depth: u,
                    },
                    AssetSelection::Downstream {
                        child: down,
                        depth: d,
                    },
                ] = parts.as_slice()
                    && up == down
                    && matches!(**up, AssetSelection::Keys(ref k) if k.len() == 1)
                {
                    return write!(f, "{}{up}{}", depth(u), depth(d));
                }
                let parts: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
                f.write_str(&parts.join(","))
            }
        }
    }
}

/// The clauses of a selection, one string each.
fn clauses(s: &AssetSelection) -> Vec<String> {
    match s {
        AssetSelection::Keys(keys) => keys.iter().map(|k| k.to_string()).collect(),
        AssetSelection::Groups(groups) => groups.iter().map(|g| format!("group:{g}")).collect(),
        AssetSelection::Union(parts) => parts.iter().flat_map(clauses).collect(),
        other => vec![other.to_string()],
    }
}

/// One clause. Dagster's pattern is `^(\*?\+*)?([./\w\d\[\]?_-]+)(\+*\*?)?$`
/// on the stripped clause, and a part's depth is 0 when empty, unbounded
/// when it holds a `*`, else its number of `+`.
fn parse_clause(clause: &str) -> Result<AssetSelection> {
    let invalid = |why: &str| {
        Error::msg(format!(
            "invalid selection clause `{clause}`: {why}; expected `*`, `KEY`, `a/b`, `+KEY`, `*KEY`, `KEY+`, `KEY*` or `group:NAME`"
        ))
    };
    if clause.is_empty() {
        return Err(invalid("it is empty"));
    }
    if clause == "*" {
        return Ok(AssetSelection::All);
    }
    let is_op = |c: char| c == '*' || c == '+';
    let body_start = clause.find(|c: char| !is_op(c)).unwrap_or(clause.len());
    let body_end = clause
        .rfind(|c: char| !is_op(c))
        .map(|i| i + clause[i..].chars().next().map_or(1, char::len_utf8))
        .unwrap_or(body_start);
    let (prefix, item, suffix) = (
        &clause[..body_start],
        &clause[body_start..body_end],
        &clause[body_end..],
    );
    // `\*?\+*` before the item, `\+*\*?` after it.
    let prefix_ok = prefix
        .strip_prefix('*')
        .unwrap_or(prefix)
        .chars()
        .all(|c| c == '+');
    let suffix_ok = suffix
        .strip_suffix('*')
        .unwrap_or(suffix)
        .chars()
        .all(|c| c == '+');
    if !prefix_ok {
        return Err(invalid(&format!(
            "`{prefix}` before the key: at most one `*`, first"
        )));
    }
    if !suffix_ok {
        return Err(invalid(&format!(
            "`{suffix}` after the key: at most one `*`, last"
        )));
    }
    let base = if let Some(group) = item.strip_prefix("group:") {
        if group.is_empty() || !group.chars().all(is_key_char) {
            return Err(invalid("a group name is letters, digits, `_` and `-`"));
        }
        AssetSelection::Groups(vec![group.to_owned()])
    } else if item.starts_with("tag:") {
        return Err(invalid("larder assets have no tags"));
    } else {
        if let Some(bad) = item.chars().find(|c| !is_key_char(*c)) {
            return Err(invalid(&format!("`{bad}` cannot be part of an asset key")));
        }
        AssetSelection::Keys(vec![AssetKey::from_user_string(item)])
    };
    let depth = |part: &str| -> Option<Option<usize>> {
        if part.is_empty() {
            None
        } else if part.contains('*') {
            Some(None)
        } else {
            Some(Some(part.len()))
        }
    };
    // Dagster: both traversals are taken from the item and unioned
    // (`upstream(up) | downstream(down)`), not chained.
    Ok(match (depth(prefix), depth(suffix)) {
        (None, None) => base,
        (Some(up), None) => base.upstream_depth(up),
        (None, Some(down)) => base.downstream_depth(down),
        (Some(up), Some(down)) => base
            .clone()
            .upstream_depth(up)
            .or(base.downstream_depth(down)),
    })
}

/// Python's `[./\w\d\[\]?_-]`.
fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '/' | '[' | ']' | '?' | '_' | '-')
}

/// The asset graph by index: each asset's upstream (inputs and deps) and
/// downstream assets among those defined.
struct Graph<'a> {
    assets: &'a [AssetDefinition],
    index: HashMap<&'a AssetKey, usize>,
    up: Vec<Vec<usize>>,
    down: Vec<Vec<usize>>,
}

impl<'a> Graph<'a> {
    fn new(assets: &'a [AssetDefinition]) -> Self {
        let index: HashMap<&AssetKey, usize> = assets
            .iter()
            .enumerate()
            .map(|(i, a)| (&a.key, i))
            .collect();
        let mut up = vec![Vec::new(); assets.len()];
        let mut down = vec![Vec::new(); assets.len()];
        for (i, a) in assets.iter().enumerate() {
            for k in a.upstream_keys().iter().chain(&a.deps) {
                if let Some(&j) = index.get(k) {
                    up[i].push(j);
                    down[j].push(i);
                }
            }
        }
        Graph {
            assets,
            index,
            up,
            down,
        }
    }

    /// `start` and what `edges` reach from it within `depth` layers
    /// (breadth first, as Dagster's `Traverser`).
    fn closure(
        &self,
        start: BTreeSet<usize>,
        edges: &[Vec<usize>],
        depth: Option<usize>,
    ) -> BTreeSet<usize> {
        let mut out = start.clone();
        let mut frontier: VecDeque<usize> = start.into_iter().collect();
        let mut layer = 0;
        while !frontier.is_empty() && depth.is_none_or(|d| layer < d) {
            let mut next = VecDeque::new();
            for i in frontier {
                for &j in &edges[i] {
                    if out.insert(j) {
                        next.push_back(j);
                    }
                }
            }
            frontier = next;
            layer += 1;
        }
        out
    }
}
