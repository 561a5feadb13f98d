//! The one JSON line each workload prints.

use serde::Serialize;

/// Fields shared by every workload; `None` fields are left out.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    #[serde(rename = "impl")]
    pub implementation: &'static str,
    pub impl_version: &'static str,
    pub workload: String,
    pub n: usize,
    pub durable: bool,
    pub materialize_s: f64,
    pub per_asset_s: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle_output_mib_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_input_mib_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_write_mib_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_read_mib_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream_per_partition_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub downstream_load_input_s: Option<f64>,
    pub n_events: usize,
}

impl Report {
    pub fn new(workload: impl Into<String>, n: usize, durable: bool) -> Self {
        Report {
            implementation: "larder",
            impl_version: env!("CARGO_PKG_VERSION"),
            workload: workload.into(),
            n,
            durable,
            ..Default::default()
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}
