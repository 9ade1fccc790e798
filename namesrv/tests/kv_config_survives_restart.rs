//! PUT_KV_CONFIG persists to kvConfig.json; a restarted name server answers GET_KV_CONFIG
//! from it, and DELETE_KV_CONFIG makes GET answer QUERY_NOT_FOUND (22).

mod common;

use common::{TestResult, client, invoke, start};
use ferromq_remoting::body::{KvTable, from_json_lenient};
use ferromq_remoting::header::namesrv::{
    DeleteKvConfigRequestHeader, GetKvConfigRequestHeader, GetKvConfigResponseHeader,
    GetKvListByNamespaceRequestHeader, PutKvConfigRequestHeader,
};
use ferromq_remoting::{RemotingCommand, request_code, response_code};

fn get(key: &str) -> RemotingCommand {
    let header = GetKvConfigRequestHeader {
        namespace: "ORDER_TOPIC_CONFIG".into(),
        key: key.into(),
    };
    RemotingCommand::request(request_code::GET_KV_CONFIG, &header)
}

#[tokio::test]
async fn kv_config_survives_a_restart() -> TestResult {
    let dir = tempfile::tempdir()?;
    let first = start(dir.path()).await?;
    let client = client();
    let put = PutKvConfigRequestHeader {
        namespace: "ORDER_TOPIC_CONFIG".into(),
        key: "TopicA".into(),
        value: "broker-a:4;broker-b:4".into(),
    };
    let response = invoke(
        &client,
        &first,
        RemotingCommand::request(request_code::PUT_KV_CONFIG, &put),
    )
    .await?;
    assert_eq!(response.code, response_code::SUCCESS);
    assert_eq!(
        invoke(&client, &first, get("Other")).await?.code,
        response_code::QUERY_NOT_FOUND
    );
    first.shutdown().await?;

    let on_disk = std::fs::read_to_string(dir.path().join("namesrv").join("kvConfig.json"))?;
    assert_eq!(
        on_disk,
        r#"{"configTable":{"ORDER_TOPIC_CONFIG":{"TopicA":"broker-a:4;broker-b:4"}}}"#
    );

    let second = start(dir.path()).await?;
    let response = invoke(&client, &second, get("TopicA")).await?;
    assert_eq!(response.code, response_code::SUCCESS);
    let value: GetKvConfigResponseHeader = response.read_header()?;
    assert_eq!(value.value.as_deref(), Some("broker-a:4;broker-b:4"));
    let list = GetKvListByNamespaceRequestHeader {
        namespace: "ORDER_TOPIC_CONFIG".into(),
    };
    let listed = invoke(
        &client,
        &second,
        RemotingCommand::request(request_code::GET_KVLIST_BY_NAMESPACE, &list),
    )
    .await?;
    let table: KvTable = from_json_lenient(&listed.body.to_bytes())?;
    assert_eq!(table.table.len(), 1);

    let delete = DeleteKvConfigRequestHeader {
        namespace: "ORDER_TOPIC_CONFIG".into(),
        key: "TopicA".into(),
    };
    let response = invoke(
        &client,
        &second,
        RemotingCommand::request(request_code::DELETE_KV_CONFIG, &delete),
    )
    .await?;
    assert_eq!(response.code, response_code::SUCCESS);
    let response = invoke(&client, &second, get("TopicA")).await?;
    assert_eq!(response.code, response_code::QUERY_NOT_FOUND);
    second.shutdown().await?;
    Ok(())
}
