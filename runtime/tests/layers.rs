//! The runtime's module graph, read from its sources: every import points
//! down the layers (or stays inside one), no cycle joins two top-level
//! modules, and a cycle between the modules of one layer may only be one
//! listed below with its reason (the list only shrinks: a listed edge that
//! no longer exists fails the test, so it must be removed).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// The layers, bottom up. A module may import from its own layer or any
/// layer below; the folders of `src/` are these layers.
const LAYERS: &[(&str, &[&str])] = &[
    // Used by every layer: the error type, the panic guard, did-you-mean.
    ("base", &["error", "guard", "suggest"]),
    // Plain data: keys, metadata, types, partitions, config, events, instance.
    ("model", &["model"]),
    // Manager traits, contexts, resources.
    ("io", &["io"]),
    // Assets, ops, jobs, `Definitions`, the registry.
    ("definitions", &["definitions"]),
    // The built-in managers.
    ("storage", &["storage"]),
    // Plan, executor, results, history, entry points.
    ("run", &["run"]),
    ("cli", &["cli"]),
];

/// Folders whose files are nodes of their own (`io::context`), so cycles
/// inside a layer show too.
const LAYER_DIRS: &[&str] = &["model", "io", "definitions", "storage", "run"];

/// Edges between modules of one layer that still lie on a cycle, and why.
/// Remove an entry when its edge goes; add none.
///
/// The four in `io` are one triangle that Dagster has too: a resource may
/// be a manager, a manager receives a context, a context carries the run's
/// resources. Breaking it means holding managers as `dyn Any` in the
/// resource map and downcasting at every store and load.
const KNOWN_CYCLE_EDGES: &[(&str, &str, &str)] = &[
    (
        "io::resources",
        "io::manager",
        "a resource instance may be a `DynIOManager` (the built-ins)",
    ),
    (
        "io::manager",
        "io::resources",
        "`IOManagerDefinition` is a `ResourceDefinition` of kind IO manager",
    ),
    (
        "io::manager",
        "io::context",
        "the manager traits take contexts",
    ),
    (
        "io::context",
        "io::resources",
        "contexts carry the run's resources",
    ),
];

const FACADE: &[&str] = &["lib", "__private"];

/// `#[macro_export]` macros live at the crate root but belong to the
/// module that defines them.
const EXPORTED_MACROS: &[(&str, &str)] = &[("type_info", "model::types")];

/// The modules `crate::…` paths may name: `model::types`, `io`, `error`.
struct Modules(BTreeSet<String>);

impl Modules {
    /// The module a `crate::a::b::…` path lands in. `crate::Name` (a
    /// re-export at the root, or an exported macro) lands in `lib`.
    fn resolve(&self, a: &str, b: Option<&str>) -> String {
        if let Some((_, home)) = EXPORTED_MACROS.iter().find(|(name, _)| *name == a) {
            return (*home).to_owned();
        }
        if let Some(b) = b {
            let inner = format!("{a}::{b}");
            if self.0.contains(&inner) {
                return inner;
            }
        }
        if self.0.contains(a) {
            a.to_owned()
        } else {
            "lib".to_owned()
        }
    }
}

struct CratePaths<'a> {
    from: &'a str,
    modules: &'a Modules,
    edges: &'a mut BTreeSet<(String, String)>,
}

impl CratePaths<'_> {
    fn add(&mut self, a: &str, b: Option<&str>) {
        let to = self.modules.resolve(a, b);
        if to != self.from {
            self.edges.insert((self.from.to_owned(), to));
        }
    }

    /// `use crate::a::b::…;` and groups, down to the second segment.
    fn use_tree(&mut self, tree: &syn::UseTree, prefix: &[String]) {
        let named = |ident: &syn::Ident| {
            let mut p = prefix.to_vec();
            p.push(ident.to_string());
            p
        };
        let path = match tree {
            syn::UseTree::Path(p) => {
                let next = named(&p.ident);
                if next.len() < 3 && (next[0] == "crate" || next.len() == 1) {
                    return self.use_tree(&p.tree, &next);
                }
                next
            }
            syn::UseTree::Name(n) => named(&n.ident),
            syn::UseTree::Rename(r) => named(&r.ident),
            syn::UseTree::Glob(_) => prefix.to_vec(),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(t, prefix);
                }
                return;
            }
        };
        if path.first().is_some_and(|f| f == "crate") && path.len() >= 2 {
            self.add(&path[1], path.get(2).map(String::as_str));
        }
    }
}

