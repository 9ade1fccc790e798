use std::collections::BTreeSet;
use std::sync::Arc;

use ferromq_remoting::body::MessageQueue;
use ferromq_store::config::ManualClock;

use super::*;

fn mq(queue_id: i32) -> MessageQueue {
    MessageQueue {
        topic: "T".into(),
        broker_name: "b".into(),
        queue_id,
    }
}

fn set(ids: &[i32]) -> BTreeSet<MessageQueue> {
    ids.iter().copied().map(mq).collect()
}

fn manager() -> (RebalanceLockManager, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(1_000_000));
    let manager = RebalanceLockManager::with_clock(60_000, clock.clone());
    (manager, clock)
}

#[test]
fn first_client_wins_and_second_is_refused() {
    let (m, _clock) = manager();
    assert_eq!(m.try_lock_batch("g", &set(&[0, 1]), "c1"), set(&[0, 1]));
    assert_eq!(m.try_lock_batch("g", &set(&[1, 2]), "c2"), set(&[2]));
    assert!(m.is_locked("g", &mq(1), "c1"));
    assert!(!m.is_locked("g", &mq(1), "c2"));
    assert_eq!(m.holder("g", &mq(2)).as_deref(), Some("c2"));
    // Other groups are independent.
    assert_eq!(m.try_lock_batch("g2", &set(&[1]), "c2"), set(&[1]));
}

#[test]
fn lock_expires_after_max_live_time_and_can_be_taken_over() {
    let (m, clock) = manager();
    m.try_lock_batch("g", &set(&[0]), "c1");
    clock.advance(60_000);
    assert!(
        m.is_locked("g", &mq(0), "c1"),
        "exactly at the limit it still lives"
    );
    assert!(m.try_lock_batch("g", &set(&[0]), "c2").is_empty());
    clock.advance(1);
    assert!(!m.is_locked("g", &mq(0), "c1"));
    assert_eq!(m.holder("g", &mq(0)), None);
    assert_eq!(m.try_lock_batch("g", &set(&[0]), "c2"), set(&[0]));
    assert!(m.is_locked("g", &mq(0), "c2"));
}

#[test]
fn relock_by_the_holder_refreshes() {
    let (m, clock) = manager();
    m.try_lock_batch("g", &set(&[0]), "c1");
    clock.advance(50_000);
    assert_eq!(m.try_lock_batch("g", &set(&[0]), "c1"), set(&[0]));
    clock.advance(50_000);
    assert!(m.is_locked("g", &mq(0), "c1"), "refreshed 50 s ago");
    assert!(m.try_lock_batch("g", &set(&[0]), "c2").is_empty());
}

#[test]
fn unlock_only_by_the_holder() {
    let (m, _clock) = manager();
    m.try_lock_batch("g", &set(&[0, 1]), "c1");
    m.unlock_batch("g", &set(&[0]), "c2");
    assert!(m.is_locked("g", &mq(0), "c1"));
    m.unlock_batch("g", &set(&[0]), "c1");
    assert!(!m.is_locked("g", &mq(0), "c1"));
    assert_eq!(m.try_lock_batch("g", &set(&[0]), "c2"), set(&[0]));
    assert!(m.is_locked("g", &mq(1), "c1"));
    m.unlock_batch("unknown", &set(&[0]), "c1");
}
