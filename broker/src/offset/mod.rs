//! Placeholder: filled in by the broker issue.
