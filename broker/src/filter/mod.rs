//! Subscription expressions of the TAG type: `*` / `""` (everything) or `tagA || tagB`.
//!
//! The broker filters pulls by the consume queue's tags code (the Java `String.hashCode`
//! of the message's TAGS, [`ferromq_store::javahash`]), exactly as RocketMQ does; clients
//! re-check the tag string itself ([`TagFilter::matches_tag`]) because hashes collide.
//! SQL92 expressions need RocketMQ's property filter, which ferromq does not implement:
//! [`TagFilter::parse_typed`] refuses them the way a Java broker with
//! `enablePropertyFilter=false` does (SYSTEM_ERROR, "The broker does not support consumer to
//! filter message by SQL92").

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use ferromq_remoting::body::SubscriptionData;
use ferromq_store::javahash::java_string_hash;

use crate::error::BrokerError;

/// The "subscribe to everything" expression.
pub const SUB_ALL: &str = "*";
/// The default expression type; also what a missing `expressionType` means.
pub const EXPRESSION_TYPE_TAG: &str = "TAG";
/// Longest expression accepted, bytes (a header value; RocketMQ has no explicit bound).
pub const EXPRESSION_LEN_MAX: usize = 64 * 1024;

/// A parsed TAG expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagFilter {
    /// `*` or the empty expression: every message matches, with or without a tag.
    All,
    /// A set of tags; a message matches when its tag is one of them.
    Tags {
        /// Trimmed tags, as written.
        tags: BTreeSet<String>,
        /// Java `String.hashCode` of each tag.
        codes: BTreeSet<i32>,
    },
}

impl TagFilter {
    /// Parses a TAG expression the way RocketMQ's `FilterAPI.buildSubscriptionData` does:
    /// `*` or `""` is [`TagFilter::All`]; otherwise the text is split on `||` (trailing
    /// empty pieces dropped, as Java's `String.split`), each piece trimmed of characters
    /// up to U+0020 (Java's `trim`), and empty pieces skipped. An expression that splits
    /// into no piece at all (`||`) or is longer than [`EXPRESSION_LEN_MAX`] is refused.
    pub fn parse(expr: &str) -> Result<Self, BrokerError> {
        if expr.is_empty() || expr == SUB_ALL {
            return Ok(Self::All);
        }
        if expr.len() > EXPRESSION_LEN_MAX {
            return Err(BrokerError::SubscriptionParse {
                expression: clip(expr),
                reason: "expression too long",
            });
        }
        let mut pieces: Vec<&str> = expr.split("||").collect();
        while pieces.last().is_some_and(|p| p.is_empty()) {
            pieces.pop();
        }
        if pieces.is_empty() {
            return Err(BrokerError::SubscriptionParse {
                expression: clip(expr),
                reason: "subString split error",
            });
        }
        let tags: BTreeSet<String> = pieces
            .iter()
            .map(|p| java_trim(p))
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        let codes = tags.iter().map(|t| java_string_hash(t)).collect();
        Ok(Self::Tags { tags, codes })
    }

    /// Parses `expr` of the given `expressionType` (absent means TAG). Any other type is
    /// refused with [`BrokerError::FilterTypeUnsupported`].
    pub fn parse_typed(expression_type: Option<&str>, expr: &str) -> Result<Self, BrokerError> {
        match expression_type {
            None | Some("") | Some(EXPRESSION_TYPE_TAG) => Self::parse(expr),
            Some(other) => Err(BrokerError::FilterTypeUnsupported {
                expression_type: clip(other),
            }),
        }
    }

    /// The filter of a subscription a client registered by heartbeat.
    pub fn from_subscription(sub: &SubscriptionData) -> Result<Self, BrokerError> {
        Self::parse_typed(Some(sub.expression_type.as_str()), &sub.sub_string)
    }

    /// Whether a consume queue entry with this tags code may match. Java compares
    /// `tagsCode.intValue()`, so the code is truncated to 32 bits first.
    pub fn matches_code(&self, tags_code: i64) -> bool {
        match self {
            Self::All => true,
            #[expect(
                clippy::cast_possible_truncation,
                reason = "Java's Long.intValue() truncation is the compared value"
            )]
            Self::Tags { codes, .. } => codes.contains(&(tags_code as i32)),
        }
    }

    /// Whether a record with this TAGS property matches exactly (no hash collision).
    pub fn matches_tag(&self, tag: Option<&str>) -> bool {
        match (self, tag) {
            (Self::All, _) => true,
            (Self::Tags { tags, .. }, Some(tag)) => tags.contains(tag),
            (Self::Tags { .. }, None) => false,
        }
    }

    /// Whether this is the match-everything filter.
    pub fn is_all(&self) -> bool {
        matches!(self, Self::All)
    }

    /// A `SubscriptionData` carrying this filter, as RocketMQ builds one for a pull whose
    /// header holds the expression (PullSysFlag SUBSCRIPTION).
    pub fn to_subscription_data(
        &self,
        topic: &str,
        expr: &str,
        sub_version: i64,
    ) -> SubscriptionData {
        let (sub_string, tags_set, code_set) = match self {
            Self::All => (SUB_ALL.to_owned(), BTreeSet::new(), BTreeSet::new()),
            Self::Tags { tags, codes } => (expr.to_owned(), tags.clone(), codes.clone()),
        };
        SubscriptionData {
            topic: topic.to_owned(),
            sub_string,
            tags_set,
            code_set,
            sub_version,
            expression_type: EXPRESSION_TYPE_TAG.to_owned(),
            ..SubscriptionData::default()
        }
    }
}

/// Java's `String.trim()`: strips leading and trailing characters up to U+0020.
fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// At most 256 characters of a client-supplied string, for error messages.
fn clip(s: &str) -> String {
    s.chars().take(256).collect()
}
