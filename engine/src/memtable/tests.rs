//! Tests of the memtable.
