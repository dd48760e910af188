//! Analyses over a project: frequencies and the scope they count in, computed from what the
//! read interface ([`ProjectRead`](crate::model::ProjectRead)) returns. No SQL and no writes
//! here; the arithmetic itself lives in [`kernels`], on plain slices.

pub mod cooccur;
pub mod frequencies;
pub mod kernels;
pub mod map_layout;
pub mod matrix;
pub mod phases;
pub mod query;
pub mod scope;
pub mod themes;

pub use frequencies::{
    CodeStats, Counts, EXPLANATION, FrequencyReport, Totals, frequencies, frequencies_with,
    scope_totals,
};
pub use scope::{Scope, ScopeFilter};

use crate::model::ReadError;

/// Why an analysis could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// The project could not be read.
    #[error("could not read the project to compute the report: {0}")]
    Read(ReadError),
}

impl From<ReadError> for AnalysisError {
    fn from(e: ReadError) -> Self {
        Self::Read(e)
    }
}

/// Result of an analysis.
pub type Result<T, E = AnalysisError> = std::result::Result<T, E>;
