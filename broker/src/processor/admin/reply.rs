//! Response builders shared by B2's processors (admin, client_manage, consumer_manage,
//! query): RocketMQ's codes and remarks for bad headers and broker errors, JSON bodies in the
//! dialect the requester's version expects.

use ferromq_remoting::body::JsonStyle;
use ferromq_remoting::{RemotingCommand, RemotingError, response_code};
use serde::Serialize;

use crate::error::BrokerError;

/// A response with `code` and `remark`.
pub(crate) fn refuse(code: i32, remark: impl Into<String>) -> RemotingCommand {
    RemotingCommand::response(code, Some(remark.into()))
}

/// SUCCESS without remark.
pub(crate) fn success() -> RemotingCommand {
    RemotingCommand::response(response_code::SUCCESS, None)
}

/// A header that does not decode: SYSTEM_ERROR, with the text of the Java broker's
/// `RemotingCommandException` for a missing field ("the custom field <x> is null").
pub(crate) fn bad_header(e: &RemotingError) -> RemotingCommand {
    let remark = match e {
        RemotingError::MissingHeaderField { name } => format!("the custom field <{name}> is null"),
        other => other.to_string(),
    };
    refuse(response_code::SYSTEM_ERROR, remark)
}

/// A body that does not decode: SYSTEM_ERROR naming the problem.
pub(crate) fn bad_body(what: &str, e: &dyn std::fmt::Display) -> RemotingCommand {
    refuse(
        response_code::SYSTEM_ERROR,
        format!("{what} body is invalid: {e}"),
    )
}

/// A broker error with its RocketMQ code.
pub(crate) fn broker_error(e: &BrokerError) -> RemotingCommand {
    refuse(e.response_code(), e.to_string())
}

/// The JSON style for a requester of `version` (standard from V4_9_4).
pub(crate) fn style_for(request: &RemotingCommand) -> JsonStyle {
    JsonStyle::for_peer(request.version, false)
}

/// SUCCESS with `value` as JSON in the requester's style.
pub(crate) fn json<T: Serialize>(request: &RemotingCommand, value: &T) -> RemotingCommand {
    match ferromq_remoting::body::to_json(value, style_for(request)) {
        Ok(bytes) => success().with_body(bytes),
        Err(e) => refuse(
            response_code::SYSTEM_ERROR,
            format!("encoding the body failed: {e}"),
        ),
    }
}

/// SUCCESS with an already encoded body, or the encoding error.
pub(crate) fn encoded(body: Result<Vec<u8>, BrokerError>) -> RemotingCommand {
    match body {
        Ok(bytes) => success().with_body(bytes),
        Err(e) => broker_error(&e),
    }
}
