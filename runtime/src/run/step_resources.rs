//! Before a run: every resource a step declares is bound, and bound to the
//! type its parameter expects (a test may rebind a key to a fake: it must
//! be a fake of the same type).

use super::plan::Plan;

impl Plan {
    pub(crate) fn check_step_resources(&self, problems: &mut Vec<String>) {
        for step in &self.steps {
            for key in step.op.required_resource_keys.iter() {
                match self.resources.get(key) {
                    None => problems.push(format!(
                        "resource `{key}` required by {} is not bound; bound keys: {}{}",
                        step.describe(),
                        self.bound_keys(),
                        crate::suggest::did_you_mean(key, self.resources.keys().cloned())
                    )),
                    Some(def) => {
                        let expected = step.op.resource_types.iter().find(|t| t.key == key);
                        if let Some(t) = expected.filter(|t| t.id != def.type_id) {
                            problems.push(format!(
                                "resource `{key}` is bound to a `{}`, but {} takes it as a `{}`",
                                def.type_name,
                                step.describe(),
                                t.name
                            ));
                        }
                    }
                }
            }
        }
    }
}
