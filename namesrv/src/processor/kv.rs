//! PUT/GET/DELETE_KV_CONFIG and GET_KVLIST_BY_NAMESPACE. Writes persist on a blocking thread.

use std::sync::Arc;

use ferromq_remoting::body::{JsonStyle, to_json};
use ferromq_remoting::header::namesrv::{
    DeleteKvConfigRequestHeader, GetKvConfigRequestHeader, GetKvConfigResponseHeader,
    GetKvListByNamespaceRequestHeader, PutKvConfigRequestHeader,
};
use ferromq_remoting::{RemotingCommand, response_code};

use super::{NamesrvState, lock_kv};
use crate::{KvConfigManager, NamesrvError};

/// Runs `edit` on the KV table off the async workers: it fsyncs the config file.
async fn edit_kv<T: Send + 'static>(
    state: &NamesrvState,
    edit: impl FnOnce(&mut KvConfigManager) -> Result<T, NamesrvError> + Send + 'static,
) -> Result<T, NamesrvError> {
    let kv = Arc::clone(&state.kv);
    match tokio::task::spawn_blocking(move || edit(&mut lock_kv(&kv))).await {
        Ok(result) => result,
        Err(join_error) => Err(NamesrvError::Task(join_error)),
    }
}

pub(super) async fn put(
    state: &NamesrvState,
    request: &RemotingCommand,
) -> Result<RemotingCommand, NamesrvError> {
    let header: PutKvConfigRequestHeader = request.read_header()?;
    edit_kv(state, move |kv| {
        kv.put(&header.namespace, &header.key, &header.value)
    })
    .await?;
    Ok(RemotingCommand::success_to(request))
}

pub(super) fn get(
    state: &NamesrvState,
    request: &RemotingCommand,
) -> Result<RemotingCommand, NamesrvError> {
    let header: GetKvConfigRequestHeader = request.read_header()?;
    let value = state
        .kv()
        .get(&header.namespace, &header.key)
        .map(str::to_owned);
    Ok(match value {
        Some(value) => RemotingCommand::success_to(request)
            .with_header(&GetKvConfigResponseHeader { value: Some(value) }),
        None => {
            let remark = format!(
                "No config item, Namespace: {} Key: {}",
                header.namespace, header.key
            );
            RemotingCommand::response_to(request, response_code::QUERY_NOT_FOUND, Some(remark))
        }
    })
}

pub(super) async fn delete(
    state: &NamesrvState,
    request: &RemotingCommand,
) -> Result<RemotingCommand, NamesrvError> {
    let header: DeleteKvConfigRequestHeader = request.read_header()?;
    edit_kv(state, move |kv| kv.delete(&header.namespace, &header.key)).await?;
    Ok(RemotingCommand::success_to(request))
}

pub(super) fn list_namespace(
    state: &NamesrvState,
    request: &RemotingCommand,
) -> Result<RemotingCommand, NamesrvError> {
    let header: GetKvListByNamespaceRequestHeader = request.read_header()?;
    let table = state.kv().namespace(&header.namespace);
    Ok(match table {
        Some(table) => {
            RemotingCommand::success_to(request).with_body(to_json(&table, JsonStyle::Standard)?)
        }
        None => {
            let remark = format!("No config item, Namespace: {}", header.namespace);
            RemotingCommand::response_to(request, response_code::QUERY_NOT_FOUND, Some(remark))
        }
    })
}
