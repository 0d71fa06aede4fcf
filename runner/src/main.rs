//! The `lsmlab` command.

fn main() {}
