//! Put, pull back by queue offset, and the statuses around the queue's ends. Runs on every backend.

#[macro_use]
mod common;

use common::{Kind, TestBackend};
use ferromq_store::commitlog::record::{self, Verify};
use ferromq_store::{GetMessageStatus, PutStatus, Store};

per_backend!(messages_come_back_in_order_across_segment_rolls);
fn messages_come_back_in_order_across_segment_rolls(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(common::small_config(
        dir.path(),
        TestBackend::new(kind).backend(),
    ))
    .unwrap();
    let mut last_phys = None;
    for seq in 0..100u64 {
        let r = store.put(common::message("T", 1, seq, 100)).wait();
        assert_eq!(r.status, PutStatus::PutOk);
        assert_eq!(r.queue_offset, seq);
        assert!(
            last_phys.is_none_or(|p| r.phys_offset > p),
            "physical offsets rise"
        );
        last_phys = Some(r.phys_offset);
        let rec = store.message_by_phys_offset(r.phys_offset).unwrap();
        let rec = record::decode(&rec, Verify::Strict).unwrap();
        assert_eq!(rec.queue_offset, seq);
        assert_eq!(rec.offset_msg_id(), r.msg_id());
    }
    assert!(
        store.max_phys_offset() > 3 * common::SMALL_SEGMENT,
        "several segments were used"
    );
    common::settle(&store);
    let bodies = common::bodies(&store, "T", 1);
    assert_eq!(bodies.len(), 100);
    for (seq, body) in bodies.iter().enumerate() {
        assert!(body.starts_with(format!("T/1/{seq}/").as_bytes()));
    }
    assert_eq!(store.min_offset("T", 1), 0);
    assert_eq!(store.max_offset("T", 1), 100);
    store.shutdown().unwrap();
}

per_backend!(statuses_at_the_queue_edges);
fn statuses_at_the_queue_edges(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(common::small_config(
        dir.path(),
        TestBackend::new(kind).backend(),
    ))
    .unwrap();
    let none = store
        .get_messages("T", 0, 0, 10, usize::MAX, &|_| true)
        .unwrap();
    assert_eq!(none.status, GetMessageStatus::NoMatchedLogicQueue);
    for seq in 0..4 {
        store.put(common::message("T", 0, seq, 10)).wait();
    }
    common::settle(&store);
    let at_end = store
        .get_messages("T", 0, 4, 10, usize::MAX, &|_| true)
        .unwrap();
    assert_eq!(at_end.status, GetMessageStatus::OffsetOverflowOne);
    assert_eq!(at_end.next_begin_offset, 4);
    let past = store
        .get_messages("T", 0, 9, 10, usize::MAX, &|_| true)
        .unwrap();
    assert_eq!(past.status, GetMessageStatus::OffsetOverflowBadly);
    let two = store
        .get_messages("T", 0, 1, 2, usize::MAX, &|_| true)
        .unwrap();
    assert_eq!(two.status, GetMessageStatus::Found);
    assert_eq!(two.messages.len(), 2);
    assert_eq!(two.next_begin_offset, 3);
    let one_byte_budget = store.get_messages("T", 0, 0, 10, 1, &|_| true).unwrap();
    assert_eq!(
        one_byte_budget.messages.len(),
        1,
        "at least one record is returned"
    );
    let even = ferromq_store::javahash::tags_code(Some("even"));
    let filtered = store
        .get_messages("T", 0, 0, 10, usize::MAX, &|code| code == even)
        .unwrap();
    assert_eq!(filtered.messages.len(), 2);
    let nothing = store
        .get_messages("T", 0, 0, 10, usize::MAX, &|_| false)
        .unwrap();
    assert_eq!(nothing.status, GetMessageStatus::NoMatchedMessage);
    assert_eq!(nothing.next_begin_offset, 4);
}
