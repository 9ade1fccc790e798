use super::*;

fn tags(filter: &TagFilter) -> Vec<&str> {
    match filter {
        TagFilter::All => Vec::new(),
        TagFilter::Tags { tags, .. } => tags.iter().map(String::as_str).collect(),
    }
}

#[test]
fn star_and_empty_match_everything() {
    for expr in ["*", ""] {
        let f = TagFilter::parse(expr).expect("parses");
        assert!(f.is_all());
        assert!(f.matches_code(0));
        assert!(f.matches_code(12345));
        assert!(f.matches_tag(None));
        assert!(f.matches_tag(Some("x")));
    }
    // Java compares the whole string with "*": a padded star is a tag named "*".
    let padded = TagFilter::parse(" * ").expect("parses");
    assert_eq!(tags(&padded), ["*"]);
}

#[test]
fn tag_set_uses_java_hashes() {
    let f = TagFilter::parse(" TagA ||TagB|| ab ").expect("parses");
    assert_eq!(tags(&f), ["TagA", "TagB", "ab"]);
    // By hand: "ab" = 97 * 31 + 98; "TagA" = 2_598_919 ('T'*31^3 + 'a'*31^2 + 'g'*31 + 'A');
    // "TagB" is one more.
    assert!(f.matches_code(3105));
    assert!(f.matches_code(2_598_919));
    assert!(f.matches_code(2_598_920));
    assert!(!f.matches_code(2_598_921));
    assert!(
        !f.matches_code(0),
        "untagged messages do not match a tag set"
    );
    assert!(f.matches_tag(Some("TagA")));
    assert!(!f.matches_tag(Some("TagC")));
    assert!(!f.matches_tag(Some(" TagA")));
    assert!(!f.matches_tag(None));
}

#[test]
fn code_is_compared_as_java_int_value() {
    let f = TagFilter::parse("ab").expect("parses");
    // Long.intValue() keeps the low 32 bits.
    assert!(f.matches_code((1_i64 << 32) + 3105));
    let negative = TagFilter::parse("polygenelubricants").expect("parses");
    assert!(negative.matches_code(i64::from(i32::MIN)));
}

#[test]
fn empty_pieces_are_skipped_and_trailing_ones_dropped() {
    assert_eq!(tags(&TagFilter::parse("a||").expect("parses")), ["a"]);
    assert_eq!(tags(&TagFilter::parse("||a").expect("parses")), ["a"]);
    assert_eq!(
        tags(&TagFilter::parse("a || || b").expect("parses")),
        ["a", "b"]
    );
    // Whitespace only: Java accepts it and the subscription matches nothing.
    let blank = TagFilter::parse(" \t").expect("parses");
    assert_eq!(tags(&blank), Vec::<&str>::new());
    assert!(!blank.matches_code(0));
}

#[test]
fn expression_with_no_piece_is_refused() {
    for expr in ["||", "||||"] {
        let err = TagFilter::parse(expr).expect_err("refused");
        assert!(
            matches!(err, BrokerError::SubscriptionParse { .. }),
            "{err:?}"
        );
    }
}

#[test]
fn expression_one_past_the_limit_is_refused() {
    let at_limit = "a".repeat(EXPRESSION_LEN_MAX);
    assert!(TagFilter::parse(&at_limit).is_ok());
    let over = "a".repeat(EXPRESSION_LEN_MAX + 1);
    assert!(matches!(
        TagFilter::parse(&over),
        Err(BrokerError::SubscriptionParse { .. })
    ));
}

#[test]
fn sql92_is_refused_and_tag_type_defaults() {
    assert!(TagFilter::parse_typed(None, "a").is_ok());
    assert!(TagFilter::parse_typed(Some("TAG"), "a").is_ok());
    let err = TagFilter::parse_typed(Some("SQL92"), "a > 1").expect_err("refused");
    assert!(
        matches!(err, BrokerError::FilterTypeUnsupported { .. }),
        "{err:?}"
    );
}

#[test]
fn subscription_data_round_trip() {
    let f = TagFilter::parse("TagA || TagB").expect("parses");
    let sub = f.to_subscription_data("T", "TagA || TagB", 7);
    assert_eq!(sub.topic, "T");
    assert_eq!(sub.code_set.len(), 2);
    assert!(sub.code_set.contains(&2_598_919));
    assert_eq!(TagFilter::from_subscription(&sub).expect("parses"), f);
    let all = TagFilter::All.to_subscription_data("T", "", 1);
    assert_eq!(all.sub_string, "*");
}
