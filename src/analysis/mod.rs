//! Analyses over a project: frequencies and the scope they count in, computed from what the
//! read interface ([`ProjectRead`](crate::model::ProjectRead)) returns. No SQL and no writes
//! here; the arithmetic itself lives in [`kernels`], on plain slices.

pub mod cooccur;
pub mod crosstab;
pub mod frequencies;
pub mod kernels;
pub mod map_layout;
pub mod matrix;
pub mod phases;
pub mod query;
pub mod scope;
pub mod search;
pub mod similar;
pub mod themes;
pub mod words;

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
    /// A question was asked in a way that cannot be answered (a malformed search, an
    /// invalid regular expression); the message says what is wrong.
    #[error("{0}")]
    Query(String),
}

impl From<ReadError> for AnalysisError {
    fn from(e: ReadError) -> Self {
        Self::Read(e)
    }
}

/// Result of an analysis.
pub type Result<T, E = AnalysisError> = std::result::Result<T, E>;
