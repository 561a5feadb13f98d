//! Run config as text: size and nesting bounded before any parser runs, and
//! parse errors that name the format and the position but never echo the
//! text (a secret may sit on the offending line).
//!
//! The bound is a single linear pass over the text, so any input is
//! accepted or refused in time proportional to its length: YAML's parser in
//! particular is super-linear in flow nesting long before its own depth
//! limit applies.

use serde_json::Value as Json;

use crate::error::{Error, Result};

/// The largest run config larder parses, in bytes.
pub const MAX_CONFIG_BYTES: usize = 16 << 20;

/// The deepest nesting of tables and lists larder parses. Dagster-shaped
/// config needs about six (`ops.<graph>.ops.<op>.config.<field>`).
pub const MAX_CONFIG_DEPTH: usize = 64;

/// A run config text format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Toml,
    Yaml,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Json => "JSON",
            Format::Toml => "TOML",
            Format::Yaml => "YAML",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Parses `text` as `format` into a JSON value.
pub(crate) fn parse(format: Format, text: &str) -> Result<Json> {
    if text.len() > MAX_CONFIG_BYTES {
        return Err(refused(format!(
            "{} run config is {} bytes; the limit is {MAX_CONFIG_BYTES}",
            format.name(),
            text.len()
        )));
    }
    // A byte-order mark is not content.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(at) = too_deep(format, text) {
        let (line, column) = line_column(text, at);
        return Err(refused(format!(
            "{} run config: at line {line}, column {column}: nested more than {MAX_CONFIG_DEPTH} levels deep, the most larder reads",
            format.name()
        )));
    }
    match format {
        Format::Json => serde_json::from_str(text).map_err(|e| {
            refused(format!(
                "JSON run config: syntax error at line {}, column {}: {}",
                e.line(),
                e.column(),
                json_reason(&e)
            ))
        }),
        Format::Toml => {
            let table: toml::Table = toml::from_str(text).map_err(|e| {
                let at = e.span().map(|s| s.start).unwrap_or(0);
                let (line, column) = line_column(text, at);
                let key = toml_key_at(text, at)
                    .map(|k| format!(" (in `{k}`)"))
                    .unwrap_or_default();
                refused(format!(
                    "TOML run config: syntax error at line {line}, column {column}{key}: {}",
                    mask_quoted_values(e.message().trim_end(), text)
                ))
            })?;
            serde_json::to_value(table).map_err(|e| refused(format!("TOML run config: {e}")))
        }
        Format::Yaml => serde_norway::from_str(text).map_err(|e| {
            let tab = first_tab_in_indentation(text);
            let (line, column, reason) = match (e.location(), tab) {
                (Some(l), Some((tl, tc))) if l.line() == tl => (tl, tc, TAB_REASON.to_owned()),
                (Some(l), _) => (l.line(), l.column(), yaml_reason(&e)),
                // The scanner's tab error carries no location: find it ourselves.
                (None, Some((tl, tc))) => (tl, tc, TAB_REASON.to_owned()),
                (None, None) => (1, 1, yaml_reason(&e)),
            };
            refused(format!(
                "YAML run config: syntax error at line {line}, column {column}: {reason}"
            ))
        }),
    }
}

fn refused(message: String) -> Error {
    Error::Config(vec![message])
}

/// serde_json's message without its own " at line L column C" suffix: the
/// category and what was expected are all it says (it never quotes input).
fn json_reason(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    full.strip_suffix(&suffix).unwrap_or(&full).to_owned()
}

const TAB_REASON: &str = "a tab in the indentation; YAML indents with spaces only";

/// serde_norway's message without its own position (the location, when it
/// has one, is given separately).
fn yaml_reason(e: &serde_norway::Error) -> String {
    let full = e.to_string();
    let reason = match e.location() {
        Some(l) => {
            let suffix = format!(" at line {} column {}", l.line(), l.column());
            full.find(&suffix).map_or(full.as_str(), |i| &full[..i])
        }
        None => full.as_str(),
    };
    reason.to_owned()
}

/// `message` with every backquoted piece of the source text that could be
/// a value (it has a letter or digit) replaced by `<value>`: toml quotes
/// values it cannot take (`invalid type: integer `9999…``), and any value
/// may be a secret. Quoted punctuation (`expected `"``) is kept.
fn mask_quoted_values(message: &str, text: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find('`') {
        let Some(len) = rest[open + 1..].find('`') else {
            break;
        };
        let quoted = &rest[open + 1..open + 1 + len];
        out.push_str(&rest[..open]);
        if quoted.chars().any(char::is_alphanumeric) && text.contains(quoted) {
            out.push_str("`<value>`");
        } else {
            out.push('`');
            out.push_str(quoted);
            out.push('`');
        }
        rest = &rest[open + len + 2..];
    }
    out.push_str(rest);
    out
}

/// 1-based line and column (in characters) of byte offset `at`.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = &text.as_bytes()[..at];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

fn first_tab_in_indentation(text: &str) -> Option<(usize, usize)> {
    text.lines().enumerate().find_map(|(i, line)| {
        let indent: String = line
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        indent.find('\t').map(|col| (i + 1, col + 1))
    })
}

/// The dotted key whose line holds byte `at`: the nearest table header
/// above it, then the key on that line (for messages; never the value).
fn toml_key_at(text: &str, at: usize) -> Option<String> {
    let at = at.min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line = &text[line_start..line_end];
    let key = line
        .split_once('=')
        .map(|(k, _)| clean_toml_key(k))
        .filter(|k| !k.is_empty() && !line.trim_start().starts_with('['));
    let header = text[..line_start].lines().rev().find_map(|l| {
        let l = l.trim();
        let inner = l.strip_prefix("[[").and_then(|l| l.strip_suffix("]]"));
        let inner = inner.or_else(|| l.strip_prefix('[').and_then(|l| l.strip_suffix(']')));
        inner.map(clean_toml_key)
    });
    match (header, key) {
        (Some(h), Some(k)) => Some(format!("{h}.{k}")),
        (None, Some(k)) => Some(k),
        (Some(h), None) => Some(h),
        (None, None) => None,
    }
}

