//! Golden and property tests of the body codecs.

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

mod compressed;
mod emit;
mod golden;
mod lenient;
