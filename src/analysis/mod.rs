//! Analyses over a project: pure computations on the model and the store's read API.

pub mod frequencies;
pub mod scope;

pub use frequencies::{CodeStats, Counts, FrequencyReport, Totals, frequencies, frequencies_with};
pub use scope::{Scope, ScopeFilter};