fn clean_toml_key(raw: &str) -> String {
    raw.split('.')
        .map(|part| part.trim().trim_matches('"').trim_matches('\''))
        .collect::<Vec<_>>()
        .join(".")
}

/// The byte offset where nesting first exceeds [`MAX_CONFIG_DEPTH`], if it
/// does. Counts brackets outside strings and comments, and for YAML the
/// block structure (indentation and `- ` items), for TOML dotted keys and
/// table headers.
fn too_deep(format: Format, text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut flow = 0usize;
    // YAML block nesting: the indentation of each open level.
    let mut indents: Vec<usize> = Vec::new();
    let mut i = 0;
    let mut line_start = true;
    // The last character on this line that is not a space, for YAML.
    let mut prev: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        if line_start {
            line_start = false;
            prev = None;
            let indent = bytes[i..].iter().take_while(|c| **c == b' ').count();
            let rest = &bytes[i + indent..];
            let blank = rest
                .first()
                .is_none_or(|c| matches!(c, b'\n' | b'\r' | b'#'));
            if format == Format::Yaml && flow == 0 && !blank {
                while indents.last().is_some_and(|top| *top >= indent) {
                    indents.pop();
                }
                indents.push(indent);
                // `- - - x` opens one sequence per dash on a single line.
                let dashes = rest
                    .chunks(2)
                    .take_while(|c| c == b"- " || c == b"-\n" || *c == b"-")
                    .count();
                if indents.len() + dashes > MAX_CONFIG_DEPTH {
                    return Some(i + indent);
                }
            }
            if format == Format::Toml && flow == 0 && !blank {
                let line_end = rest.iter().position(|c| *c == b'\n').unwrap_or(rest.len());
                let line = &rest[..line_end];
                let key_part = match line.first() {
                    Some(b'[') => line,
                    _ => line.split(|c| *c == b'=').next().unwrap_or(line),
                };
                let dots = key_part.iter().filter(|c| **c == b'.').count();
                if dots + 1 > MAX_CONFIG_DEPTH {
                    return Some(i + indent);
                }
            }
            i += indent;
            continue;
        }
        match b {
            b'\n' => line_start = true,
            b'"' | b'\'' => {
                prev = Some(b);
                i = skip_string(bytes, i, format);
                continue;
            }
            b'#' if format != Format::Json => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            // Outside flow context a YAML bracket opens a collection only
            // where a value starts; elsewhere it is part of a plain scalar.
            b'[' | b'{'
                if format == Format::Yaml
                    && flow == 0
                    && !matches!(prev, None | Some(b':' | b'-' | b'?')) => {}
            b'[' | b'{' => {
                flow += 1;
                let block = if format == Format::Yaml {
                    indents.len()
                } else {
                    0
                };
                if flow + block > MAX_CONFIG_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => flow = flow.saturating_sub(1),
            _ => {}
        }
        if b != b' ' && b != b'\t' {
            prev = Some(b);
        }
        i += 1;
    }
    None
}

/// The index just past the string starting at `start` (or the end of the
/// text when it is unterminated: the parser will say so).
fn skip_string(bytes: &[u8], start: usize, format: Format) -> usize {
    let quote = bytes[start];
    // In YAML a quote inside a plain scalar (`it's`) starts no string.
    if format == Format::Yaml
        && start > 0
        && !matches!(
            bytes[start - 1],
            b' ' | b'\t' | b'\n' | b'[' | b'{' | b',' | b':' | b'-'
        )
    {
        return start + 1;
    }
    // TOML's multi-line strings: `"""` and `'''`.
    if format == Format::Toml && bytes[start..].starts_with(&[quote; 3]) {
        let body = start + 3;
        let close = bytes[body..]
            .windows(3)
            .position(|w| w == [quote; 3])
            .map_or(bytes.len(), |p| body + p + 3);
        return close;
    }
    let escapes = quote == b'"';
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if escapes => i += 2,
            // YAML doubles a single quote to escape it.
            b'\''
                if quote == b'\'' && format == Format::Yaml && bytes.get(i + 1) == Some(&b'\'') =>
            {
                i += 2
            }
            c if c == quote => return i + 1,
            b'\n' if format != Format::Yaml => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let deep = "[".repeat(100);
        for (format, text) in [
            (Format::Json, format!("{{\"a\": \"{deep}\"}}")),
            (
                Format::Toml,
                format!("a = '{deep}' # {deep}\nb = \"\"\"{deep}\"\"\""),
            ),
            (
                Format::Yaml,
                format!("a: '{deep}'\nb: \"{deep}\" # {deep}\nc: it's {deep}"),
            ),
        ] {
            assert_eq!(too_deep(format, &text), None, "{format:?}");
        }
    }

    #[test]
    fn positions_are_one_based_characters() {
        assert_eq!(line_column("ab\ncé d", 7), (2, 4));
        assert_eq!(line_column("", 0), (1, 1));
    }

    #[test]
    fn toml_keys_come_from_the_header_and_the_line() {
        let text = "[resources.db.config]\npassword = \"x\" oops\n";
        let at = text.find("oops").unwrap();
        assert_eq!(
            toml_key_at(text, at).as_deref(),
            Some("resources.db.config.password")
        );
    }
}
