//! Writing bodies in the two JSON dialects RocketMQ peers expect.
//!
//! * [`JsonStyle::Standard`]: valid JSON as a 4.9.4+ name server writes it (fastjson's
//!   browser-compatible mode): integer map keys quoted, non-ASCII escaped as `\uXXXX`
//!   (upper-case hex UTF-16 units, surrogate pairs above U+FFFF), integers beyond ±(2^53 − 1) written as
//!   strings so JavaScript-grade parsers keep them exact.
//! * [`JsonStyle::Legacy`]: fastjson's default: integer map keys **unquoted** (`{0:"a"}`),
//!   UTF-8 text as is. Clients older than V4_9_4 expect it.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};

use super::BodyError;

/// Request `version` from which a client gets [`JsonStyle::Standard`]: V4_9_4 = 401.
pub const STANDARD_JSON_MIN_VERSION: i32 = 401;

/// Largest integer that fastjson's browser-compatible mode writes as a number: 2^53 − 1.
const BROWSER_SAFE_INTEGER_MAX: u64 = (1 << 53) - 1;

/// Which JSON dialect to emit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonStyle {
    /// Valid JSON: quoted keys, `\uXXXX` for non-ASCII, big integers as strings.
    Standard,
    /// fastjson default: unquoted integer map keys, raw UTF-8.
    Legacy,
}

impl JsonStyle {
    /// The style a name server answers with: standard when the request `version` is at least
    /// [`STANDARD_JSON_MIN_VERSION`] or the client set `acceptStandardJsonOnly=true`.
    pub fn for_peer(request_version: i32, accept_standard_json_only: bool) -> Self {
        if accept_standard_json_only || request_version >= STANDARD_JSON_MIN_VERSION {
            Self::Standard
        } else {
            Self::Legacy
        }
    }
}

/// Serializes `value` in the given style.
///
/// ```
/// use std::collections::BTreeMap;
/// use ferromq_remoting::body::{to_json, JsonStyle};
///
/// let addrs = BTreeMap::from([(0_i64, "127.0.0.1:10911".to_owned())]);
/// assert_eq!(to_json(&addrs, JsonStyle::Legacy).unwrap(), br#"{0:"127.0.0.1:10911"}"#);
/// assert_eq!(to_json(&addrs, JsonStyle::Standard).unwrap(), br#"{"0":"127.0.0.1:10911"}"#);
/// ```
pub fn to_json<T: Serialize + ?Sized>(value: &T, style: JsonStyle) -> Result<Vec<u8>, BodyError> {
    let mut out = Vec::with_capacity(128);
    match style {
        JsonStyle::Standard => {
            let formatter = StandardFormatter::default();
            value.serialize(&mut serde_json::Serializer::with_formatter(
                &mut out, formatter,
            ))?;
        }
        JsonStyle::Legacy => {
            let formatter = LegacyFormatter::default();
            value.serialize(&mut serde_json::Serializer::with_formatter(
                &mut out, formatter,
            ))?;
        }
    }
    Ok(out)
}

/// Compact JSON, ASCII only, big integers quoted.
#[derive(Default)]
struct StandardFormatter {
    /// Inside a string (a map key written through `begin_string`): numbers stay bare there.
    in_string: bool,
}

impl StandardFormatter {
    fn write_integer<W: ?Sized + Write>(
        &self,
        writer: &mut W,
        magnitude: u128,
        text: &str,
    ) -> io::Result<()> {
        if !self.in_string && magnitude > u128::from(BROWSER_SAFE_INTEGER_MAX) {
            writer.write_all(b"\"")?;
            writer.write_all(text.as_bytes())?;
            writer.write_all(b"\"")
        } else {
            writer.write_all(text.as_bytes())
        }
    }
}

macro_rules! big_integer_writers {
    ($($method:ident: $ty:ty),* $(,)?) => {$(
        fn $method<W: ?Sized + Write>(&mut self, writer: &mut W, value: $ty) -> io::Result<()> {
            self.write_integer(writer, value.unsigned_abs().into(), &value.to_string())
        }
    )*};
}

