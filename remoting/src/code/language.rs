//! LanguageCode: the sender's implementation language, by name in JSON, by byte in binary headers.

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;

/// The `language` header field. Unknown names and bytes decode as [`LanguageCode::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(u8)]
pub enum LanguageCode {
    /// JAVA = 0.
    Java = 0,
    /// CPP = 1.
    Cpp = 1,
    /// DOTNET = 2.
    Dotnet = 2,
    /// PYTHON = 3.
    Python = 3,
    /// DELPHI = 4.
    Delphi = 4,
    /// ERLANG = 5.
    Erlang = 5,
    /// RUBY = 6.
    Ruby = 6,
    /// OTHER = 7; also what unknown names decode to.
    Other = 7,
    /// HTTP = 8.
    Http = 8,
    /// GO = 9.
    Go = 9,
    /// PHP = 10.
    Php = 10,
    /// OMS = 11.
    Oms = 11,
    /// RUST = 12 (present in 4.9.x too); ferromq's own.
    #[default]
    Rust = 12,
    /// NODE_JS = 13 (5.x only).
    NodeJs = 13,
}

const ALL: [LanguageCode; 14] = [
    LanguageCode::Java,
    LanguageCode::Cpp,
    LanguageCode::Dotnet,
    LanguageCode::Python,
    LanguageCode::Delphi,
    LanguageCode::Erlang,
    LanguageCode::Ruby,
    LanguageCode::Other,
    LanguageCode::Http,
    LanguageCode::Go,
    LanguageCode::Php,
    LanguageCode::Oms,
    LanguageCode::Rust,
    LanguageCode::NodeJs,
];

impl LanguageCode {
    /// Byte used in the binary header.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// Java enum name used in the JSON header, e.g. `"NODE_JS"`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Java => "JAVA",
            Self::Cpp => "CPP",
            Self::Dotnet => "DOTNET",
            Self::Python => "PYTHON",
            Self::Delphi => "DELPHI",
            Self::Erlang => "ERLANG",
            Self::Ruby => "RUBY",
            Self::Other => "OTHER",
            Self::Http => "HTTP",
            Self::Go => "GO",
            Self::Php => "PHP",
            Self::Oms => "OMS",
            Self::Rust => "RUST",
            Self::NodeJs => "NODE_JS",
        }
    }

    /// Decodes a binary-header byte; unknown bytes give `Other`.
    pub fn from_code(code: u8) -> Self {
        ALL.iter()
            .copied()
            .find(|l| l.code() == code)
            .unwrap_or(Self::Other)
    }

    /// Decodes a JSON name; unknown names give `Other`.
    pub fn from_name(name: &str) -> Self {
        ALL.iter()
            .copied()
            .find(|l| l.name() == name)
            .unwrap_or(Self::Other)
    }
}

impl fmt::Display for LanguageCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl<'de> Deserialize<'de> for LanguageCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LanguageVisitor;
        impl Visitor<'_> for LanguageVisitor {
            type Value = LanguageCode;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a language name or code")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LanguageCode, E> {
                Ok(LanguageCode::from_name(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LanguageCode, E> {
                Ok(u8::try_from(v).map_or(LanguageCode::Other, LanguageCode::from_code))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<LanguageCode, E> {
                Ok(u8::try_from(v).map_or(LanguageCode::Other, LanguageCode::from_code))
            }
            fn visit_unit<E: de::Error>(self) -> Result<LanguageCode, E> {
                Ok(LanguageCode::Other)
            }
        }
        deserializer.deserialize_any(LanguageVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_round_trip() {
        for (i, lang) in ALL.iter().enumerate() {
            assert_eq!(usize::from(lang.code()), i);
            assert_eq!(LanguageCode::from_code(lang.code()), *lang);
            assert_eq!(LanguageCode::from_name(lang.name()), *lang);
        }
        assert_eq!(LanguageCode::Rust.code(), 12);
        assert_eq!(LanguageCode::NodeJs.name(), "NODE_JS");
    }

    #[test]
    fn unknown_decodes_as_other() {
        assert_eq!(LanguageCode::from_name("COBOL"), LanguageCode::Other);
        assert_eq!(LanguageCode::from_code(14), LanguageCode::Other);
        assert_eq!(LanguageCode::from_code(255), LanguageCode::Other);
    }
}
