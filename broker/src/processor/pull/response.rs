//! The pull response (spec 3.2): the store's GetMessageStatus as RocketMQ's code, the
//! header offsets, the store status name as remark, and the records as a multi-part body.

use bytes::Bytes;
use ferromq_remoting::header::pull::PullMessageResponseHeader;
use ferromq_remoting::{Body, RemotingCommand, response_code};
use ferromq_store::commitlog::properties;
use ferromq_store::commitlog::record::{self, Verify};
use ferromq_store::{GetMessageResult, GetMessageStatus};

use crate::filter::TagFilter;

/// RocketMQ's GetMessageStatus name (the pull response's remark).
pub(crate) fn status_name(status: GetMessageStatus) -> &'static str {
    match status {
        GetMessageStatus::Found => "FOUND",
        GetMessageStatus::NoMatchedMessage => "NO_MATCHED_MESSAGE",
        GetMessageStatus::NoMatchedLogicQueue => "NO_MATCHED_LOGIC_QUEUE",
        GetMessageStatus::NoMessageInQueue => "NO_MESSAGE_IN_QUEUE",
        GetMessageStatus::OffsetFoundNull => "OFFSET_FOUND_NULL",
        GetMessageStatus::OffsetOverflowOne => "OFFSET_OVERFLOW_ONE",
        GetMessageStatus::OffsetOverflowBadly => "OFFSET_OVERFLOW_BADLY",
        GetMessageStatus::OffsetTooSmall => "OFFSET_TOO_SMALL",
        GetMessageStatus::MessageWasRemoving => "MESSAGE_WAS_REMOVING",
        _ => "UNKNOWN",
    }
}

/// The response code for `status` when `requested` was the pull's offset.
pub(crate) fn status_code(status: GetMessageStatus, requested: u64) -> i32 {
    match status {
        GetMessageStatus::Found => response_code::SUCCESS,
        GetMessageStatus::NoMatchedMessage | GetMessageStatus::MessageWasRemoving => {
            response_code::PULL_RETRY_IMMEDIATELY
        }
        GetMessageStatus::OffsetFoundNull | GetMessageStatus::OffsetOverflowOne => {
            response_code::PULL_NOT_FOUND
        }
        GetMessageStatus::NoMatchedLogicQueue | GetMessageStatus::NoMessageInQueue => {
            if requested == 0 {
                response_code::PULL_NOT_FOUND
            } else {
                response_code::PULL_OFFSET_MOVED
            }
        }
        GetMessageStatus::OffsetOverflowBadly | GetMessageStatus::OffsetTooSmall => {
            response_code::PULL_OFFSET_MOVED
        }
        _ => response_code::SYSTEM_ERROR,
    }
}

/// Drops records whose TAGS do not match `filter` exactly (the consume queue filter is by
/// hash, which collides); a FOUND result left empty becomes NO_MATCHED_MESSAGE.
pub(crate) fn filter_exact(result: &mut GetMessageResult, filter: &TagFilter) {
    if filter.is_all() || result.messages.is_empty() {
        return;
    }
    result
        .messages
        .retain(|bytes| record_matches(bytes, filter));
    if result.messages.is_empty() && result.status == GetMessageStatus::Found {
        result.status = GetMessageStatus::NoMatchedMessage;
    }
}

fn record_matches(bytes: &Bytes, filter: &TagFilter) -> bool {
    match record::decode(bytes, Verify::Structure) {
        Ok(rec) => filter.matches_tag(rec.property(properties::TAGS)),
        // The store served it, so it decoded there; keep it and let the client decide.
        Err(e) => {
            tracing::warn!(error = %e, "pulled record does not decode; passing it through");
            true
        }
    }
}

/// The whole response for a store result; the body is the records, zero-copy.
pub(crate) fn respond(result: GetMessageResult, requested: u64) -> RemotingCommand {
    let code = status_code(result.status, requested);
    let header = PullMessageResponseHeader {
        suggest_which_broker_id: 0,
        next_begin_offset: to_i64(result.next_begin_offset),
        min_offset: to_i64(result.min_offset),
        max_offset: to_i64(result.max_offset),
        offset_delta: None,
        topic_sys_flag: None,
        group_sys_flag: None,
        forbidden_type: None,
    };
    let mut cmd = RemotingCommand::response(code, Some(status_name(result.status).to_owned()))
        .with_header(&header);
    if code == response_code::SUCCESS {
        cmd.body = Body::Parts(result.messages);
    }
    cmd
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_spec_table() {
        use GetMessageStatus as S;
        assert_eq!(status_code(S::Found, 3), 0);
        assert_eq!(status_code(S::NoMatchedMessage, 3), 20);
        assert_eq!(status_code(S::MessageWasRemoving, 3), 20);
        assert_eq!(status_code(S::OffsetFoundNull, 3), 19);
        assert_eq!(status_code(S::OffsetOverflowOne, 3), 19);
        assert_eq!(status_code(S::NoMessageInQueue, 0), 19);
        assert_eq!(status_code(S::NoMessageInQueue, 1), 21);
        assert_eq!(status_code(S::NoMatchedLogicQueue, 0), 19);
        assert_eq!(status_code(S::OffsetOverflowBadly, 9), 21);
        assert_eq!(status_code(S::OffsetTooSmall, 0), 21);
        assert_eq!(status_name(S::OffsetOverflowOne), "OFFSET_OVERFLOW_ONE");
    }
}
