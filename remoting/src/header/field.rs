//! HeaderField: how one typed value maps to an extFields string.

use crate::command::ExtFields;
use crate::error::{RemotingError, clip};

/// A value that can live in extFields; `Option<T>` makes a field optional.
pub trait HeaderField: Sized {
    /// Reads the field `name`; `None`-able types return `Ok(None)` when absent.
    fn read_field(fields: &ExtFields, name: &'static str) -> Result<Self, RemotingError>;
    /// Writes the field `name`; `None` writes nothing.
    fn write_field(&self, name: &'static str, out: &mut ExtFields);
}

/// A scalar with a text form.
trait Scalar: Sized {
    const EXPECTED: &'static str;
    fn parse(text: &str) -> Option<Self>;
    fn render(&self) -> String;
}

impl Scalar for String {
    const EXPECTED: &'static str = "string";
    fn parse(text: &str) -> Option<Self> {
        Some(text.to_owned())
    }
    fn render(&self) -> String {
        self.clone()
    }
}

impl Scalar for i32 {
    const EXPECTED: &'static str = "int32";
    fn parse(text: &str) -> Option<Self> {
        text.parse().ok()
    }
    fn render(&self) -> String {
        self.to_string()
    }
}

impl Scalar for i64 {
    const EXPECTED: &'static str = "int64";
    fn parse(text: &str) -> Option<Self> {
        text.parse().ok()
    }
    fn render(&self) -> String {
        self.to_string()
    }
}

impl Scalar for bool {
    const EXPECTED: &'static str = "bool";
    fn parse(text: &str) -> Option<Self> {
        if text.eq_ignore_ascii_case("true") {
            Some(true)
        } else if text.eq_ignore_ascii_case("false") {
            Some(false)
        } else {
            None
        }
    }
    fn render(&self) -> String {
        self.to_string()
    }
}

fn read_optional<T: Scalar>(
    fields: &ExtFields,
    name: &'static str,
) -> Result<Option<T>, RemotingError> {
    match fields.get(name) {
        None => Ok(None),
        Some(text) => T::parse(text)
            .map(Some)
            .ok_or_else(|| RemotingError::InvalidHeaderField {
                name,
                value: clip(text),
                expected: T::EXPECTED,
            }),
    }
}

macro_rules! impl_header_field {
    ($($t:ty),*) => {$(
        impl HeaderField for $t {
            fn read_field(fields: &ExtFields, name: &'static str) -> Result<Self, RemotingError> {
                read_optional::<$t>(fields, name)?
                    .ok_or(RemotingError::MissingHeaderField { name })
            }
            fn write_field(&self, name: &'static str, out: &mut ExtFields) {
                out.insert(name.to_owned(), Scalar::render(self));
            }
        }

        impl HeaderField for Option<$t> {
            fn read_field(fields: &ExtFields, name: &'static str) -> Result<Self, RemotingError> {
                read_optional::<$t>(fields, name)
            }
            fn write_field(&self, name: &'static str, out: &mut ExtFields) {
                if let Some(v) = self {
                    out.insert(name.to_owned(), Scalar::render(v));
                }
            }
        }
    )*};
}

impl_header_field!(String, i32, i64, bool);
