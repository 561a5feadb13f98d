//! "Did you mean": the one nearest-name suggestion every message uses.

/// `"; did you mean `x`?"` when a candidate is close to `wrong`.
pub(crate) fn did_you_mean(wrong: &str, candidates: impl Iterator<Item = String>) -> String {
    let best = candidates
        .map(|c| (strsim::jaro_winkler(wrong, &c), c))
        .filter(|(score, c)| *score > 0.8 && c != wrong)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((_, c)) => format!("; did you mean `{c}`?"),
        None => String::new(),
    }
}
