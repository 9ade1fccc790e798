//! Code tables: request codes, response codes, language codes and protocol versions.
//!
//! Request and response codes are plain `i32` constants because a command carries whatever code
//! the peer sent: an unknown code must survive decode and re-encode unchanged, and is answered with
//! `REQUEST_CODE_NOT_SUPPORTED`. Codes are a compatibility surface: never renumbered.

mod language;
pub mod request_code;
pub mod response_code;
pub mod version;

pub use language::LanguageCode;

/// Declares `pub const NAME: i32 = value;` items plus a `name(code)` lookup and an `ALL` table.
macro_rules! code_table {
    ($( $(#[$meta:meta])* $name:ident = $value:expr ),* $(,)?) => {
        $( $(#[$meta])* pub const $name: i32 = $value; )*

        /// Every code of this table with its RocketMQ name, in declaration order.
        pub const ALL: &[(i32, &str)] = &[$( ($name, stringify!($name)) ),*];

        /// The RocketMQ name of `code`, or `None` for a code this table does not know.
        pub fn name(code: i32) -> Option<&'static str> {
            ALL.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
        }
    };
}
pub(crate) use code_table;
