//! The SEND_BATCH_MESSAGE body (spec 4.4): items of
//! `[i32 totalSize][i32 magic][i32 bodyCRC][i32 flag][i32 bodyLen][body][i16 propLen][props]`.

use bytes::Bytes;

/// Bytes of an item besides body and properties: five i32 fields and the i16 length.
const ITEM_FIXED_BYTES: usize = 4 * 5 + 2;
const _: () = assert!(ITEM_FIXED_BYTES == 22);

/// One message of a batch; `body` is a slice of the request body (no copy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BatchItem {
    /// User flag.
    pub(crate) flag: i32,
    /// Message body.
    pub(crate) body: Bytes,
    /// Encoded properties (spec 4.1).
    pub(crate) properties: String,
}

/// Why a batch body is refused; the text is the response remark.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum BatchError {
    /// The body ends inside an item.
    #[error("batch item {index} at byte {offset} is truncated")]
    Truncated {
        /// Item number.
        index: usize,
        /// Offset of the item in the body.
        offset: usize,
    },
    /// totalSize disagrees with the item's fields.
    #[error(
        "batch item {index} at byte {offset}: totalSize {total} but fields add up to {computed}"
    )]
    BadTotalSize {
        /// Item number.
        index: usize,
        /// Offset of the item in the body.
        offset: usize,
        /// totalSize as sent.
        total: i64,
        /// Length implied by the fields.
        computed: usize,
    },
    /// Properties are not UTF-8.
    #[error("batch item {index}: properties are not UTF-8")]
    NotUtf8 {
        /// Item number.
        index: usize,
    },
    /// More items than allowed, or none.
    #[error("batch holds {count} messages, allowed 1..={max}")]
    Count {
        /// Items seen (stops counting one past the bound).
        count: usize,
        /// The bound.
        max: usize,
    },
}

/// Splits a batch body into items; at most `max_items`.
pub(crate) fn decode_batch(body: &Bytes, max_items: usize) -> Result<Vec<BatchItem>, BatchError> {
    let mut items = Vec::new();
    let mut at = 0usize;
    while at < body.len() {
        let index = items.len();
        if index >= max_items {
            return Err(BatchError::Count {
                count: index + 1,
                max: max_items,
            });
        }
        let (item, len) = decode_item(body, at, index)?;
        items.push(item);
        at += len;
    }
    if items.is_empty() {
        return Err(BatchError::Count {
            count: 0,
            max: max_items,
        });
    }
    Ok(items)
}

fn decode_item(body: &Bytes, at: usize, index: usize) -> Result<(BatchItem, usize), BatchError> {
    let truncated = BatchError::Truncated { index, offset: at };
    let i32_at = |pos: usize| -> Result<i32, BatchError> {
        let b = body.get(pos..pos + 4).ok_or(truncated.clone())?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let total = i32_at(at)?;
    let flag = i32_at(at + 12)?;
    let body_len = usize::try_from(i32_at(at + 16)?).map_err(|_| truncated.clone())?;
    let body_start = at + 20;
    let body_end = body_start.checked_add(body_len).ok_or(truncated.clone())?;
    let prop_len_bytes = body.get(body_end..body_end + 2).ok_or(truncated.clone())?;
    let prop_len = i16::from_be_bytes([prop_len_bytes[0], prop_len_bytes[1]]);
    let prop_len = usize::try_from(prop_len).map_err(|_| truncated.clone())?;
    let props_start = body_end + 2;
    let props = body
        .get(props_start..props_start + prop_len)
        .ok_or(truncated)?;
    let computed = ITEM_FIXED_BYTES + body_len + prop_len;
    if i64::from(total) != computed as i64 {
        return Err(BatchError::BadTotalSize {
            index,
            offset: at,
            total: i64::from(total),
            computed,
        });
    }
    let properties = std::str::from_utf8(props)
        .map_err(|_| BatchError::NotUtf8 { index })?
        .to_owned();
    let item = BatchItem {
        flag,
        body: body.slice(body_start..body_end),
        properties,
    };
    Ok((item, computed))
}

/// Encodes items the way a Java client does.
#[cfg(test)]
pub(crate) fn encode_batch<'a>(
    items: impl IntoIterator<Item = (i32, &'a [u8], &'a str)>,
) -> Vec<u8> {
    let mut out = Vec::new();
    for (flag, body, props) in items {
        let total = ITEM_FIXED_BYTES + body.len() + props.len();
        out.extend_from_slice(&i32::try_from(total).unwrap_or(i32::MAX).to_be_bytes());
        out.extend_from_slice(&0i32.to_be_bytes());
        out.extend_from_slice(&0i32.to_be_bytes());
        out.extend_from_slice(&flag.to_be_bytes());
        out.extend_from_slice(&i32::try_from(body.len()).unwrap_or(i32::MAX).to_be_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(&i16::try_from(props.len()).unwrap_or(i16::MAX).to_be_bytes());
        out.extend_from_slice(props.as_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_slices_without_copy() {
        let raw = Bytes::from(encode_batch([
            (1, &b"ab"[..], "K\u{1}v\u{2}"),
            (2, &b""[..], ""),
        ]));
        let items = decode_batch(&raw, 10).expect("decodes");
        assert_eq!(items.len(), 2);
        assert_eq!((items[0].flag, &items[0].body[..]), (1, &b"ab"[..]));
        assert_eq!(items[0].properties, "K\u{1}v\u{2}");
        assert_eq!(items[1].body.len(), 0);
        assert_eq!(
            items[0].body.as_ptr(),
            raw[20..].as_ptr(),
            "body is a slice"
        );
    }

    #[test]
    fn refuses_truncation_bad_sizes_and_counts() {
        let raw = encode_batch([(0, &b"abc"[..], "")]);
        for cut in 1..raw.len() {
            let part = Bytes::copy_from_slice(&raw[..cut]);
            assert!(decode_batch(&part, 10).is_err(), "cut at {cut}");
        }
        let mut bad = raw.clone();
        bad[3] += 1;
        let bad = Bytes::from(bad);
        assert!(matches!(
            decode_batch(&bad, 10),
            Err(BatchError::BadTotalSize { .. })
        ));
        let mut neg = raw.clone();
        neg[16..20].copy_from_slice(&(-1i32).to_be_bytes());
        assert!(decode_batch(&Bytes::from(neg), 10).is_err());
        let two = Bytes::from(encode_batch([(0, &b"a"[..], ""), (0, &b"b"[..], "")]));
        assert!(decode_batch(&two, 2).is_ok());
        assert!(
            matches!(decode_batch(&two, 1), Err(BatchError::Count { .. })),
            "one past"
        );
        assert!(decode_batch(&Bytes::new(), 1).is_err());
    }
}
