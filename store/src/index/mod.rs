//! The key index (filled in next).
