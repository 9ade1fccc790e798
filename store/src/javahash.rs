//! Java's `String.hashCode`, which RocketMQ files and clients depend on.
//!
//! Consume queue tag codes and index key hashes are Java hashes of the string's UTF-16
//! code units (`h = 31 * h + unit`, wrapping at 32 bits). Hashing UTF-8 bytes instead would
//! agree only for ASCII and silently break tag filters and key queries on existing stores.

/// Java `String.hashCode` of `s`: folds its UTF-16 code units with `h = 31 * h + unit`,
/// wrapping like Java's `int`.
pub fn java_string_hash(s: &str) -> i32 {
    java_string_hash_parts(&[s])
}

/// Java `String.hashCode` of the concatenation of `parts`, without building the string.
pub fn java_string_hash_parts(parts: &[&str]) -> i32 {
    parts
        .iter()
        .flat_map(|part| part.encode_utf16())
        .fold(0i32, |h, unit| {
            h.wrapping_mul(31).wrapping_add(i32::from(unit))
        })
}

/// The consume queue tagsCode of a message: the Java hash of its TAGS, widened to i64;
/// 0 when the message has no tag or an empty one.
pub fn tags_code(tags: Option<&str>) -> i64 {
    match tags {
        Some(tag) if !tag.is_empty() => i64::from(java_string_hash(tag)),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values computed with Java semantics (UTF-16 units, i32 wrap) by hand.
    #[test]
    fn ascii_matches_java() {
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("TagA"), 2_598_919);
        assert_eq!(java_string_hash("hello"), 99_162_322);
        assert_eq!(java_string_hash("TopicTest#key1"), -1_655_984_460);
        assert_eq!(java_string_hash("TagA || TagB"), 1_359_775_119);
    }

    #[test]
    fn wraps_to_i32_min() {
        // A well-known Java string whose hash is Integer.MIN_VALUE.
        assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
    }

    #[test]
    fn non_ascii_uses_utf16_units() {
        // U+00E9 is one UTF-16 unit (0xE9) but two UTF-8 bytes.
        assert_eq!(java_string_hash("é"), 233);
        assert_eq!(java_string_hash("中文"), 646_394);
        // U+1F600 is the surrogate pair D83D DE00.
        assert_eq!(java_string_hash("😀"), 1_772_899);
        assert_eq!(java_string_hash("a😀b"), 57_849_694);
    }

    #[test]
    fn known_collision() {
        assert_eq!(java_string_hash("Aa"), java_string_hash("BB"));
        assert_eq!(java_string_hash("Aa"), 2112);
    }

    #[test]
    fn parts_equal_concatenation() {
        assert_eq!(
            java_string_hash_parts(&["TopicTest", "#", "key1"]),
            java_string_hash("TopicTest#key1")
        );
        assert_eq!(java_string_hash_parts(&[]), 0);
    }

    #[test]
    fn tags_code_widens_and_zeroes() {
        assert_eq!(tags_code(None), 0);
        assert_eq!(tags_code(Some("")), 0);
        assert_eq!(tags_code(Some("TagA")), 2_598_919);
        assert_eq!(tags_code(Some("polygenelubricants")), -2_147_483_648);
    }
}
