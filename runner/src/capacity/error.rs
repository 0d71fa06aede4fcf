//! Why `lsmlab plan` could not make a plan.

/// A plan failure; everything but [`PlanError::Output`] is bad input (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// A flag's value or the results' shape does not fit.
    #[error("plan: {0}")]
    Usage(String),
    /// A results directory could not be read.
    #[error("plan: {0}")]
    Results(String),
    /// A results directory lacks figures the plan needs.
    #[error("plan: {results} lacks what the plan needs: {}", missing.join("; "))]
    Missing {
        /// The results directory.
        results: String,
        /// Each missing figure, named.
        missing: Vec<String>,
    },
    /// The plan's files could not be written.
    #[error("plan: {0}")]
    Output(String),
}

impl PlanError {
    /// Exit code: 2 for bad input, 1 when the output could not be written.
    pub fn exit_code(&self) -> u8 {
        match self {
            PlanError::Output(_) => 1,
            _ => 2,
        }
    }
}
