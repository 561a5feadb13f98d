//! Partition keys as compact ranges: `2024-01-01-00:00...2024-01-03-23:00
//! (72)`. With 50,000 hourly partitions a list of keys is unreadable (and
//! megabytes long); runs of consecutive keys are not.

/// A run of consecutive partition keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRange {
    /// The first key.
    pub first: String,
    /// The last key (the first when the range holds one).
    pub last: String,
    /// How many keys.
    pub count: usize,
}

impl std::fmt::Display for KeyRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.count == 1 {
            f.write_str(&self.first)
        } else {
            write!(f, "{}...{} ({})", self.first, self.last, self.count)
        }
    }
}

/// Groups keys given with their position in the partitions definition
/// (ascending) into runs of consecutive positions.
pub fn key_ranges<'a>(keys: impl IntoIterator<Item = (usize, &'a str)>) -> Vec<KeyRange> {
    let mut out: Vec<KeyRange> = Vec::new();
    let mut last_index: Option<usize> = None;
    for (i, key) in keys {
        match (out.last_mut(), last_index) {
            (Some(r), Some(prev)) if i == prev + 1 => {
                r.last = key.to_owned();
                r.count += 1;
            }
            _ => out.push(KeyRange {
                first: key.to_owned(),
                last: key.to_owned(),
                count: 1,
            }),
        }
        last_index = Some(i);
    }
    out
}

/// At most `max` ranges, comma-separated, then "and N more partitions in M
/// more ranges" for the rest.
pub fn format_ranges(ranges: &[KeyRange], max: usize) -> String {
    let shown: Vec<String> = ranges.iter().take(max).map(|r| r.to_string()).collect();
    let mut text = shown.join(", ");
    if ranges.len() > max {
        let rest = &ranges[max..];
        let keys: usize = rest.iter().map(|r| r.count).sum();
        text.push_str(&format!(
            ", and {keys} more partition{} in {} more range{}",
            if keys == 1 { "" } else { "s" },
            rest.len(),
            if rest.len() == 1 { "" } else { "s" }
        ));
    }
    text
}

/// How many ranges and messages a message over many partitions shows.
pub(crate) const SHOWN: usize = 10;

/// One message for partitions that failed, short at any count: how many,
/// the first ranges of failing keys, and the first errors. With
/// `ranges_when_few` false, up to [`SHOWN`] failures are listed without
/// ranges (each error names its partition already).
/// `failures` holds (position among the keys tried, key, error).
pub(crate) fn partition_failures(
    what: &str,
    total: usize,
    failures: &[(usize, &str, String)],
    ranges_when_few: bool,
) -> String {
    let n = failures.len();
    let mut text = format!("{n} of {total} partitions {what}:");
    if ranges_when_few || n > SHOWN {
        let ranges = key_ranges(failures.iter().map(|(i, k, _)| (*i, *k)));
        text.push(' ');
        text.push_str(&format_ranges(&ranges, SHOWN));
    }
    for (_, _, e) in failures.iter().take(SHOWN) {
        // One line per error: a message may be long, a list of them must not.
        let line = e.lines().next().unwrap_or_default();
        text.push_str("\n  - ");
        text.push_str(line);
    }
    if n > SHOWN {
        text.push_str(&format!("\n  ... and {} more", n - SHOWN));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_positions_merge() {
        let keys = ["a", "b", "c", "e", "g", "h"];
        let r = key_ranges([
            (0, keys[0]),
            (1, keys[1]),
            (2, keys[2]),
            (4, keys[3]),
            (6, keys[4]),
            (7, keys[5]),
        ]);
        assert_eq!(format_ranges(&r, 10), "a...c (3), e, g...h (2)");
        assert_eq!(
            format_ranges(&r, 1),
            "a...c (3), and 3 more partitions in 2 more ranges"
        );
    }
}