/// `#[cfg(test)]`: unit tests are not part of the library, so what they
/// import (a crate-root macro, a fixture from a higher layer) is no edge.
fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && matches!(&a.meta, syn::Meta::List(l) if l.tokens.to_string() == "test")
    })
}

impl<'ast> Visit<'ast> for CratePaths<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !is_cfg_test(&m.attrs) {
            syn::visit::visit_item_mod(self, m);
        }
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if !is_cfg_test(&f.attrs) {
            syn::visit::visit_item_fn(self, f);
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        if !is_cfg_test(&u.attrs) {
            self.use_tree(&u.tree, &[]);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path
            .segments
            .iter()
            .take(3)
            .map(|s| s.ident.to_string())
            .collect();
        if segments.len() >= 2 && segments[0] == "crate" {
            // The last segment of a path is an item, not a module.
            let b = (segments.len() == 3).then(|| segments[2].as_str());
            self.add(&segments[1], b);
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // Paths inside macro calls (`format!`, `matches!`) are tokens to
        // syn; read `crate :: a :: b` out of them.
        let text = mac.tokens.to_string();
        for (i, _) in text.match_indices("crate ::") {
            // `$crate` in an exported macro resolves at the user's site.
            if text[..i].ends_with('$') || text[..i].ends_with("$ ") {
                continue;
            }
            let rest = &text[i + "crate ::".len()..];
            let mut names = rest.split("::").map(|n| {
                n.trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect::<String>()
            });
            if let Some(a) = names.next().filter(|a| !a.is_empty()) {
                let b = names.next().filter(|b| !b.is_empty());
                self.add(&a, b.as_deref());
            }
        }
        syn::visit::visit_macro(self, mac);
    }
}

/// The node a file belongs to: `model::types` for `src/model/types.rs` or
/// `src/model/partitions/…`, `model` for `src/model/mod.rs`, `cli` for
/// `src/cli.rs`.
fn module_of(src: &Path, file: &Path) -> String {
    let parts: Vec<String> = file
        .strip_prefix(src)
        .unwrap()
        .components()
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_owned()
        })
        .collect();
    let top = match parts[0].as_str() {
        "private" => "__private".to_owned(),
        other => other.to_owned(),
    };
    match parts.get(1) {
        Some(inner) if LAYER_DIRS.contains(&top.as_str()) && inner != "mod" => {
            format!("{top}::{inner}")
        }
        _ => top,
    }
}

fn top_of(module: &str) -> &str {
    module.split("::").next().unwrap()
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

fn module_graph() -> BTreeSet<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = rust_files(&src);
    let mut names: BTreeSet<String> = files.iter().map(|f| module_of(&src, f)).collect();
    names.extend(
        names
            .iter()
            .map(|m| top_of(m).to_owned())
            .collect::<Vec<_>>(),
    );
    let modules = Modules(names);
    let mut edges = BTreeSet::new();
    for file in files {
        let module = module_of(&src, &file);
        let text = std::fs::read_to_string(&file).unwrap();
        let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        CratePaths {
            from: &module,
            modules: &modules,
            edges: &mut edges,
        }
        .visit_file(&ast);
    }
    edges
}

fn reaches(edges: &BTreeSet<(String, String)>, from: &str, to: &str) -> bool {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges {
        next.entry(a).or_default().push(b);
    }
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([from]);
    while let Some(m) = queue.pop_front() {
        if m == to {
            return true;
        }
        if seen.insert(m) {
            queue.extend(next.get(m).into_iter().flatten());
        }
    }
    false
}

