//! Route and topic queries, topic deletion and broker write permission.

use ferromq_remoting::body::{JsonStyle, to_json};
use ferromq_remoting::header::namesrv::{
    AddWritePermOfBrokerRequestHeader, AddWritePermOfBrokerResponseHeader,
    DeleteTopicFromNamesrvRequestHeader, GetRouteInfoRequestHeader,
    GetTopicsByClusterRequestHeader, WipeWritePermOfBrokerRequestHeader,
    WipeWritePermOfBrokerResponseHeader,
};
use ferromq_remoting::{RemotingCommand, response_code};

use super::NamesrvState;
use crate::{NAMESPACE_ORDER_TOPIC_CONFIG, NamesrvError};

/// GET_ROUTEINFO_BY_TOPIC: standard JSON for V4_9_4+ or `acceptStandardJsonOnly`, else
/// fastjson's unquoted brokerAddrs keys.
pub(super) fn topic_route(
    state: &NamesrvState,
    request: &RemotingCommand,
) -> Result<RemotingCommand, NamesrvError> {
    let header: GetRouteInfoRequestHeader = request.read_header()?;
    let route = state.routes().topic_route(&header.topic);
    let Some(mut route) = route else {
        let remark = format!(
            "No topic route info in name server for the topic: {}",
            header.topic
        );
        return Ok(RemotingCommand::response_to(
            request,
            response_code::TOPIC_NOT_EXIST,
            Some(remark),
        ));
    };
    if state.order_message_enable {
        let kv = state.kv();
        route.order_topic_conf = kv
            .get(NAMESPACE_ORDER_TOPIC_CONFIG, &header.topic)
            .map(str::to_owned);
    }
    let style = JsonStyle::for_peer(
        request.version,
        header.accept_standard_json_only.unwrap_or(false),
    );
    Ok(RemotingCommand::success_to(request).with_body(to_json(&route, style)?))
}

/// GET_BROKER_CLUSTER_INFO; its brokerAddrs maps follow the same style rule as routes.
pub(super) fn cluster_info(
    state: &NamesrvState,
    request: &RemotingCommand,
) -> Result<RemotingCommand, NamesrvError> {
    let info = state.routes().cluster_info();
    let style = JsonStyle::for_peer(request.version, false);
    Ok(RemotingCommand::success_to(request).with_body(to_json(&info, style)?))
}

pub(super) fn all_topics(
    state: &NamesrvState,
    request: &RemotingCommand,
) -> Result<RemotingCommand, NamesrvError> {
    let topics = state.routes().all_topics();
    Ok(RemotingCommand::success_to(request).with_body(to_json(&topics, JsonStyle::Standard)?))
}

pub(super) fn topics_by_cluster(
    state: &NamesrvState,
    request: &RemotingCommand,
) -> Result<RemotingCommand, NamesrvError> {
    let header: GetTopicsByClusterRequestHeader = request.read_header()?;
    let topics = state.routes().topics_by_cluster(&header.cluster);
    Ok(RemotingCommand::success_to(request).with_body(to_json(&topics, JsonStyle::Standard)?))
}

pub(super) fn delete_topic(
    state: &NamesrvState,
    request: &RemotingCommand,
) -> Result<RemotingCommand, NamesrvError> {
    let header: DeleteTopicFromNamesrvRequestHeader = request.read_header()?;
    let removed = state
        .routes()
        .delete_topic(&header.topic, header.cluster_name.as_deref());
    tracing::info!(topic = %header.topic, cluster = ?header.cluster_name, removed, "delete topic");
    Ok(RemotingCommand::success_to(request))
}

pub(super) fn wipe_write_perm(
    state: &NamesrvState,
    request: &RemotingCommand,
) -> Result<RemotingCommand, NamesrvError> {
    let header: WipeWritePermOfBrokerRequestHeader = request.read_header()?;
    let count = state.routes().wipe_write_perm(&header.broker_name);
    tracing::info!(broker_name = %header.broker_name, count, "write permission wiped");
    let wipe_topic_count = i32::try_from(count).unwrap_or(i32::MAX);
    let response_header = WipeWritePermOfBrokerResponseHeader { wipe_topic_count };
    Ok(RemotingCommand::success_to(request).with_header(&response_header))
}

pub(super) fn add_write_perm(
    state: &NamesrvState,
    request: &RemotingCommand,
) -> Result<RemotingCommand, NamesrvError> {
    let header: AddWritePermOfBrokerRequestHeader = request.read_header()?;
    let count = state.routes().add_write_perm(&header.broker_name);
    tracing::info!(broker_name = %header.broker_name, count, "write permission added");
    let add_topic_count = i32::try_from(count).unwrap_or(i32::MAX);
    let response_header = AddWritePermOfBrokerResponseHeader { add_topic_count };
    Ok(RemotingCommand::success_to(request).with_header(&response_header))
}