macro_rules! big_unsigned_writers {
    ($($method:ident: $ty:ty),* $(,)?) => {$(
        fn $method<W: ?Sized + Write>(&mut self, writer: &mut W, value: $ty) -> io::Result<()> {
            self.write_integer(writer, value.into(), &value.to_string())
        }
    )*};
}

impl Formatter for StandardFormatter {
    big_integer_writers!(write_i64: i64, write_i128: i128);
    big_unsigned_writers!(write_u64: u64, write_u128: u128);

    fn begin_string<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.in_string = true;
        writer.write_all(b"\"")
    }

    fn end_string<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.in_string = false;
        writer.write_all(b"\"")
    }

    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut ascii_start = 0;
        for (index, ch) in fragment.char_indices() {
            if ch.is_ascii() {
                continue;
            }
            writer.write_all(
                fragment
                    .get(ascii_start..index)
                    .unwrap_or_default()
                    .as_bytes(),
            )?;
            let mut units = [0u16; 2];
            for unit in ch.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04X}")?;
            }
            ascii_start = index + ch.len_utf8();
        }
        writer.write_all(fragment.get(ascii_start..).unwrap_or_default().as_bytes())
    }
}

/// Compact JSON with fastjson's unquoted integer map keys.
///
/// serde_json writes an integer map key as `begin_string`, `write_<int>`, `end_string`, and a
/// string key as `begin_string`, fragments, `end_string`. The opening quote of a key is held
/// back until the next call shows which kind it is.
#[derive(Default)]
struct LegacyFormatter {
    in_key: bool,
    quote_held: bool,
    bare_key: bool,
}

impl LegacyFormatter {
    fn release_quote<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        if self.quote_held {
            self.quote_held = false;
            writer.write_all(b"\"")?;
        }
        Ok(())
    }

    fn write_number<W: ?Sized + Write>(&mut self, writer: &mut W, text: &str) -> io::Result<()> {
        if self.quote_held {
            self.quote_held = false;
            self.bare_key = true;
        }
        writer.write_all(text.as_bytes())
    }
}

macro_rules! legacy_integer_writers {
    ($($method:ident: $ty:ty),* $(,)?) => {$(
        fn $method<W: ?Sized + Write>(&mut self, writer: &mut W, value: $ty) -> io::Result<()> {
            self.write_number(writer, &value.to_string())
        }
    )*};
}

impl Formatter for LegacyFormatter {
    legacy_integer_writers!(
        write_i8: i8, write_i16: i16, write_i32: i32, write_i64: i64, write_i128: i128,
        write_u8: u8, write_u16: u16, write_u32: u32, write_u64: u64, write_u128: u128,
    );

    fn write_bool<W: ?Sized + Write>(&mut self, writer: &mut W, value: bool) -> io::Result<()> {
        self.release_quote(writer)?;
        CompactFormatter.write_bool(writer, value)
    }

    fn write_f32<W: ?Sized + Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        self.release_quote(writer)?;
        CompactFormatter.write_f32(writer, value)
    }

    fn write_f64<W: ?Sized + Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        self.release_quote(writer)?;
        CompactFormatter.write_f64(writer, value)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.in_key = true;
        CompactFormatter.begin_object_key(writer, first)
    }

    fn end_object_key<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.in_key = false;
        Ok(())
    }

    fn begin_string<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        if self.in_key {
            self.quote_held = true;
            Ok(())
        } else {
            writer.write_all(b"\"")
        }
    }

    fn end_string<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.release_quote(writer)?;
        if self.bare_key {
            self.bare_key = false;
            Ok(())
        } else {
            writer.write_all(b"\"")
        }
    }

    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        self.release_quote(writer)?;
        writer.write_all(fragment.as_bytes())
    }

    fn write_char_escape<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        char_escape: serde_json::ser::CharEscape,
    ) -> io::Result<()> {
        self.release_quote(writer)?;
        CompactFormatter.write_char_escape(writer, char_escape)
    }
}
