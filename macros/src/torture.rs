//! Garbage in, `compile_error!` out: a few hundred malformed attribute
//! argument lists and item shapes, generated from a fixed seed, are fed to
//! every macro's expansion. None may panic, every output must be valid
//! tokens, and every error must sit on a token of the input (not on
//! `Span::call_site()`), except where the input has no token to point at.

use std::panic::{AssertUnwindSafe, catch_unwind};

use proc_macro2::{Span, TokenStream, TokenTree};

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Argument names some macro knows (from the macros' own tables), plus
/// misspelt ones and noise.
fn names() -> Vec<&'static str> {
    let mut names = crate::args::all_names();
    names.extend([
        "partition_mapping",
        "io_manger_key",
        "r#type",
        "self",
        "a::b",
        "_",
        "x",
    ]);
    names.sort_unstable();
    names.dedup();
    names
}

/// Values, good and bad.
const VALUES: &[&str] = &[
    "\"warehouse\"",
    "\"io_manager\"",
    "\"\"",
    "\"../x\"",
    "\"a/b\"",
    "\".\"",
    "\"..\"",
    "\"a\\\\b\"",
    "\"nul\\0\"",
    "\"my-key\"",
    "\"2fast\"",
    "1",
    "-1",
    "1.5",
    "true",
    "()",
    "[]",
    "[\"a\", \"\"]",
    "[a, \"b/c\"]",
    "[1]",
    "Vec<i64>",
    "String",
    "{ 1 }",
    "|x| x",
    "Foo::<A, B>::new()",
    "(((((1)))))",
    "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]",
    "",
    "=",
    ",",
    "b\"x\"",
    "'c'",
    "r#\"raw\"#",
];

/// One generated argument: `name`, `name = value`, `name(..)` nested, or noise.
fn arg(rng: &mut Rng, depth: usize) -> String {
    let names = names();
    let name = rng.pick(&names);
    match rng.below(7) {
        0 => name.to_owned(),
        1 | 2 => format!("{name} = {}", rng.pick(VALUES)),
        3 if depth < 3 => format!("{name}({})", args(rng, depth + 1)),
        4 => format!("{name}()"),
        5 => rng
            .pick(&["=", ",", ",,", "::", "#", "= =", "(", ")", "[", "!", "@"])
            .to_owned(),
        _ => format!("{name} {}", rng.pick(VALUES)),
    }
}

