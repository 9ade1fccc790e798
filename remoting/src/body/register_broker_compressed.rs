//! The compressed REGISTER_BROKER body: one zlib stream holding length-prefixed parts.
//!
//! | part | layout |
//! |---|---|
//! | data version | i32 len, DataVersion JSON |
//! | topics | i32 count, then per topic: i32 len, `name readQ writeQ perm filterType attributesJSON` (space-separated UTF-8) |
//! | filter servers | i32 len, JSON array of strings |
//! | mappings (version ≥ V5_0_0 = 413) | i32 count, then per entry: i32 len, TopicQueueMappingInfo JSON (skipped on read) |
//!
//! Integers are big-endian. The text form of a topic has no `topicSysFlag` or `order`;
//! they decode as 0 / false.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;

use super::{
    BodyError, DataVersion, RegisterBrokerBody, TopicConfig, TopicConfigSerializeWrapper,
    TopicFilterType, from_json_lenient,
};

/// Largest inflated compressed body accepted: 64 MiB (a 16 MiB frame of highly compressible
/// topic text); decompression stops one byte past it.
pub const REGISTER_BODY_INFLATED_MAX: usize = 64 * 1024 * 1024;

/// First broker version (V5_0_0) whose compressed body carries the mapping section.
const MAPPING_SECTION_MIN_VERSION: i32 = 413;

pub(super) fn encode(body: &RegisterBrokerBody, broker_version: i32) -> Result<Vec<u8>, BodyError> {
    let wrapper = &body.topic_config_serialize_wrapper;
    let mut plain = Vec::with_capacity(64 + 64 * wrapper.topic_config_table.len());
    put_part(&mut plain, &serde_json::to_vec(&wrapper.data_version)?)?;
    put_count(&mut plain, wrapper.topic_config_table.len())?;
    for topic in wrapper.topic_config_table.values() {
        put_part(&mut plain, topic_text(topic)?.as_bytes())?;
    }
    put_part(&mut plain, &serde_json::to_vec(&body.filter_server_list)?)?;
    if broker_version >= MAPPING_SECTION_MIN_VERSION {
        put_count(&mut plain, 0)?;
    }
    let mut encoder = ZlibEncoder::new(
        Vec::with_capacity(plain.len() / 4 + 64),
        Compression::best(),
    );
    encoder.write_all(&plain).map_err(BodyError::Zlib)?;
    encoder.finish().map_err(BodyError::Zlib)
}

pub(super) fn decode(body: &[u8], broker_version: i32) -> Result<RegisterBrokerBody, BodyError> {
    let plain = inflate(body)?;
    let mut reader = PartReader {
        data: &plain,
        offset: 0,
    };
    let data_version: DataVersion = from_json_lenient(reader.part("dataVersion")?)?;
    let topic_count = reader.count("topicCount")?;
    let mut wrapper = TopicConfigSerializeWrapper {
        data_version,
        ..Default::default()
    };
    for _ in 0..topic_count {
        let offset = reader.offset;
        let topic = parse_topic_text(reader.part("topicConfig")?, offset)?;
        wrapper
            .topic_config_table
            .insert(topic.topic_name.clone(), topic);
    }
    let filter_server_list = from_json_lenient(reader.part("filterServerList")?)?;
    if broker_version >= MAPPING_SECTION_MIN_VERSION && !reader.is_empty() {
        for _ in 0..reader.count("topicQueueMappingCount")? {
            reader.part("topicQueueMappingInfo")?;
        }
    }
    Ok(RegisterBrokerBody {
        topic_config_serialize_wrapper: wrapper,
        filter_server_list,
    })
}

fn inflate(body: &[u8]) -> Result<Vec<u8>, BodyError> {
    let mut plain = Vec::with_capacity(body.len().saturating_mul(4).min(1 << 20));
    let limit = u64::try_from(REGISTER_BODY_INFLATED_MAX)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    ZlibDecoder::new(body)
        .take(limit)
        .read_to_end(&mut plain)
        .map_err(BodyError::Zlib)?;
    if plain.len() > REGISTER_BODY_INFLATED_MAX {
        return Err(BodyError::TooLarge {
            len: plain.len(),
            max: REGISTER_BODY_INFLATED_MAX,
        });
    }
    Ok(plain)
}

