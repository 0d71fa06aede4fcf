//! lsmlab-workloads: suite schema, generators, distributions, phases.