fn show(edges: &BTreeSet<(String, String)>) -> String {
    edges
        .iter()
        .map(|(a, b)| format!("  {a} -> {b}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_facade(m: &str) -> bool {
    FACADE.contains(&m)
}

fn layer_of(module: &str) -> Option<usize> {
    let top = top_of(module);
    LAYERS.iter().position(|(_, ms)| ms.contains(&top))
}

#[test]
fn every_module_is_in_a_layer() {
    let edges = module_graph();
    let unplaced: BTreeSet<&str> = edges
        .iter()
        .flat_map(|(a, b)| [a.as_str(), b.as_str()])
        .filter(|m| !is_facade(m) && layer_of(m).is_none())
        .collect();
    assert!(
        unplaced.is_empty(),
        "modules in no layer (add them to LAYERS): {unplaced:?}"
    );
}

#[test]
fn every_import_points_down_a_layer() {
    let edges = module_graph();
    let up: BTreeSet<_> = edges
        .iter()
        .filter(|(a, b)| match (layer_of(a), layer_of(b)) {
            (Some(from), Some(to)) => to > from,
            _ => false,
        })
        .cloned()
        .collect();
    assert!(
        up.is_empty(),
        "imports pointing up a layer:\n{}\n\nthe whole graph:\n{}",
        show(&up),
        show(&edges)
    );
}

#[test]
fn no_cycle_between_top_level_modules() {
    let edges = module_graph();
    let tops: BTreeSet<(String, String)> = edges
        .iter()
        .map(|(a, b)| (top_of(a).to_owned(), top_of(b).to_owned()))
        .filter(|(a, b)| a != b && !is_facade(a) && !is_facade(b))
        .collect();
    let on_cycles: BTreeSet<_> = tops
        .iter()
        .filter(|(a, b)| reaches(&tops, b, a))
        .cloned()
        .collect();
    assert!(
        on_cycles.is_empty(),
        "top-level modules in a cycle:\n{}\n\nthe whole graph:\n{}",
        show(&on_cycles),
        show(&tops)
    );
}

#[test]
fn cycles_inside_a_layer_only_shrink() {
    let edges = module_graph();
    let graph: BTreeSet<(String, String)> = edges
        .iter()
        .filter(|(a, b)| !is_facade(a) && !is_facade(b))
        .cloned()
        .collect();
    let on_cycles: BTreeSet<(String, String)> = graph
        .iter()
        .filter(|(a, b)| reaches(&graph, b, a))
        .cloned()
        .collect();
    let known: BTreeSet<(String, String)> = KNOWN_CYCLE_EDGES
        .iter()
        .map(|(a, b, _)| (a.to_string(), b.to_string()))
        .collect();
    let new: BTreeSet<_> = on_cycles.difference(&known).cloned().collect();
    assert!(
        new.is_empty(),
        "new import edges on a cycle (point them down instead):\n{}\n\nthe whole graph:\n{}",
        show(&new),
        show(&graph)
    );
    let gone: BTreeSet<_> = known.difference(&on_cycles).cloned().collect();
    assert!(
        gone.is_empty(),
        "these listed edges are no longer on a cycle: remove them from KNOWN_CYCLE_EDGES:\n{}",
        show(&gone)
    );
}

#[test]
fn modules_import_from_the_module_that_defines_a_name() {
    // `crate::Name` goes through the root's re-exports, which hides the
    // real edge from the checks above.
    let edges = module_graph();
    let via_root: BTreeSet<_> = edges
        .iter()
        .filter(|(a, b)| b == "lib" && !is_facade(a))
        .cloned()
        .collect();
    assert!(
        via_root.is_empty(),
        "modules importing through the crate root:\n{}",
        show(&via_root)
    );
}

#[test]
fn generated_code_support_is_imported_by_no_runtime_module() {
    let edges = module_graph();
    let into_private: BTreeSet<_> = edges
        .iter()
        .filter(|(a, b)| b == "__private" && !is_facade(a))
        .cloned()
        .collect();
    // `model::types` names `__private` for the `type_info!` macro it exports.
    let allowed = BTreeSet::from([("model::types".to_owned(), "__private".to_owned())]);
    let extra: BTreeSet<_> = into_private.difference(&allowed).cloned().collect();
    assert!(
        extra.is_empty(),
        "runtime modules reaching into __private:\n{}",
        show(&extra)
    );
}
