//! Ink audit (filled below).
