//! Shared helpers for the benchmarks live in the bench files; this library is intentionally empty so the package has a root.
