use super::*;

const LIMITS: BatchLimits = BatchLimits {
    runs_max: 4,
    parts_max: 8,
    run_bytes_max: 1 << 20,
};

fn bytes(fill: u8, len: usize) -> Bytes {
    Bytes::from(vec![fill; len])
}

fn whole(buf: &WriteBuffer, offset: u64, len: usize) -> Vec<u8> {
    match buf.lookup(offset, len) {
        Lookup::Whole(b) => b.to_vec(),
        Lookup::Partial(p) => panic!("expected whole, got {} overlay parts", p.len()),
    }
}

#[test]
fn read_inside_one_piece_is_a_slice_of_it() {
    let mut buf = WriteBuffer::default();
    let data = Bytes::from((0u8..100).collect::<Vec<_>>());
    buf.insert(1000, data.clone());
    let Lookup::Whole(got) = buf.lookup(1010, 20) else {
        panic!("buffered")
    };
    assert_eq!(&got[..], &data[10..30]);
    assert_eq!(
        got.as_ptr(),
        data[10..].as_ptr(),
        "zero copy: same memory as the piece"
    );
}

#[test]
fn overwrite_trims_older_pieces_and_reads_see_the_newest() {
    let mut buf = WriteBuffer::default();
    buf.insert(0, bytes(1, 100));
    buf.insert(40, bytes(2, 20));
    buf.insert(90, bytes(3, 20));
    let got = whole(&buf, 0, 110);
    assert_eq!(&got[..40], &[1; 40][..]);
    assert_eq!(&got[40..60], &[2; 20][..]);
    assert_eq!(&got[60..90], &[1; 30][..]);
    assert_eq!(&got[90..], &[3; 20][..]);
    assert_eq!(
        buf.unwritten_bytes(),
        110,
        "overwritten bytes are not counted twice"
    );
}

#[test]
fn empty_reads_and_writes_touch_nothing() {
    let mut buf = WriteBuffer::default();
    buf.insert(10, Bytes::new());
    assert_eq!(buf.unwritten_bytes(), 0);
    assert!(matches!(buf.lookup(10, 0), Lookup::Whole(b) if b.is_empty()));
    buf.insert(0, bytes(1, 20));
    assert!(matches!(buf.lookup(20, 0), Lookup::Whole(b) if b.is_empty()));
}

#[test]
fn partial_cover_returns_an_overlay() {
    let mut buf = WriteBuffer::default();
    buf.insert(10, bytes(7, 10));
    buf.insert(30, bytes(8, 5));
    let Lookup::Partial(overlay) = buf.lookup(0, 40) else {
        panic!("gaps must go to the file")
    };
    let mut disk = vec![0u8; 40];
    apply_overlay(&mut disk, 0, &overlay);
    assert_eq!(&disk[..10], &[0; 10][..]);
    assert_eq!(&disk[10..20], &[7; 10][..]);
    assert_eq!(&disk[20..30], &[0; 10][..]);
    assert_eq!(&disk[30..35], &[8; 5][..]);
}

#[test]
fn take_dirty_coalesces_contiguous_pieces_and_respects_limits() {
    let mut buf = WriteBuffer::default();
    for i in 0..6u64 {
        buf.insert(i * 10, bytes(i as u8, 10));
    }
    for i in 0..6u64 {
        buf.insert(1000 + i * 100, bytes(9, 10));
    }
    let runs = buf.take_dirty(LIMITS);
    assert_eq!(runs.len(), 4);
    assert_eq!(
        (runs[0].offset, runs[0].len(), runs[0].parts.len()),
        (0, 60, 6)
    );
    assert_eq!(runs[3].offset, 1200);
    assert!(buf.has_dirty(), "two runs left for the next batch");
    buf.finish_in_flight(true);
    let rest = buf.take_dirty(LIMITS);
    assert_eq!(
        rest.iter().map(|r| r.offset).collect::<Vec<_>>(),
        [1300, 1400, 1500]
    );
    assert!(!buf.has_dirty());
    buf.finish_in_flight(true);
    assert_eq!(buf.unwritten_bytes(), 0);
    assert_eq!(buf.clean_bytes(), 120);
}

#[test]
fn failed_batch_goes_back_to_dirty_and_overwrite_of_in_flight_stays_dirty() {
    let mut buf = WriteBuffer::default();
    buf.insert(0, bytes(1, 50));
    let runs = buf.take_dirty(LIMITS);
    assert_eq!(runs.len(), 1);
    buf.insert(10, bytes(2, 10));
    buf.finish_in_flight(false);
    let again = buf.take_dirty(LIMITS);
    assert_eq!(again.len(), 1, "three contiguous pieces, one run");
    assert_eq!(again[0].len(), 50);
    let mut flat = Vec::new();
    for p in &again[0].parts {
        flat.extend_from_slice(p);
    }
    assert_eq!(&flat[10..20], &[2; 10][..]);
}

#[test]
fn eviction_keeps_dirty_pieces_and_drops_lowest_clean_first() {
    let mut buf = WriteBuffer::default();
    for i in 0..10u64 {
        buf.insert(i * 100, bytes(1, 100));
    }
    buf.take_dirty(BatchLimits {
        runs_max: 16,
        parts_max: 64,
        run_bytes_max: 1 << 20,
    });
    buf.finish_in_flight(true);
    buf.insert(5000, bytes(2, 100));
    buf.evict(400, 1000);
    assert!(buf.clean_bytes() <= 200);
    assert!(
        matches!(buf.lookup(0, 10), Lookup::Partial(_)),
        "oldest evicted"
    );
    assert!(
        matches!(buf.lookup(900, 100), Lookup::Whole(_)),
        "newest kept"
    );
    assert!(
        matches!(buf.lookup(5000, 100), Lookup::Whole(_)),
        "dirty kept"
    );
    buf.truncate(950);
    assert!(matches!(buf.lookup(900, 50), Lookup::Whole(_)));
    assert!(matches!(buf.lookup(5000, 100), Lookup::Partial(_)));
}
