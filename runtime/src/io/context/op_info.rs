//! What a context tells a manager about the op it serves: Dagster's
//! `context.op_def`, as data. The contexts carry this rather than the op's
//! definition, so this layer needs nothing from the definitions above it.

/// The op a context's output or input belongs to (Dagster's `op_def`): its
/// name, description, version and the names of its inputs and outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpInfo {
    name: String,
    description: Option<String>,
    version: Option<String>,
    inputs: Vec<String>,
    outputs: Vec<String>,
}

impl OpInfo {
    /// An op named `name` with these input and output names.
    pub fn new(
        name: impl Into<String>,
        inputs: impl IntoIterator<Item = impl Into<String>>,
        outputs: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        OpInfo {
            name: name.into(),
            description: None,
            version: None,
            inputs: inputs.into_iter().map(Into::into).collect(),
            outputs: outputs.into_iter().map(Into::into).collect(),
        }
    }

    /// With a description.
    pub fn with_description(mut self, description: Option<String>) -> Self {
        self.description = description;
        self
    }

    /// With a version (Dagster's `code_version`).
    pub fn with_version(mut self, version: Option<String>) -> Self {
        self.version = version;
        self
    }

    /// The op's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The op's description.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The op's version.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The names of the op's inputs, in order.
    pub fn input_names(&self) -> impl Iterator<Item = &str> {
        self.inputs.iter().map(String::as_str)
    }

    /// The names of the op's outputs, in order.
    pub fn output_names(&self) -> impl Iterator<Item = &str> {
        self.outputs.iter().map(String::as_str)
    }
}
