//! The runtime's module graph, read from its sources: every import points
//! down the layers (or stays inside one), and no new cycle between
//! top-level modules may appear. The cycles that remain are listed with the
//! reason each is still there; the list may only shrink (a listed edge that
//! no longer exists fails the test, so it must be removed).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// Edges that still lie on a cycle, and why. Remove an entry when its
/// edge goes; add none.
const KNOWN_CYCLE_EDGES: &[(&str, &str, &str)] = &[
    (
        "context",
        "definitions",
        "contexts carry the OpDefinition (Dagster's `op_def`)",
    ),
    ("context", "resources", "contexts carry the run's Resources"),
    (
        "definitions",
        "context",
        "AssetIn/Out hold typed adapters that take contexts",
    ),
    (
        "definitions",
        "io_manager",
        "typed adapters call the manager traits",
    ),
    (
        "definitions",
        "resources",
        "Definitions and jobs hold ResourceDefinitions",
    ),
    ("io_manager", "context", "manager traits take contexts"),
    (
        "io_manager",
        "resources",
        "IOManagerDefinition wraps a ResourceDefinition",
    ),
    (
        "resources",
        "io_manager",
        "ResourceDefinition converts to DynIOManager",
    ),
];

/// Modules that import nothing but each other: the bottom of the layers.
const BOTTOM: &[&str] = &[
    "error",
    "guard",
    "suggest",
    "asset_key",
    "metadata",
    "types",
    "partitions",
    "config",
    "events",
];

/// Every top-level module's layer, bottom first. An import may point down
/// or stay in its layer, never up; a new module must be placed here. The
/// core is one layer because its modules still import each other (the
/// cycle edges above).
const LAYERS: &[(&str, &[&str])] = &[
    ("bottom", BOTTOM),
    ("records", &["history", "instance"]),
    (
        "core",
        &[
            "context",
            "definitions",
            "io_manager",
            "resources",
            "registry",
        ],
    ),
    ("storage", &["storage", "lifecycle"]),
    ("run", &["execution"]),
    ("cli", &["cli"]),
];

/// The crate facade (lib.rs) and what generated code reaches: they may
/// import anything and are imported by nothing but the facade.
const FACADE: &[&str] = &["lib", "__private"];

struct CratePaths<'a> {
    from: &'a str,
    modules: &'a BTreeSet<String>,
    edges: &'a mut BTreeSet<(String, String)>,
}

impl CratePaths<'_> {
    fn add(&mut self, to: &str) {
        // `crate::Name` for a re-export (or an exported macro) goes
        // through the facade.
        let to = if self.modules.contains(to) { to } else { "lib" };
        if to != self.from {
            self.edges.insert((self.from.to_owned(), to.to_owned()));
        }
    }

    fn use_tree(&mut self, tree: &syn::UseTree, under_crate: bool) {
        match tree {
            syn::UseTree::Path(p) if !under_crate && p.ident == "crate" => {
                self.use_tree(&p.tree, true)
            }
            syn::UseTree::Path(p) if under_crate => self.add(&p.ident.to_string()),
            syn::UseTree::Name(n) if under_crate => self.add(&n.ident.to_string()),
            syn::UseTree::Rename(r) if under_crate => self.add(&r.ident.to_string()),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(t, under_crate);
                }
            }
            _ => {}
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
            self.use_tree(&u.tree, false);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let mut segments = path.segments.iter();
        if let (Some(first), Some(second)) = (segments.next(), segments.next())
            && first.ident == "crate"
        {
            self.add(&second.ident.to_string());
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // Paths inside macro calls (`format!`, `matches!`) are tokens to
        // syn; read `crate :: name` out of them.
        let text = mac.tokens.to_string();
        for (i, _) in text.match_indices("crate ::") {
            // `$crate` in an exported macro resolves at the user's site.
            if text[..i].ends_with('$') || text[..i].ends_with("$ ") {
                continue;
            }
            let rest = text[i + "crate ::".len()..].trim_start();
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                self.add(&name);
            }
        }
        syn::visit::visit_macro(self, mac);
    }
}

fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
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
    let mut modules: BTreeSet<String> = files
        .iter()
        .map(|f| module_of(&src, f))
        .map(|m| {
            if m == "private" {
                "__private".to_owned()
            } else {
                m
            }
        })
        .collect();
    modules.insert("__private".to_owned());
    let mut edges = BTreeSet::new();
    for file in files {
        let module = module_of(&src, &file);
        let module = if module == "private" {
            "__private".to_owned()
        } else {
            module
        };
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

#[test]
fn no_new_cycle_between_top_level_modules() {
    let edges = module_graph();
    let graph: BTreeSet<(String, String)> = edges
        .iter()
        .filter(|(a, b)| !FACADE.contains(&a.as_str()) && !FACADE.contains(&b.as_str()))
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
        "new import edges on a cycle (point them down a layer instead):\n{}\n\nthe whole graph:\n{}",
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
fn the_bottom_layer_imports_nothing_above_it() {
    let edges = module_graph();
    let up: BTreeSet<_> = edges
        .iter()
        .filter(|(a, b)| BOTTOM.contains(&a.as_str()) && !BOTTOM.contains(&b.as_str()))
        .cloned()
        .collect();
    assert!(
        up.is_empty(),
        "bottom-layer modules import upward:\n{}\n\nthe whole graph:\n{}",
        show(&up),
        show(&edges)
    );
}

#[test]
fn generated_code_support_is_imported_by_no_runtime_module() {
    let edges = module_graph();
    let into_private: BTreeSet<_> = edges
        .iter()
        .filter(|(a, b)| b == "__private" && !FACADE.contains(&a.as_str()))
        .cloned()
        .collect();
    // `types` names `__private` for the `type_info!` macro it exports.
    let allowed = BTreeSet::from([("types".to_owned(), "__private".to_owned())]);
    let extra: BTreeSet<_> = into_private.difference(&allowed).cloned().collect();
    assert!(
        extra.is_empty(),
        "runtime modules reaching into __private:\n{}",
        show(&extra)
    );
}

#[test]
fn every_import_points_down_a_layer() {
    let edges = module_graph();
    let layer_of = |m: &str| LAYERS.iter().position(|(_, ms)| ms.contains(&m));
    let modules: BTreeSet<&str> = edges
        .iter()
        .flat_map(|(a, b)| [a.as_str(), b.as_str()])
        .filter(|m| !FACADE.contains(m))
        .collect();
    let unplaced: Vec<&str> = modules
        .into_iter()
        .filter(|m| layer_of(m).is_none())
        .collect();
    assert!(
        unplaced.is_empty(),
        "modules in no layer (add them to LAYERS): {unplaced:?}"
    );
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
