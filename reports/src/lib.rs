//! lsmlab-reports: the results model, tables, plots and comparison.
