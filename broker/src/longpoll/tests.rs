use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::*;

fn far() -> Instant {
    Instant::now() + Duration::from_secs(60)
}

#[tokio::test]
async fn arrival_wakes_the_parked_pull_and_only_its_queue() {
    let svc = Arc::new(PullRequestHoldService::new(8));
    let mut parked = svc.park("T", 1).expect("parks");
    let mut other = svc.park("T", 2).expect("parks");
    assert_eq!(svc.parked_count(), 2);
    let waker = Arc::clone(&svc);
    let wait = tokio::spawn(async move {
        let r = parked.check_then_wait(far(), || None::<()>).await;
        drop(parked);
        r
    });
    tokio::task::yield_now().await;
    // The waiter may not be polled yet; keep notifying until it wakes.
    while !wait.is_finished() {
        waker.notify_message_arriving("T", 1);
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    assert_eq!(wait.await.expect("joins"), Err(WakeReason::Arrived));
    let soon = Instant::now() + Duration::from_millis(20);
    assert_eq!(
        other.check_then_wait(soon, || None::<()>).await,
        Err(WakeReason::Timeout)
    );
    drop(other);
    assert_eq!(svc.parked_count(), 0);
    assert!(
        svc.lock().is_empty(),
        "map entries are removed with their last waiter"
    );
}

#[tokio::test]
async fn an_arrival_before_the_wait_is_not_lost() {
    let svc = Arc::new(PullRequestHoldService::new(8));
    let mut parked = svc.park("T", 0).expect("parks");
    let notifier = Arc::clone(&svc);
    // The check runs with the wake-up armed: a notify inside it must end the wait at once.
    let r = parked
        .check_then_wait(far(), || {
            notifier.notify_message_arriving("T", 0);
            None::<()>
        })
        .await;
    assert_eq!(r, Err(WakeReason::Arrived));
    assert_eq!(parked.check_then_wait(far(), || Some(7)).await, Ok(7));
}

#[tokio::test]
async fn park_bound_is_enforced_one_past() {
    let svc = Arc::new(PullRequestHoldService::new(2));
    let a = svc.park("T", 0).expect("first");
    let _b = svc.park("T", 0).expect("second");
    assert!(svc.park("T", 0).is_none(), "one past the bound");
    drop(a);
    assert!(svc.park("T", 0).is_some());
}

#[tokio::test]
async fn shutdown_releases_parked_pulls_and_refuses_new_ones() {
    let svc = Arc::new(PullRequestHoldService::new(8));
    let mut parked = svc.park("T", 0).expect("parks");
    let wait = tokio::spawn(async move { parked.check_then_wait(far(), || None::<()>).await });
    tokio::task::yield_now().await;
    svc.shutdown();
    assert_eq!(wait.await.expect("joins"), Err(WakeReason::Shutdown));
    assert!(svc.park("T", 0).is_none());
}

#[test]
fn listener_calls_notify() {
    let svc = Arc::new(PullRequestHoldService::new(8));
    let listener = svc.arrival_listener();
    listener(&ferromq_store::ArrivalEvent {
        topic: "T".into(),
        queue_id: 0,
        max_offset: 1,
        tags_code: 0,
        store_timestamp: 0,
    });
}
