//! Typed custom headers: structs that read and write a command's extFields.
//!
//! Define one with [`command_header!`](crate::command_header): a field of type `T` is required
//! (absent gives `MissingHeaderField`), `Option<T>` is optional. Supported `T`: `String`, `i32`,
//! `i64`, `bool`. Integers are decimal, booleans `true`/`false` (case-insensitive on read, as
//! Java). Unknown extFields keys, including the 5.x RPC base fields (`ns`, `nsd`, `bname`,
//! `oway`, `lo`), are ignored.

pub mod admin;
pub mod client;
mod field;
pub mod namesrv;
pub mod offset;
pub mod pull;
pub mod query;
pub mod send;

pub use field::HeaderField;

use crate::command::ExtFields;
use crate::error::RemotingError;

/// A typed view of a command's extFields.
pub trait CommandHeader: Sized {
    /// Writes every present field as `name -> value.to_string()`; `None` fields are omitted.
    fn write_ext_fields(&self, out: &mut ExtFields);
    /// Reads the header; a missing required field or a malformed value is an error naming it.
    fn read_ext_fields(fields: &ExtFields) -> Result<Self, RemotingError>;
}

/// The empty header: writes nothing, reads from anything.
impl CommandHeader for () {
    fn write_ext_fields(&self, _out: &mut ExtFields) {}
    fn read_ext_fields(_fields: &ExtFields) -> Result<Self, RemotingError> {
        Ok(())
    }
}

/// Declares a header struct and its [`CommandHeader`] impl.
///
/// ```
/// use ferromq_remoting::{command_header, CommandHeader, ExtFields, RemotingError};
///
/// command_header! {
///     /// Example header.
///     pub struct DemoHeader {
///         /// Required.
///         pub topic: String => "topic",
///         /// Optional.
///         pub queue_id: Option<i32> => "queueId",
///     }
/// }
///
/// let mut f = ExtFields::new();
/// DemoHeader { topic: "T".into(), queue_id: Some(3) }.write_ext_fields(&mut f);
/// assert_eq!(f.get("queueId").map(String::as_str), Some("3"));
/// f.remove("topic");
/// assert!(matches!(
///     DemoHeader::read_ext_fields(&f),
///     Err(RemotingError::MissingHeaderField { name: "topic" })
/// ));
/// ```
#[macro_export]
macro_rules! command_header {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $fvis:vis $field:ident : $ty:ty => $key:literal
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        $vis struct $name {
            $( $(#[$fmeta])* $fvis $field: $ty, )*
        }

        impl $name {
            /// extFields keys of this header, in declaration order.
            pub const FIELD_NAMES: &'static [&'static str] = &[$($key),*];
        }

        impl $crate::header::CommandHeader for $name {
            fn write_ext_fields(&self, out: &mut $crate::ExtFields) {
                $( $crate::header::HeaderField::write_field(&self.$field, $key, out); )*
                let _ = out;
            }

            fn read_ext_fields(
                fields: &$crate::ExtFields,
            ) -> ::core::result::Result<Self, $crate::RemotingError> {
                let _ = fields;
                ::core::result::Result::Ok(Self {
                    $( $field: $crate::header::HeaderField::read_field(fields, $key)?, )*
                })
            }
        }
    };
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_broker;
#[cfg(test)]
mod tests_docs;
