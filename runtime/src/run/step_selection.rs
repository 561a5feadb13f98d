//! Dagster's step selection (`op_b`, `plus_two*`, `*op`, `+op`, `op+`,
//! comma-separated clauses) over the steps of a plan. The clause grammar
//! is the asset selection's (`AssetSelection::parse`); a clause's key is a
//! step key (an asset step also answers to its asset key, `a/b`).

use std::collections::BTreeSet;

use super::plan::Plan;
use crate::definitions::AssetSelection;
use crate::error::{Error, Result};
use crate::suggest::did_you_mean;

/// Which steps of `plan` the clauses select, one flag per step. An empty
/// list selects every step.
pub(crate) fn select_steps(plan: &Plan, clauses: &[String]) -> Result<Vec<bool>> {
    let n = plan.steps.len();
    if clauses.is_empty() {
        return Ok(vec![true; n]);
    }
    let mut selected = BTreeSet::new();
    for text in clauses {
        let selection = AssetSelection::parse(text)
            .map_err(|e| Error::msg(format!("step selection `{text}`: {e}")))?;
        selected.extend(resolve(plan, &selection, text)?);
    }
    Ok((0..n).map(|i| selected.contains(&i)).collect())
}

fn resolve(plan: &Plan, s: &AssetSelection, text: &str) -> Result<BTreeSet<usize>> {
    Ok(match s {
        AssetSelection::All => (0..plan.steps.len()).collect(),
        AssetSelection::Keys(keys) => {
            let mut out = BTreeSet::new();
            for key in keys {
                let step_key = key.to_step_key();
                let found = plan.steps.iter().position(|st| {
                    *st.key == *step_key
                        || st.asset.as_ref().is_some_and(|a| a.key == *key)
                        || st
                            .op
                            .outputs
                            .iter()
                            .any(|o| o.asset_key.as_ref() == Some(key))
                });
                match found {
                    Some(i) => {
                        out.insert(i);
                    }
                    None => {
                        return Err(Error::NotFound(format!(
                            "step selection `{text}`: job `{}` has no step `{step_key}`{}",
                            plan.job_name,
                            did_you_mean(&step_key, plan.steps.iter().map(|s| s.key.to_string()))
                        )));
                    }
                }
            }
            out
        }
        AssetSelection::Groups(_) => {
            return Err(Error::msg(format!(
                "step selection `{text}`: a step selection names steps (`op_b`, `*op_b`, `op_b+`), not groups"
            )));
        }
        AssetSelection::Upstream { child, depth } => {
            let start = resolve(plan, child, text)?;
            closure(plan, start, true, *depth)
        }
        AssetSelection::Downstream { child, depth } => {
            let start = resolve(plan, child, text)?;
            closure(plan, start, false, *depth)
        }
        AssetSelection::Union(parts) => {
            let mut out = BTreeSet::new();
            for p in parts {
                out.extend(resolve(plan, p, text)?);
            }
            out
        }
    })
}

/// `start` and the steps `depth` layers up (or down) from it, all when
/// `depth` is `None`.
fn closure(plan: &Plan, start: BTreeSet<usize>, up: bool, depth: Option<usize>) -> BTreeSet<usize> {
    let mut out = start.clone();
    let mut frontier: Vec<usize> = start.into_iter().collect();
    let mut layer = 0;
    while !frontier.is_empty() && depth.is_none_or(|d| layer < d) {
        let mut next = Vec::new();
        for i in frontier {
            let step = &plan.steps[i];
            let edges = if up { &step.upstream } else { &step.downstream };
            for &j in edges {
                if out.insert(j) {
                    next.push(j);
                }
            }
        }
        frontier = next;
        layer += 1;
    }
    out
}

/// The steps downstream of the marked ones, marked too (a from-failure
/// re-execution re-runs everything after what failed).
pub(crate) fn with_downstream(plan: &Plan, marked: &mut [bool]) {
    let start: BTreeSet<usize> = (0..marked.len()).filter(|&i| marked[i]).collect();
    for i in closure(plan, start, false, None) {
        marked[i] = true;
    }
}
