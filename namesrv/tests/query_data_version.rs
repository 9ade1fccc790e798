//! QUERY_DATA_VERSION answers `changed` against the broker's last registration and returns
//! the stored DataVersion as body.

mod common;

use common::{Broker, TestResult, client, invoke, register_request, start};
use ferromq_remoting::body::{DataVersion, JsonStyle, from_json_lenient, to_json};
use ferromq_remoting::header::namesrv::{
    QueryDataVersionRequestHeader, QueryDataVersionResponseHeader,
};
use ferromq_remoting::{RemotingCommand, request_code, response_code};

fn query(version: &DataVersion) -> RemotingCommand {
    let header = QueryDataVersionRequestHeader {
        broker_name: "broker-a".into(),
        broker_addr: "127.0.0.1:10911".into(),
        cluster_name: "DefaultCluster".into(),
        broker_id: 0,
    };
    let body = to_json(version, JsonStyle::Standard).expect("encode DataVersion");
    RemotingCommand::request(request_code::QUERY_DATA_VERSION, &header).with_body(body)
}

#[tokio::test]
async fn data_version_changed_flag() -> TestResult {
    let dir = tempfile::tempdir()?;
    let server = start(dir.path()).await?;
    let client = client();
    let registered = DataVersion {
        counter: 7,
        state_version: 0,
        timestamp: 1_700_000_000_000,
    };
    let master = Broker::master("broker-a", "127.0.0.1:10911");
    invoke(&client, &server, register_request(&master, &[("T", 1)], 7)).await?;

    let same = invoke(&client, &server, query(&registered)).await?;
    assert_eq!(same.code, response_code::SUCCESS);
    assert!(
        !same
            .read_header::<QueryDataVersionResponseHeader>()?
            .changed
    );
    assert_eq!(
        from_json_lenient::<DataVersion>(&same.body.to_bytes())?,
        registered
    );

    let mut newer = registered.clone();
    newer.next_version(1_700_000_000_001);
    let changed = invoke(&client, &server, query(&newer)).await?;
    assert!(
        changed
            .read_header::<QueryDataVersionResponseHeader>()?
            .changed
    );
    server.shutdown().await?;
    Ok(())
}