fn args(rng: &mut Rng, depth: usize) -> String {
    let n = rng.below(4);
    (0..n)
        .map(|_| arg(rng, depth))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Item shapes: plain functions and everything the macros refuse.
const ITEMS: &[&str] = &[
    "fn f() -> i64 { 1 }",
    "fn f(a: i64, b: Vec<String>) -> larder::Result<i64> { Ok(a) }",
    "fn f(io: &mut StepIo, upstream: i64) {}",
    "fn f(io: StepIo) -> i64 { 1 }",
    "fn f(&self) -> i64 { 1 }",
    "fn f(x: &i64) -> i64 { *x }",
    "fn f((a, b): (i64, i64)) -> i64 { a }",
    "fn f(x: impl Fn()) -> impl Fn() { x }",
    "async fn f() -> i64 { 1 }",
    "unsafe extern \"C\" fn f() -> i64 { 1 }",
    "fn f<T>() -> T { todo!() }",
    "fn f() -> (i64, i64) { (1, 2) }",
    "fn f(ctx: &mut InitContext) -> larder::Result<Manager> { todo!() }",
    "fn f(ctx: &mut InputContext) -> i64 { 1 }",
    "pub(crate) fn f() { a(b(c())); let (x, y) = d(); e(x, y); }",
    "fn f() { let x: i64 = 1; 1 + 1; struct S; }",
    "fn f() -> i64;",
    "/// Doc.\n#[cfg(test)] fn f() {}",
    "struct S { a: i64 }",
    "struct S;",
    "struct S(i64);",
    "struct S<T> { t: T }",
    "enum E { A }",
    "union U { a: u8 }",
    "impl S {}",
    "mod m {}",
    "",
    "fn",
    "#[doc]",
];

type Expand = fn(TokenStream, TokenStream) -> TokenStream;

fn derive_manager(_: TokenStream, item: TokenStream) -> TokenStream {
    crate::expand::derive_manager(item)
}

fn derive_factory(_: TokenStream, item: TokenStream) -> TokenStream {
    crate::expand::derive_factory(item)
}

const MACROS: &[(&str, Expand)] = &[
    ("asset", crate::expand::asset),
    ("op", crate::expand::op),
    ("job", crate::expand::job),
    ("io_manager", crate::expand::io_manager),
    ("input_manager", crate::expand::input_manager),
    ("derive(ConfigurableIOManager)", derive_manager),
    ("derive(ConfigurableIOManagerFactory)", derive_factory),
];

fn is_call_site(span: Span) -> bool {
    let range = span.byte_range();
    range.start == 0 && range.end == 0
}

/// `(message, span of its first token)` of every `compile_error!` in `out`.
fn compile_errors(out: &TokenStream, found: &mut Vec<(String, Span)>) {
    let trees: Vec<TokenTree> = out.clone().into_iter().collect();
    for (i, tt) in trees.iter().enumerate() {
        match tt {
            TokenTree::Ident(id) if id == "compile_error" => {
                let msg = match trees.get(i + 2) {
                    Some(TokenTree::Group(g)) => g.stream().to_string(),
                    _ => String::new(),
                };
                // `::core::compile_error!`: the error's span starts at `::`.
                let span = i
                    .checked_sub(3)
                    .and_then(|j| trees.get(j))
                    .map_or(id.span(), TokenTree::span);
                found.push((msg, span));
            }
            TokenTree::Group(g) => compile_errors(&g.stream(), found),
            _ => {}
        }
    }
}

/// Expands one case; the failure message, if it fails.
fn check(name: &str, expand: Expand, args_src: &str, item_src: &str) -> Result<usize, String> {
    let case = format!("#[{name}({args_src})] {item_src}");
    let (Ok(args), Ok(item)) = (
        args_src.parse::<TokenStream>(),
        item_src.parse::<TokenStream>(),
    ) else {
        // Not even tokens (an unclosed delimiter): rustc never calls a macro with it.
        return Ok(0);
    };
    let derive = name.starts_with("derive");
    let (args, item) = if derive {
        // A derive's arguments are its helper attribute on the item.
        let helper: TokenStream = format!("#[io_manager({args_src})] {item_src}")
            .parse()
            .map_err(|e| format!("{case}: {e}"))?;
        (TokenStream::new(), helper)
    } else {
        (args, item)
    };
    let out = catch_unwind(AssertUnwindSafe(|| expand(args.clone(), item.clone())))
        .map_err(|_| format!("{case}: the expansion panicked"))?;
    out.to_string()
        .parse::<TokenStream>()
        .map_err(|e| format!("{case}: output is not valid tokens: {e}"))?;
    let mut errors = Vec::new();
    compile_errors(&out, &mut errors);
    for (msg, span) in &errors {
        // Where the input has no token to point at (rustc never passes an
        // empty item, but the generator does), the attribute itself
        // (rustc's call site) is the right place: a missing required
        // argument, or syn's "unexpected end of input" after the last one.
        let nothing_to_point_at = msg.contains("unexpected end of input")
            || msg.contains("needs a key")
            || (derive && msg.contains("needs `#[io_manager(key"))
            || item.is_empty();
        if is_call_site(*span) && !nothing_to_point_at {
            return Err(format!(
                "{case}: error {msg} is reported at the call site, not at a token of the input"
            ));
        }
    }
    Ok(errors.len())
}

#[test]
fn garbage_inputs_give_spanned_errors_never_panics() {
    let mut rng = Rng(0x1a2d_e5ee_d000_0010);
    let mut failures = Vec::new();
    let mut cases = 0;
    let mut with_errors = 0;
    for _ in 0..60 {
        let args_src = args(&mut rng, 0);
        for item_src in [rng.pick(ITEMS), rng.pick(ITEMS)] {
            for (name, expand) in MACROS {
                cases += 1;
                match check(name, *expand, &args_src, item_src) {
                    Ok(0) => {}
                    Ok(_) => with_errors += 1,
                    Err(f) => failures.push(f),
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The generator must mostly produce mistakes, or this tests nothing.
    assert!(
        with_errors * 2 > cases,
        "only {with_errors} of {cases} cases had errors"
    );
}

#[test]
fn every_item_shape_with_every_macro() {
    let mut failures = Vec::new();
    for item in ITEMS {
        for (name, expand) in MACROS {
            for args in ["", "key = \"k\"", "name = \"\""] {
                if let Err(f) = check(name, *expand, args, item) {
                    failures.push(f);
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Runs `f` on a thread with rustc's main-thread stack (8 MiB), where proc
/// macros run: the bodies below overflowed it when they were parsed.
fn on_rustc_stack(f: impl FnOnce() -> String + Send + 'static) -> String {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(f)
        .ok()
        .and_then(|t| t.join().ok())
        .unwrap_or_else(|| "the expansion thread failed".to_owned())
}

#[test]
fn deeply_nested_bodies_and_values_are_passed_through() {
    let out = on_rustc_stack(|| {
        let n = 3000;
        let body = format!("fn f() -> i64 {}1{}", "{".repeat(n), "}".repeat(n));
        let value = format!("metadata(depth = {}1{})", "(".repeat(n), ")".repeat(n));
        let cases: [(&str, Expand, String); 2] = [
            ("asset", crate::expand::asset, value.clone()),
            ("op", crate::expand::op, format!("out({value})")),
        ];
        let mut report = String::new();
        for (name, expand, args) in cases {
            let (Ok(item), Ok(args)) = (body.parse::<TokenStream>(), args.parse::<TokenStream>())
            else {
                return "the test input does not lex".to_owned();
            };
            let mut errors = Vec::new();
            compile_errors(&expand(args, item), &mut errors);
            for (msg, _) in errors {
                report.push_str(&format!("#[{name}] refused a deep body: {msg}\n"));
            }
        }
        report
    });
    assert!(out.is_empty(), "{out}");
}
