//! REGISTER_BROKER, UNREGISTER_BROKER, BROKER_HEARTBEAT and QUERY_DATA_VERSION.

use std::time::Duration;

use ferromq_remoting::body::{
    DataVersion, JsonStyle, RegisterBrokerBody, from_json_lenient, to_json,
};
use ferromq_remoting::header::namesrv::{
    BrokerHeartbeatRequestHeader, QueryDataVersionRequestHeader, QueryDataVersionResponseHeader,
    RegisterBrokerRequestHeader, RegisterBrokerResponseHeader, UnregisterBrokerRequestHeader,
};
use ferromq_remoting::net::RequestContext;
use ferromq_remoting::{RemotingCommand, response_code};

use super::{NamesrvState, now};
use crate::{BrokerRegistration, NAMESPACE_ORDER_TOPIC_CONFIG, NamesrvError};

/// `bodyCrc32` keeps the low 31 bits of the CRC32, as Java's masked int.
const BODY_CRC32_MASK: u32 = 0x7FFF_FFFF;

pub(super) fn register(
    state: &NamesrvState,
    ctx: &RequestContext,
    request: &RemotingCommand,
) -> Result<RemotingCommand, NamesrvError> {
    let header: RegisterBrokerRequestHeader = request.read_header()?;
    let body = request.body.to_bytes();
    if let Some(expected) = header.body_crc32.filter(|crc| *crc != 0) {
        let actual = crc32fast::hash(&body) & BODY_CRC32_MASK;
        if i64::from(actual) != i64::from(expected) {
            tracing::warn!(
                broker_addr = %header.broker_addr, expected, actual, "register body crc32 mismatch"
            );
            let remark = Some("crc32 not match".to_owned());
            return Ok(RemotingCommand::response_to(
                request,
                response_code::SYSTEM_ERROR,
                remark,
            ));
        }
    }
    let compressed = header.compressed.unwrap_or(false);
    let body = if body.is_empty() {
        RegisterBrokerBody::default()
    } else {
        RegisterBrokerBody::decode(&body, compressed, request.version)?
    };
    let heartbeat_timeout = header
        .heartbeat_timeout_millis
        .and_then(|ms| u64::try_from(ms).ok())
        .filter(|ms| *ms > 0)
        .map(Duration::from_millis);
    let registration = BrokerRegistration {
        cluster_name: header.cluster_name,
        broker_addr: header.broker_addr,
        broker_name: header.broker_name,
        broker_id: header.broker_id,
        ha_server_addr: header.ha_server_addr,
        zone_name: header.zone_name,
        heartbeat_timeout,
        enable_acting_master: header.enable_acting_master.unwrap_or(false),
        topic_config_wrapper: body.topic_config_serialize_wrapper,
        filter_server_list: body.filter_server_list,
        channel: Some(ctx.peer_addr()),
    };
    tracing::debug!(
        broker_addr = %registration.broker_addr, broker_id = registration.broker_id,
        topics = registration.topic_config_wrapper.topic_config_table.len(), "register broker"
    );
    let result = state.routes().register_broker(registration, now());
    let response_header = RegisterBrokerResponseHeader {
        ha_server_addr: result.ha_server_addr,
        master_addr: result.master_addr,
    };
    let mut response = RemotingCommand::success_to(request).with_header(&response_header);
    if let Some(order_conf) = state.kv().namespace(NAMESPACE_ORDER_TOPIC_CONFIG) {
        response = response.with_body(to_json(&order_conf, JsonStyle::Standard)?);
    }
    Ok(response)
}

pub(super) fn unregister(
    state: &NamesrvState,
    request: &RemotingCommand,
) -> Result<RemotingCommand, NamesrvError> {
    let header: UnregisterBrokerRequestHeader = request.read_header()?;
    state.routes().unregister_broker(
        &header.cluster_name,
        &header.broker_addr,
        &header.broker_name,
        header.broker_id,
    );
    Ok(RemotingCommand::success_to(request))
}

pub(super) fn heartbeat(
    state: &NamesrvState,
    request: &RemotingCommand,
) -> Result<RemotingCommand, NamesrvError> {
    let header: BrokerHeartbeatRequestHeader = request.read_header()?;
    if !state.routes().refresh_liveness(&header.broker_addr, now()) {
        tracing::debug!(broker_addr = %header.broker_addr, "heartbeat from an unregistered broker");
    }
    Ok(RemotingCommand::success_to(request))
}

pub(super) fn query_data_version(
    state: &NamesrvState,
    request: &RemotingCommand,
) -> Result<RemotingCommand, NamesrvError> {
    let header: QueryDataVersionRequestHeader = request.read_header()?;
    let body = request.body.to_bytes();
    let broker_version: DataVersion = if body.is_empty() {
        DataVersion::default()
    } else {
        from_json_lenient(&body)?
    };
    let mut routes = state.routes();
    let changed = routes.is_data_version_changed(&header.broker_addr, &broker_version);
    if !changed {
        routes.refresh_liveness(&header.broker_addr, now());
    }
    let stored = routes.data_version(&header.broker_addr).cloned();
    drop(routes);
    let mut response = RemotingCommand::success_to(request)
        .with_header(&QueryDataVersionResponseHeader { changed });
    if let Some(stored) = stored {
        response = response.with_body(to_json(&stored, JsonStyle::Standard)?);
    }
    Ok(response)
}
