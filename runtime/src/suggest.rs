//! "Did you mean": the one nearest-name suggestion every message uses
//! (keys, steps, jobs, config fields), with one threshold.

/// Jaro-Winkler similarity above which a name is suggested: close enough
/// for a typo (`warehose`/`warehouse`, `base_dri`/`base_dir`), not for
/// merely related names.
const SIMILAR: f64 = 0.8;

/// `"; did you mean `x`?"` when a candidate is close to `wrong`.
pub(crate) fn did_you_mean(wrong: &str, candidates: impl Iterator<Item = String>) -> String {
    let best = candidates
        .map(|c| (strsim::jaro_winkler(wrong, &c), c))
        .filter(|(score, c)| *score > SIMILAR && c != wrong)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((_, c)) => format!("; did you mean `{c}`?"),
        None => String::new(),
    }
}
