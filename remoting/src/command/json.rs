//! JSON header (serialize type 0): what fastjson writes, keys alphabetical, nulls omitted.
//!
//! Layout drawn in `docs/protocol.md` ("JSON header"). Reading accepts any key order, ignores
//! unknown keys (`serializeTypeCurrentRPC` among them) and tolerates numbers or booleans as
//! extFields values (turned into their text form).

use super::sink::{Sink, put_decimal, put_json_str};
use super::{ExtFields, RemotingCommand};
use crate::code::LanguageCode;
use crate::error::RemotingError;
use crate::frame::{EXT_FIELDS_COUNT_MAX, REMARK_LEN_MAX};
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;

/// Writes the header of `cmd` in Java's order: code, extFields, flag, language, opaque, remark,
/// serializeTypeCurrentRPC, version. Empty extFields and a `None` remark are omitted.
pub(crate) fn write<S: Sink>(cmd: &RemotingCommand, s: &mut S) {
    s.put(b"{\"code\":");
    put_decimal(s, i64::from(cmd.code));
    if !cmd.ext_fields.is_empty() {
        s.put(b",\"extFields\":{");
        for (i, (k, v)) in cmd.ext_fields.iter().enumerate() {
            if i > 0 {
                s.put(b",");
            }
            put_json_str(s, k);
            s.put(b":");
            put_json_str(s, v);
        }
        s.put(b"}");
    }
    s.put(b",\"flag\":");
    put_decimal(s, i64::from(cmd.flag));
    s.put(b",\"language\":\"");
    s.put(cmd.language.name().as_bytes());
    s.put(b"\",\"opaque\":");
    put_decimal(s, i64::from(cmd.opaque));
    if let Some(remark) = &cmd.remark {
        s.put(b",\"remark\":");
        put_json_str(s, remark);
    }
    s.put(b",\"serializeTypeCurrentRPC\":\"JSON\",\"version\":");
    put_decimal(s, i64::from(cmd.version));
    s.put(b"}");
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonHeader {
    #[serde(default)]
    code: Option<i32>,
    #[serde(default)]
    language: Option<LanguageCode>,
    #[serde(default)]
    version: Option<i32>,
    #[serde(default)]
    opaque: Option<i32>,
    #[serde(default)]
    flag: Option<i32>,
    #[serde(default)]
    remark: Option<String>,
    #[serde(default)]
    ext_fields: Option<ExtFieldsIn>,
}

/// Parsed extFields plus whether more than `EXT_FIELDS_COUNT_MAX` entries were seen.
struct ExtFieldsIn {
    map: ExtFields,
    overflow: bool,
}

/// An extFields value: a string, or a number/bool taken as its text; `null` means absent.
struct ExtValue(Option<String>);

impl<'de> Deserialize<'de> for ExtValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ExtValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, number, boolean or null")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ExtValue, E> {
                Ok(ExtValue(Some(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<ExtValue, E> {
                Ok(ExtValue(Some(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ExtValue, E> {
                Ok(ExtValue(Some(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ExtValue, E> {
                Ok(ExtValue(Some(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ExtValue, E> {
                Ok(ExtValue(Some(v.to_string())))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<ExtValue, E> {
                Ok(ExtValue(Some(v.to_string())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<ExtValue, E> {
                Ok(ExtValue(None))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for ExtFieldsIn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ExtFieldsIn;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of strings")
            }
            fn visit_unit<E: de::Error>(self) -> Result<ExtFieldsIn, E> {
                Ok(ExtFieldsIn {
                    map: ExtFields::new(),
                    overflow: false,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<ExtFieldsIn, A::Error> {
                let mut out = ExtFieldsIn {
                    map: ExtFields::new(),
                    overflow: false,
                };
                let mut seen = 0usize;
                while let Some(key) = access.next_key::<String>()? {
                    seen += 1;
                    if seen > EXT_FIELDS_COUNT_MAX {
                        // Keep parsing (the header is already bounded) but keep nothing more.
                        out.overflow = true;
                        access.next_value::<IgnoredAny>()?;
                        continue;
                    }
                    if let ExtValue(Some(v)) = access.next_value::<ExtValue>()? {
                        out.map.insert(key, v);
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_any(V)
    }
}

/// Parses a JSON header into a command with an empty body.
pub(crate) fn read(header: &[u8]) -> Result<RemotingCommand, RemotingError> {
    let h: JsonHeader = serde_json::from_slice(header)
        .map_err(|source| RemotingError::InvalidJsonHeader { source })?;
    let ext = h.ext_fields.unwrap_or(ExtFieldsIn {
        map: ExtFields::new(),
        overflow: false,
    });
    if ext.overflow {
        return Err(RemotingError::TooManyExtFields {
            max: EXT_FIELDS_COUNT_MAX,
        });
    }
    if let Some(r) = &h.remark {
        if r.len() > REMARK_LEN_MAX {
            return Err(RemotingError::RemarkTooLong {
                len: r.len(),
                max: REMARK_LEN_MAX,
            });
        }
    }
    Ok(RemotingCommand {
        code: h.code.unwrap_or(0),
        // A missing language is Java's field default.
        language: h.language.unwrap_or(LanguageCode::Java),
        version: h.version.unwrap_or(0),
        opaque: h.opaque.unwrap_or(0),
        flag: h.flag.unwrap_or(0),
        remark: h.remark,
        ext_fields: ext.map,
        body: super::Body::Empty,
        serialize_type: super::SerializeType::Json,
    })
}
