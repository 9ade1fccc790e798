//! The send response: the store's PutStatus as RocketMQ's response code, remark and header.

use ferromq_remoting::header::send::SendMessageResponseHeader;
use ferromq_remoting::{RemotingCommand, response_code};
use ferromq_store::{PutResult, PutStatus};

/// Region reported in every send response (`MSG_REGION`).
const REGION_DEFAULT: &str = "DefaultRegion";

/// RocketMQ's answer to a put: SUCCESS or FLUSH_DISK_TIMEOUT (stored; header filled),
/// otherwise the refusal code and remark.
pub(crate) fn respond(
    result: &PutResult,
    queue_id: u32,
    uniq_key: Option<String>,
) -> RemotingCommand {
    let (code, remark) = code_and_remark(result.status);
    if !result.status.is_stored() {
        tracing::warn!(status = ?result.status, "put refused by the store");
        return RemotingCommand::response(code, remark.map(str::to_owned));
    }
    let header = SendMessageResponseHeader {
        msg_id: result.msg_id(),
        queue_id: i32::try_from(queue_id).unwrap_or(i32::MAX),
        queue_offset: i64::try_from(result.queue_offset).unwrap_or(i64::MAX),
        transaction_id: uniq_key,
        batch_uniq_id: None,
        recall_handle: None,
        msg_region: Some(REGION_DEFAULT.to_owned()),
        trace_on: Some("true".to_owned()),
    };
    RemotingCommand::response(code, remark.map(str::to_owned)).with_header(&header)
}

/// Code and remark per PutStatus, with RocketMQ's remarks.
fn code_and_remark(status: PutStatus) -> (i32, Option<&'static str>) {
    match status {
        PutStatus::PutOk => (response_code::SUCCESS, None),
        PutStatus::FlushDiskTimeout => (response_code::FLUSH_DISK_TIMEOUT, None),
        PutStatus::ServiceNotAvailable => (
            response_code::SERVICE_NOT_AVAILABLE,
            Some("service not available now: the message store is shutting down"),
        ),
        PutStatus::DiskFull => (
            response_code::SERVICE_NOT_AVAILABLE,
            Some("service not available now: the broker's disk is full"),
        ),
        PutStatus::IoFailed => (
            response_code::SERVICE_NOT_AVAILABLE,
            Some("service not available now: the message store is read-only after an I/O error"),
        ),
        PutStatus::CreateMappedFileFailed => (
            response_code::SYSTEM_ERROR,
            Some("create mapped file failed, server is busy or broken."),
        ),
        PutStatus::MessageIllegal | PutStatus::PropertiesSizeExceeded => (
            response_code::MESSAGE_ILLEGAL,
            Some(
                "the message is illegal, maybe msg body or properties length not matched. \
                 msg body length limit 4m, msg properties length limit 32k.",
            ),
        ),
        _ => (response_code::SYSTEM_ERROR, Some("unknown put status")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_statuses_carry_the_header_and_others_do_not() {
        let mut ok = PutResult::failed(PutStatus::PutOk);
        ok.status = PutStatus::PutOk;
        ok.queue_offset = 5;
        ok.store_host = "10.0.0.1:10911".parse().expect("addr");
        ok.phys_offset = 0x1234;
        let resp = respond(&ok, 3, Some("U".into()));
        assert_eq!(resp.code, 0);
        let h: SendMessageResponseHeader = resp.read_header().expect("header");
        assert_eq!(h.msg_id, "0A00000100002A9F0000000000001234");
        assert_eq!((h.queue_id, h.queue_offset), (3, 5));
        assert_eq!(h.transaction_id.as_deref(), Some("U"));
        ok.status = PutStatus::FlushDiskTimeout;
        assert_eq!(respond(&ok, 3, None).code, 10);
        for (status, code) in [
            (PutStatus::DiskFull, 14),
            (PutStatus::IoFailed, 14),
            (PutStatus::ServiceNotAvailable, 14),
            (PutStatus::MessageIllegal, 13),
            (PutStatus::PropertiesSizeExceeded, 13),
            (PutStatus::CreateMappedFileFailed, 1),
        ] {
            let resp = respond(&PutResult::failed(status), 0, None);
            assert_eq!(resp.code, code, "{status:?}");
            assert!(!resp.ext_fields.contains_key("msgId"));
            assert!(resp.remark.is_some());
        }
    }
}