fn put_count(out: &mut Vec<u8>, count: usize) -> Result<(), BodyError> {
    let count = i32::try_from(count).map_err(|_| BodyError::TooLarge {
        len: count,
        max: usize::try_from(i32::MAX).unwrap_or(usize::MAX),
    })?;
    out.extend_from_slice(&count.to_be_bytes());
    Ok(())
}

fn put_part(out: &mut Vec<u8>, part: &[u8]) -> Result<(), BodyError> {
    put_count(out, part.len())?;
    out.extend_from_slice(part);
    Ok(())
}

/// `name readQ writeQ perm filterType attributesJSON`, as the Java broker encodes a topic.
fn topic_text(topic: &TopicConfig) -> Result<String, BodyError> {
    let attributes = serde_json::to_string(&topic.attributes)?;
    Ok(format!(
        "{} {} {} {} {} {}",
        topic.topic_name,
        topic.read_queue_nums,
        topic.write_queue_nums,
        topic.perm,
        topic.topic_filter_type.as_str(),
        attributes
    ))
}

fn parse_topic_text(part: &[u8], offset: usize) -> Result<TopicConfig, BodyError> {
    let invalid = |reason: String| BodyError::InvalidField {
        field: "topicConfig",
        offset,
        reason,
    };
    let text = std::str::from_utf8(part).map_err(|error| invalid(error.to_string()))?;
    let mut fields = text.splitn(6, ' ');
    let mut next = |name: &str| {
        fields
            .next()
            .ok_or_else(|| invalid(format!("{name} missing in {text:?}")))
    };
    let topic_name = next("name")?.to_owned();
    let number = |value: &str, name: &str| {
        value
            .parse::<i32>()
            .map_err(|_| invalid(format!("{name} {value:?} is not an int")))
    };
    let read_queue_nums = number(next("readQueueNums")?, "readQueueNums")?;
    let write_queue_nums = number(next("writeQueueNums")?, "writeQueueNums")?;
    let perm = number(next("perm")?, "perm")?;
    let filter_name = next("topicFilterType")?;
    let topic_filter_type = TopicFilterType::from_name(filter_name)
        .ok_or_else(|| invalid(format!("unknown topicFilterType {filter_name:?}")))?;
    let attributes = match fields.next().map(str::trim) {
        None | Some("") | Some("null") => Default::default(),
        Some(json) => from_json_lenient(json.as_bytes())?,
    };
    Ok(TopicConfig {
        topic_name,
        read_queue_nums,
        write_queue_nums,
        perm,
        topic_filter_type,
        attributes,
        ..TopicConfig::default()
    })
}

/// Reads big-endian length-prefixed parts; every length is checked against what is left.
struct PartReader<'a> {
    data: &'a [u8],
    offset: usize,
}

impl<'a> PartReader<'a> {
    fn is_empty(&self) -> bool {
        self.offset >= self.data.len()
    }

    fn take(&mut self, need: usize) -> Result<&'a [u8], BodyError> {
        let have = self.data.len().saturating_sub(self.offset);
        let end = self.offset.checked_add(need).filter(|_| need <= have);
        let slice = end.and_then(|end| self.data.get(self.offset..end));
        let slice = slice.ok_or(BodyError::Truncated {
            offset: self.offset,
            need,
            have,
        })?;
        self.offset += need;
        Ok(slice)
    }

    /// A non-negative i32; a count can never exceed the bytes left, so it bounds loops.
    fn count(&mut self, field: &'static str) -> Result<usize, BodyError> {
        let offset = self.offset;
        let raw = self.take(4)?;
        let bytes: [u8; 4] = raw.try_into().map_err(|_| BodyError::Truncated {
            offset,
            need: 4,
            have: raw.len(),
        })?;
        let value = i32::from_be_bytes(bytes);
        usize::try_from(value).map_err(|_| BodyError::InvalidField {
            field,
            offset,
            reason: format!("negative length {value}"),
        })
    }

    fn part(&mut self, field: &'static str) -> Result<&'a [u8], BodyError> {
        let len = self.count(field)?;
        self.take(len)
    }
}
